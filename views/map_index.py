"""The reports map's index, kept per Delta version of silver.reports: for every valid report its receipt
instant, whether it has a location, and its status, category, channel and 2025 commune as small integer
codes, sorted by receipt.

Why: the map's count and its newest N of a period were statements scanning silver.reports (all of it for
all time: 446 ms at 5 M reports). On the index a period is a slice found by bisection and the filters are
code look-ups, so the count is a sum and the newest N's cut-off second an index; the wide columns of those
N rows are then read by a statement bounded to their seconds, which skips the older row groups by their
statistics. Codes, not text, and whole seconds: 5 M rows of four text columns would hold some 300 MB in
the dashboard server, these about 55 MB (11 bytes a report).

The "overdue only" map keeps, beside it, the map's columns of the few reports that can be overdue at all
(``overdue_rows``): a statement cannot fetch them fast, since they are spread over the whole table (any
filter on all time scans every row group: 300 ms and more at 5 M reports), and they are few (18 k of 5 M
reports, 2 MB, in the bench lake)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from core import kpis
from views.filters import Filters

CODED = ("status", "category_code", "channel", "admin_unit_code_2025")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_TOP = 2**32 - 1  # seconds are kept as uint32, below this
# the values each coded column holds (nulls aside), once per version: the codes are positions in these lists
_VALUES = ("SELECT " + ", ".join(f"list(DISTINCT {c} ORDER BY {c}) FILTER (WHERE {c} IS NOT NULL) AS {c}"
                                 for c in CODED) + " FROM silver.reports WHERE is_valid")


@dataclass(frozen=True)
class MapIndex:
    # received_at in whole seconds since the epoch (rounded down), ascending: a period's bounds are whole
    # seconds (midnights), so a report is in the period exactly when its second is
    t: np.ndarray
    located: np.ndarray  # lat and lon both known
    codes: dict[str, np.ndarray]  # per coded column: 0 = null, i = the i-th value of ``values``
    values: dict[str, dict[str, int]]  # per coded column: value → code

    def matches(self, f: Filters, located: bool, statuses: tuple[str, ...], categories: tuple[str, ...],
                channels: tuple[str, ...]) -> tuple[int, np.ndarray]:
        """(first row of the period, which of the period's rows pass the filters) — as the map's statement
        filters: a report received in [start_ts, end_ts), located or not, its values among those picked (a
        null value never passes a filter; no value picked means no filter)."""
        # bounds clamped into the index's type (its seconds lie strictly inside it), so numpy need not copy it
        bounds = np.clip([_second(f.start_ts), _second(f.end_ts)], 0, _TOP).astype(self.t.dtype)
        lo, hi = (int(i) for i in np.searchsorted(self.t, bounds, side="left"))
        mask = self.located[lo:hi] if located else ~self.located[lo:hi]
        for col, picked in zip(CODED, (statuses, categories, channels, f.areas), strict=True):
            if picked:
                wanted = np.zeros(len(self.values[col]) + 1, dtype=bool)
                wanted[[self.values[col][v] for v in picked if v in self.values[col]]] = True
                mask = mask & wanted[self.codes[col][lo:hi]]
        return lo, mask

    def second(self, row: int) -> dt.datetime:
        """The start of the second the row's report was received in."""
        return _EPOCH + dt.timedelta(seconds=int(self.t[row]))

    @staticmethod
    def answers(f: Filters) -> bool:
        """Whether the period's bounds are whole seconds (always, for periods of days)."""
        return f.start_ts.microsecond == 0 and f.end_ts.microsecond == 0


def map_index(lake: Any) -> MapIndex | None:  # noqa: ANN401 - a Lake (the caller checked it keeps results)
    """The index of the lake's current silver.reports, built once per version; None when the table moved
    between the two statements that build it (a value the code lists lack): the caller then issues its
    statement, and the next version builds again."""
    return lake.derived_per_version(_VALUES, lambda values: _build(lake, values), "map_index")


def _build(lake: Any, values: pl.DataFrame) -> MapIndex | None:  # noqa: ANN401
    row = values.row(0, named=True) if values.height else {}
    lists: dict[str, list[str]] = {c: row.get(c) or [] for c in CODED}
    if any(len(v) >= 65535 for v in lists.values()):
        return None
    codes = ", ".join(
        f"(CASE WHEN {c} IS NULL THEN 0 ELSE list_position(${c}::VARCHAR[], {c}) END)"
        f"::{'UTINYINT' if len(lists[c]) < 255 else 'USMALLINT'} AS {c}" for c in CODED)
    # received_at NULL never falls in a period; is_valid NULL is not valid (the map's statement says the same)
    # whole seconds by integer division (a report before 1970 is -1: no index, the statements answer)
    frame = lake.sql("SELECT CASE WHEN epoch_us(received_at) < 0 THEN -1 ELSE epoch_us(received_at) // 1000000 END "
                     f"AS t, lat IS NOT NULL AND lon IS NOT NULL AS located, {codes} "
                     "FROM silver.reports WHERE is_valid AND received_at IS NOT NULL ORDER BY received_at", lists)
    if any(frame[c].null_count() for c in CODED) or (frame.height and not 0 <= frame["t"].min() <= frame["t"].max()
                                                        < _TOP):
        return None
    return MapIndex(frame["t"].cast(pl.UInt32).to_numpy(), frame["located"].to_numpy(),
                    {c: frame[c].to_numpy() for c in CODED},
                    {c: {v: i + 1 for i, v in enumerate(lists[c])} for c in CODED})


def _second(ts: dt.datetime) -> int:
    return (ts - _EPOCH) // dt.timedelta(seconds=1)


# The map statement's columns (views.reports_map), in its order.
MAP_COLUMNS = ("report_id", "received_at", "lat", "lon", "status", "category_code", "channel",
               "admin_unit_code_2025", "deadline_at", "extension_granted_at", "extended_deadline_at", "resolved_at")
# the inputs of core.kpis.classify_reports, for every report the map can show
_INPUTS = ("SELECT received_at, deadline_at, extension_granted_at, extended_deadline_at, resolved_at, status "
           "FROM silver.reports WHERE is_valid AND received_at IS NOT NULL")
# later than any reference moment: a report that can ever be open overdue is open overdue then
_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)
OVERDUE_KEPT_MAX = 250_000  # reports (some 30 MB); beyond, the statements answer


@dataclass(frozen=True)
class OverdueRows:
    # MAP_COLUMNS of every valid report that is overdue at some reference moment, with _late (closed late
    # without extension: overdue at every moment) and _due (open: its deadline in force, overdue once past it)
    rows: pl.DataFrame

    def select(self, f: Filters, located: bool, statuses: tuple[str, ...], categories: tuple[str, ...],
               channels: tuple[str, ...], at: dt.datetime) -> pl.DataFrame:
        """MAP_COLUMNS of the reports the map's statement filters pass that may be overdue at ``at`` (a
        superset of those that are: the caller flags them), newest first as the statement orders them."""
        r = self.rows
        cond = (pl.col("received_at") >= _instant(f.start_ts)) & (pl.col("received_at") < _instant(f.end_ts))
        cond &= (pl.col("lat").is_not_null() & pl.col("lon").is_not_null()) if located else \
            (pl.col("lat").is_null() | pl.col("lon").is_null())
        for col, picked in zip(CODED, (statuses, categories, channels, f.areas), strict=True):
            if picked:  # a null value never passes (is_in gives null)
                cond &= pl.col(col).is_in(list(picked))
        cond &= pl.col("_late") | (pl.col("_due") < _instant(at))  # classify's comparison: at > deadline in force
        return r.filter(cond).sort(["received_at", "report_id"], descending=[True, False], nulls_last=True) \
            .select(MAP_COLUMNS)


def overdue_rows(lake: Any) -> OverdueRows | None:  # noqa: ANN401 - a Lake (the caller checked it keeps results)
    """The reports that can be overdue, found once per version by ``core.kpis.classify_reports`` itself;
    None when there are more than OVERDUE_KEPT_MAX or the table moved between the two statements."""
    return lake.derived_per_version(_INPUTS, lambda inputs: _build_overdue(lake, inputs), "map_overdue")


def _can_be_overdue(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows classify_reports calls overdue at some moment: closed late without extension (at every moment),
    or open overdue at _FAR (open overdue at ``at`` implies it at any later moment), with their deadline in force."""
    return kpis.classify_reports(frame, _FAR).filter(pl.col("overdue_closed") | pl.col("open_overdue")).with_columns(
        _late=pl.col("overdue_closed"),
        _due=pl.when(pl.col("open_overdue")).then(kpis.deadline_in_force()).cast(pl.Datetime("us", "UTC")),
    ).collect()


def _build_overdue(lake: Any, inputs: pl.DataFrame) -> OverdueRows | None:  # noqa: ANN401
    found = _can_be_overdue(inputs)
    if found.height > OVERDUE_KEPT_MAX:
        return None
    instants = found["received_at"].unique().to_list()
    # the map's columns of those reports, by their receipt instants (a report sharing one is dropped again by
    # classifying the fetched rows: the kept rows are flagged from their own columns)
    wide = lake.sql(f"SELECT {', '.join(MAP_COLUMNS)} FROM silver.reports WHERE is_valid AND received_at IS NOT NULL"
                    f" AND {'received_at = ANY($ts::TIMESTAMPTZ[])' if instants else 'false'}",
                    {"ts": instants} if instants else None)
    rows = _can_be_overdue(wide).select([*MAP_COLUMNS, "_late", "_due"])
    return OverdueRows(rows) if rows.height == found.height else None  # else: the table moved meanwhile


def _instant(ts: dt.datetime) -> pl.Expr:
    return pl.lit(ts).cast(pl.Datetime("us", "UTC"))
