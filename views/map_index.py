"""The reports map's index, kept per Delta version of silver.reports: for every valid report its receipt
instant, whether it has a location, and its status, category, channel and 2025 commune as small integer
codes, sorted by receipt.

Why: the map's count and its newest N of a period were statements scanning silver.reports (all of it for
all time: 446 ms at 5 M reports). On the index a period is a slice found by bisection and the filters are
code look-ups, so the count is a sum and the newest N's cut-off second an index; the wide columns of those
N rows are then read by a statement bounded to their seconds, which skips the older row groups by their
statistics. Codes, not text, and whole seconds: 5 M rows of four text columns would hold some 300 MB in
the dashboard server, these about 55 MB (11 bytes a report)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

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

