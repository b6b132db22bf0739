"""Headline figures of a period and filters, from gold.kpi_daily (counts and rates as fractions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

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
    where, params = _where(start, end, admin_unit_codes, category_codes, channels, unit_ids)
    sums = ", ".join(f"coalesce(sum({k}), 0)::BIGINT AS {k}" for k in COUNT_KEYS)
    units_sql = "NULL::BIGINT"
    if not unit_ids:
        # the units in service at the period's end (each administrative era has its own units); one statement
        # with the sums (each statement costs DuckDB a plan); lakes built before the eras have no valid_to
        has_validity = "valid_to" in lake.sql_per_version("SELECT * FROM silver.units LIMIT 0").columns
        unit_where = "valid_to IS NULL" if has_validity else "1=1"
        if end is not None:
            unit_where = "joined_on <= $end" + (" AND (valid_to IS NULL OR valid_to >= $end)" if has_validity
                                                else "")
        units_sql = f"(SELECT count(*) FROM silver.units WHERE {unit_where})"
    row = lake.sql(f"SELECT {sums}, sum(hours_to_resolve_sum) AS hours, {units_sql} AS units "
                   f"FROM gold.kpi_daily WHERE {where}", params).row(0, named=True)
    counts = {k: int(row[k]) for k in COUNT_KEYS}
    if unit_ids:
        return {**counts, "invalid": None, **rates(counts), "units": None,
                "mean_hours_to_resolve": ratio(row["hours"], counts["processed"])}
    out: dict[str, Any] = {**counts, **rates(counts), "units": int(row["units"])}
    out["mean_hours_to_resolve"] = ratio(row["hours"], counts["processed"])
    return out
