"""Headline figures of a period and filters, from gold.kpi_daily (counts and rates as fractions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from core.kpis import COUNT_KEYS, rates, ratio
from lake import Lake


def _where(start: dt.date | None, end: dt.date | None, admin_unit_codes: Sequence[str] | None,
           category_codes: Sequence[str] | None, channels: Sequence[str] | None,
           unit_ids: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    clauses, params = ["1=1"], {}
    if start is not None:
        clauses.append("date >= $start")
        params["start"] = start
    if end is not None:
        clauses.append("date <= $end")
        params["end"] = end
    if admin_unit_codes:
        clauses.append("list_contains($areas, admin_unit_code_2025)")
        params["areas"] = list(admin_unit_codes)
    if category_codes:
        clauses.append("list_contains($cats, category_code)")
        params["cats"] = list(category_codes)
    if channels:
        clauses.append("list_contains($channels, channel)")
        params["channels"] = list(channels)
    if unit_ids:
        clauses.append("list_contains($units, unit_id)")
        params["units"] = list(unit_ids)
    return " AND ".join(clauses), params


def headline(lake: Lake, start: dt.date | None = None, end: dt.date | None = None,
             admin_unit_codes: Sequence[str] | None = None, category_codes: Sequence[str] | None = None,
             channels: Sequence[str] | None = None, unit_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """Headline figures for a period and filters, from gold.kpi_daily (counts and rates as fractions).

    With ``unit_ids`` the figures are those units' (their row of ``views.ranking``); invalid reports and the
    network size are not figures of a unit and are None then."""
    if not (channels or unit_ids) and getattr(lake, "keeps_results", False):
        if admin_unit_codes or category_codes:
            return _areas_and_categories(lake, start, end, admin_unit_codes or (), category_codes or ())
        return _whole_network(lake, start, end)
    where, params = _where(start, end, admin_unit_codes, category_codes, channels, unit_ids)
    sums = ", ".join(f"coalesce(sum({k}), 0)::BIGINT AS {k}" for k in COUNT_KEYS)
    units_sql = "NULL::BIGINT"
    if not unit_ids:
        # the units in service at the period's end (each administrative era has its own units); one statement
        # with the sums (each statement costs DuckDB a plan)
        unit_where, unit_params = _units_where(lake, end)
        units_sql = f"(SELECT count(*) FROM silver.units WHERE {unit_where})"
        params |= unit_params
    row = lake.sql(f"SELECT {sums}, sum(hours_to_resolve_sum) AS hours, {units_sql} AS units "
                   f"FROM gold.kpi_daily WHERE {where}", params).row(0, named=True)
    counts = {k: int(row[k]) for k in COUNT_KEYS}
    if unit_ids:
        return {**counts, "invalid": None, **rates(counts), "units": None,
                "mean_hours_to_resolve": ratio(row["hours"], counts["processed"])}
    return _figures(counts, row["hours"], int(row["units"]))


def _units_where(lake: Lake, end: dt.date | None) -> tuple[str, dict[str, Any]]:
    # lakes built before the administrative eras have no valid_to
    has_validity = "valid_to" in lake.sql_per_version("SELECT * FROM silver.units LIMIT 0").columns
    if end is None:
        return ("valid_to IS NULL" if has_validity else "1=1"), {}
    return "joined_on <= $end" + (" AND (valid_to IS NULL OR valid_to >= $end)" if has_validity else ""), {
        "end": end}


def _figures(counts: dict[str, int], hours: float | None, units: int) -> dict[str, Any]:
    out: dict[str, Any] = {**counts, **rates(counts), "units": units}
    out["mean_hours_to_resolve"] = ratio(hours, counts["processed"])
    return out


def _day_slice(daily: dict[str, np.ndarray], start: dt.date | None, end: dt.date | None) -> slice:
    """The rows of per-day arrays (sorted by date, days without a date first) inside [start, end]: days
    without a date fall outside any bound, as in SQL."""
    lo = int((~daily["date_known"]).sum()) if start is None and end is not None else 0
    if start is not None:
        lo = int(np.searchsorted(daily["date"], np.datetime64(start, "D"), side="left"))
    hi = len(daily["date"]) if end is None else int(np.searchsorted(daily["date"], np.datetime64(end, "D"),
                                                                     side="right"))
    return slice(lo, hi)


def _summed(daily: dict[str, np.ndarray], rows: slice | np.ndarray) -> tuple[dict[str, int], float | None]:
    counts = {k: int(daily[k][rows].sum()) for k in COUNT_KEYS}
    hours_known = daily["hours_known"][rows]
    # SQL's sum over no value is NULL, not 0
    return counts, (float(daily["hours"][rows][hours_known].sum()) if hours_known.any() else None)


def _whole_network(lake: Lake, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """The headline without filters (every page's default) from per-day totals and the units' dates kept per
    Delta version (``lake.sql_per_version``), summed here with numpy: the plan of a DuckDB statement alone
    costs more than these sums (measured at the 3-year scale)."""
    daily = _columns(lake, "headline.daily", _DAILY)
    counts, hours = _summed(daily, _day_slice(daily, start, end))
    return _figures(counts, hours, _units_in_service(lake, end))


def _areas_and_categories(lake: Lake, start: dt.date | None, end: dt.date | None, areas: Sequence[str],
                          categories: Sequence[str]) -> dict[str, Any]:
    """The headline of some areas and/or categories from per-(day, area, category) totals kept per Delta
    version, the period a slice and the filters a mask: no statement to plan."""
    daily = _columns(lake, "headline.area_category", _DAY_AREA_CATEGORY)
    rows = _day_slice(daily, start, end)
    keep = np.ones(rows.stop - rows.start, dtype=bool)
    for col, wanted in (("area", areas), ("category_code", categories)):
        if wanted:  # a NULL area or category (code -1) matches no filter, as list_contains in SQL
            index = daily[f"{col}_index"]
            keep &= np.isin(daily[col][rows], [index[w] for w in wanted if w in index])
    counts, hours = _summed(daily, np.arange(rows.start, rows.stop)[keep])
    return _figures(counts, hours, _units_in_service(lake, end))


def _units_in_service(lake: Lake, end: dt.date | None) -> int:
    """How many units were in service at ``end`` (each administrative era has its own), from the units'
    dates kept per Delta version."""
    unit_where, params = _units_where(lake, end)
    if not params:
        return int(lake.sql_per_version(f"SELECT count(*) AS n FROM silver.units WHERE {unit_where}")["n"][0])
    # counted here; a NULL comparison counts no unit, as in SQL
    has_validity = "valid_to" in unit_where
    units = _columns(lake, "headline.units", "SELECT joined_on, valid_to FROM silver.units" if has_validity
                     else "SELECT joined_on FROM silver.units")
    day = np.datetime64(end, "D")
    inside = units["joined_on_known"] & (units["joined_on"] <= day)
    if has_validity:
        inside &= ~units["valid_to_known"] | (units["valid_to"] >= day)
    return int(inside.sum())


_DAILY = (f"SELECT date, {', '.join(f'coalesce(sum({k}), 0)::BIGINT AS {k}' for k in COUNT_KEYS)}, "
          "sum(hours_to_resolve_sum) AS hours FROM gold.kpi_daily GROUP BY date ORDER BY date NULLS FIRST")
# about 730 thousand rows at 5 M reports: a day's count of one area and category fits 32 bits (numpy sums
# them in 64), which halves what the dashboard server keeps
_DAY_AREA_CATEGORY = (
    f"SELECT date, admin_unit_code_2025 AS area, category_code, "
    f"{', '.join(f'coalesce(sum({k}), 0)::INTEGER AS {k}' for k in COUNT_KEYS)}, sum(hours_to_resolve_sum) AS hours "
    "FROM gold.kpi_daily GROUP BY ALL ORDER BY date NULLS FIRST")
def _columns(lake: Lake, kind: str, query: str) -> dict[str, np.ndarray]:
    """``frame``'s columns as numpy arrays (with ``<col>_known``: not null; text as integer codes with
    ``<col>_index``), made once per kept frame."""
    return lake.derived_per_version(query, _arrays, kind)


def _arrays(frame: pl.DataFrame) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for name in frame.columns:
        col = frame[name]
        arrays[f"{name}_known"] = col.is_not_null().to_numpy()
        if col.dtype == pl.Date:
            arrays[name] = col.fill_null(dt.date.min).to_numpy().astype("datetime64[D]")
        elif col.dtype == pl.Utf8:  # as codes (-1 for null), so a filter compares integers; made by polars,
            # not through a Python list of every value (at 5 M reports that list alone is tens of MB)
            codes = (col.rank("dense") - 1).fill_null(-1).cast(pl.Int32)
            pairs = pl.DataFrame({"v": col, "c": codes}).drop_nulls("v").unique("v")
            arrays[name] = codes.to_numpy()
            arrays[f"{name}_index"] = dict(pairs.iter_rows())  # type: ignore[assignment]
        else:
            arrays[name] = col.fill_null(0).to_numpy()
    return arrays
