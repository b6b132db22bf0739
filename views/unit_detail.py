"""One unit's drill-down for a period: its monthly trend, categories, open reports and transfers."""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from lake import Lake
from views.filters import AREA_SQL, Filters
from views.overdue import flag_reports
from views.sql import query


def unit_trend(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    """The unit's months touched by the period, as gold.unit_performance scored them (whole months).

    Read from the table kept per Delta version (a few thousand rows even at 5 M reports), sorted by unit and
    month: the unit's months are a slice found by bisection, where a statement would scan the table. An
    engine that keeps nothing gets the statement (a range on the table's sort key, which prunes)."""
    months = f.period.months
    if not getattr(lake, "keeps_results", False):
        return query(lake, """
            SELECT month, received, processed, on_time, open_overdue, score, on_time_rate, satisfaction_rate
            FROM gold.unit_performance WHERE unit_id = $unit AND month BETWEEN $m0 AND $m1
            ORDER BY month""", {"unit": unit_id, "m0": months[0], "m1": months[-1]})
    table, where = lake.derived_per_version(_TREND, _by_unit, "unit_trend")
    first, _, keys = where.get(unit_id, (0, 0, []))
    lo, hi = bisect.bisect_left(keys, months[0]), bisect.bisect_right(keys, months[-1])
    return table.slice(first + lo, max(0, hi - lo))


_TREND = ("SELECT unit_id, month, received, processed, on_time, open_overdue, score, on_time_rate, "
          "satisfaction_rate FROM gold.unit_performance WHERE unit_id IS NOT NULL AND month IS NOT NULL "
          "ORDER BY unit_id, month")


def _by_unit(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, tuple[int, int, list[str]]]]:
    """``frame`` (sorted by unit_id, month) without unit_id, and per unit (first row, end row, its months)."""
    months = frame["month"].to_list()
    return frame.drop("unit_id"), {u: (i, j, months[i:j]) for u, (i, j) in _runs(frame["unit_id"]).items()}


def _with_unit_runs(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[Any, tuple[int, int]]]:
    """``frame`` (sorted by its first column, a unit id) and each unit's first and end row."""
    return frame, _runs(frame[frame.columns[0]])


def _runs(column: pl.Series) -> dict[Any, tuple[int, int]]:
    """Per value of a sorted column, its first and end row."""
    rle = column.rle().struct.unnest()
    ends = rle["len"].cum_sum().to_list()
    return {v: (e - n, e) for v, n, e in zip(rle["value"].to_list(), rle["len"].to_list(), ends, strict=True)}


def unit_categories(lake: Lake, unit_id: str, f: Filters) -> pl.DataFrame:
    """The unit's reports of the period and areas by category (from gold.kpi_daily, like the ranking).

    gold.kpi_daily is sorted by day, so a statement on one unit scans every day of the period (all time: the
    whole table). Instead the period's whole months come from the table summed per unit, month, area and
    category, kept per Delta version (the unit's rows a slice), and only its partial months at either end
    from a statement over those days; an engine that keeps nothing gets the one statement."""
    params = f.params() | {"unit": unit_id}
    if not getattr(lake, "keeps_results", False):
        return query(lake, f"""
            SELECT coalesce(c.name_vi, k.category_code) name_vi,
                   coalesce(c.name_en, c.name_vi, k.category_code) name_en,
                   sum(k.received)::BIGINT received, sum(k.processed)::BIGINT processed
            FROM gold.kpi_daily k LEFT JOIN silver.categories c USING (category_code)
            WHERE k.unit_id = $unit AND k.date BETWEEN $start AND $end
              AND {AREA_SQL.format(col="k.admin_unit_code_2025")}
            GROUP BY ALL HAVING sum(k.received) > 0 ORDER BY received DESC, name_vi""", params)
    months, edges = _whole_months(f.start, f.end)
    parts = []
    if months:
        kept, runs = lake.derived_per_version(_MONTHLY, _with_unit_runs, "unit_categories")
        first, end = runs.get(unit_id, (0, 0))
        mine = kept.slice(first, end - first).filter(pl.col("month").is_between(*months))
        if f.areas:
            mine = mine.filter(pl.col("admin_unit_code_2025").is_in(list(f.areas)))
        parts.append(mine.select(_SUMS))
    if edges:
        (a0, a1), (b0, b1) = edges[0], edges[-1]
        parts.append(query(lake, f"""
            SELECT {_SUMMED} FROM gold.kpi_daily k
            WHERE k.unit_id = $unit AND (k.date BETWEEN $a0 AND $a1 OR k.date BETWEEN $b0 AND $b1)
              AND {AREA_SQL.format(col="k.admin_unit_code_2025")} GROUP BY k.category_code""",
                           params | {"a0": a0, "a1": a1, "b0": b0, "b1": b1}).select(_SUMS))
    names = lake.sql_per_version("SELECT category_code, name_vi, name_en FROM silver.categories")
    code = pl.col("category_code")

    def total(col: str) -> pl.Expr:  # SQL's sum: nulls skipped, NULL when every value is
        return pl.when(pl.col(f"n_{col}").sum() > 0).then(pl.col(col).sum()).cast(pl.Int64).alias(col)

    return (pl.concat(parts).join(names, on="category_code", how="left")
            .select(pl.coalesce(pl.col("name_vi"), code).alias("name_vi"),
                    pl.coalesce(pl.col("name_en"), pl.col("name_vi"), code).alias("name_en"), *_SUMS[1:])
            .group_by("name_vi", "name_en").agg(total("received"), total("processed"))
            .filter(pl.col("received") > 0)
            .sort(["received", "name_vi"], descending=[True, False], nulls_last=True))


# per category, its sums and how many values were summed (SQL's sum of no value is NULL, not 0)
_SUMMED = ("k.category_code, sum(k.received)::BIGINT received, count(k.received) n_received, "
           "sum(k.processed)::BIGINT processed, count(k.processed) n_processed")
_SUMS = ("category_code", "received", "n_received", "processed", "n_processed")
_MONTHLY = (f"SELECT k.unit_id, CAST(date_trunc('month', k.date) AS DATE) AS month, k.admin_unit_code_2025, {_SUMMED} "
            "FROM gold.kpi_daily k WHERE k.unit_id IS NOT NULL AND k.date IS NOT NULL "
            "GROUP BY ALL ORDER BY k.unit_id, month")


def _whole_months(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """(first and last whole month of [start, end], as their first days; None when none), and the days of
    the period outside them (at most two ranges)."""
    first = start if start.day == 1 else _next_month(start)
    after = end + dt.timedelta(days=1)
    stop = after if after.day == 1 else after.replace(day=1)  # the first day after the last whole month
    if first >= stop:
        return None, [(start, end)]
    edges = [r for r in ((start, first - dt.timedelta(days=1)), (stop, end)) if r[0] <= r[1]]
    return (first, (stop - dt.timedelta(days=1)).replace(day=1)), edges


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def unit_open_reports(lake: Lake, unit_id: str, f: Filters, at: dt.datetime | None,
                      limit: int = 500) -> pl.DataFrame:
    """Reports the unit still holds (received in the period), open overdue first (judged at ``at``).

    The open valid reports of every unit (a few % of all reports) are kept per Delta version, sorted by unit
    and receipt: the unit's are a slice, filtered here by period and areas, where a statement would scan
    silver.reports (all of it for all time). An engine that keeps nothing gets the statement."""
    if getattr(lake, "keeps_results", False):
        kept, runs = lake.derived_per_version(_OPEN, _with_unit_runs, "unit_open_reports")
        first, end = runs.get(unit_id, (0, 0))
        mine = kept.slice(first, end - first).filter(
            pl.col("received_at") >= f.start_ts.astimezone(dt.UTC), pl.col("received_at") < f.end_ts.astimezone(dt.UTC))
        if f.areas:
            mine = mine.filter(pl.col("admin_unit_code_2025").is_in(list(f.areas)))
        frame = mine.drop("current_unit_id", "admin_unit_code_2025")
    else:
        frame = query(lake, f"""
            SELECT {_OPEN_COLUMNS}
            FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
            WHERE r.current_unit_id = $unit AND r.is_valid AND r.resolved_at IS NULL
              AND r.received_at >= $start_ts AND r.received_at < $end_ts
              AND {AREA_SQL.format(col="r.admin_unit_code_2025")}""", f.params() | {"unit": unit_id})
    # report_id is unique: the order is the same whatever order the rows came in
    return flag_reports(frame, at).sort(["open_overdue", "deadline_at", "report_id"],
                                        descending=[True, False, False], nulls_last=True).head(limit)


_OPEN_COLUMNS = ("r.report_id, r.received_at, coalesce(c.name_vi, r.category_code) category_vi, "
                 "coalesce(c.name_en, c.name_vi, r.category_code) category_en, r.status, r.deadline_at, "
                 "r.extension_granted_at, r.extended_deadline_at, r.resolved_at")
_OPEN = (f"SELECT r.current_unit_id, r.admin_unit_code_2025, {_OPEN_COLUMNS} "
         "FROM silver.reports r LEFT JOIN silver.categories c USING (category_code) "
         "WHERE r.is_valid AND r.resolved_at IS NULL AND r.current_unit_id IS NOT NULL "
         "AND r.received_at IS NOT NULL ORDER BY r.current_unit_id, r.received_at")


def unit_transfers(lake: Lake, unit_id: str, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Transfers in the period: (into the unit by sender, out of the unit by receiver), from
    gold.unit_transfers (per day) rather than the events table.

    Read from the table kept per Delta version twice, sorted by receiver then day and by sender then day:
    the unit's days of the period are a slice found by bisection, where a statement would scan the table.
    An engine that keeps nothing gets the statement."""
    if not getattr(lake, "keeps_results", False):
        return _transfer_sides(lake, unit_id, f)
    names = lake.derived_per_version("SELECT unit_id, name FROM silver.units", _names, "unit_names")
    into, away = (_transfer_side(lake.derived_per_version(_TRANSFERS.format(me=me, other=other), _by_day,
                                                          f"unit_transfers {me}"), unit_id, f, names)
                  for me, other in (("to_unit_id", "from_unit_id"), ("from_unit_id", "to_unit_id")))
    return into, away


_TRANSFERS = ("SELECT {me} AS unit_id, date, {other} AS other_id, transfers FROM gold.unit_transfers "
              "WHERE {me} IS NOT NULL AND date IS NOT NULL ORDER BY {me}, date")
_TRANSFER_SCHEMA = {"other_id": pl.Utf8, "other_name": pl.Utf8, "transfers": pl.Int64}


def _transfer_side(kept: tuple[pl.DataFrame, np.ndarray, dict[str, tuple[int, int]]], unit_id: str, f: Filters,
                   names: dict[str, str | None]) -> pl.DataFrame:
    """The unit's transfers of the period summed by the other unit, most first (then by id, none last)."""
    frame, days, where = kept
    first, end = where.get(unit_id, (0, 0))
    lo = first + int(np.searchsorted(days[first:end], np.datetime64(f.start, "D"), side="left"))
    hi = first + int(np.searchsorted(days[first:end], np.datetime64(f.end, "D"), side="right"))
    sums: dict[str | None, int | None] = {}
    for other, n in frame.slice(lo, hi - lo).select("other_id", "transfers").iter_rows():
        # SQL's sum: nulls skipped, NULL when every value is
        sums[other] = n if sums.get(other) is None else (sums[other] if n is None else sums[other] + n)
    rows = sorted(sums.items(), key=lambda r: (r[1] is None, -(r[1] or 0), r[0] is None, r[0] or ""))
    return pl.DataFrame([(o, o if names.get(o) is None else names[o], n) for o, n in rows],
                        schema=_TRANSFER_SCHEMA, orient="row")


def _transfer_sides(lake: Lake, unit_id: str, f: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both sides in one statement (each statement costs a plan): ``inward`` tells them apart."""
    got = query(lake, """
        WITH e AS (SELECT true AS inward, from_unit_id AS other_id, transfers FROM gold.unit_transfers
                   WHERE to_unit_id = $unit AND date >= $start AND date <= $end
                   UNION ALL
                   SELECT false, to_unit_id, transfers FROM gold.unit_transfers
                   WHERE from_unit_id = $unit AND date >= $start AND date <= $end)
        SELECT e.inward, e.other_id, coalesce(any_value(u.name), e.other_id) other_name,
               sum(e.transfers)::BIGINT transfers
        FROM e LEFT JOIN silver.units u ON u.unit_id = e.other_id
        GROUP BY e.inward, e.other_id""", {"unit": unit_id, "start": f.start, "end": f.end})

    def side(inward: bool) -> pl.DataFrame:
        return (got.filter(pl.col("inward") == inward).drop("inward")
                .sort(["transfers", "other_id"], descending=[True, False], nulls_last=True))

    return side(True), side(False)


def _by_day(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray, dict[str, tuple[int, int]]]:
    """The kept transfers (sorted by unit then day, in one chunk: a slice of many chunks costs per chunk), their
    days as numpy and each unit's rows. Kept as polars columns, not Python lists (hundreds of MB at 5 M)."""
    whole = frame.select("unit_id", "date", "other_id", "transfers").rechunk()
    return whole, whole["date"].to_numpy().astype("datetime64[D]"), _runs(whole["unit_id"])


def _names(frame: pl.DataFrame) -> dict[str, str | None]:
    return dict(zip(frame["unit_id"].to_list(), frame["name"].to_list(), strict=True))


def unit_info(lake: Lake, unit_id: str) -> dict | None:
    """The unit's row of silver.units, None when unknown."""
    got = query(lake, "SELECT unit_id, name, unit_type, sector, admin_unit_code, joined_on FROM silver.units "
                      "WHERE unit_id = $u", {"u": unit_id})
    return None if got.is_empty() else got.row(0, named=True)
