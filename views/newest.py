"""The newest reports of the areas (a live ticker, not limited to the period), the data clock and the
reports by source: what the data is and how fresh."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.filters import AREA_SQL
from views.sql import query


def newest_reports(lake: Lake, areas: tuple[str, ...] = (), limit: int = 10) -> pl.DataFrame:
    """The newest valid reports of the areas (all when none), newest first."""
    params = {"no_area": not areas, "areas": list(areas), "limit": limit}
    return query(lake, f"""
        WITH r AS (SELECT report_id, received_at, category_code, admin_unit_code_2025, status, channel
                   FROM silver.reports
                   WHERE is_valid AND {AREA_SQL.format(col="admin_unit_code_2025")}
                   ORDER BY received_at DESC, report_id LIMIT $limit)
        SELECT r.report_id, r.received_at, r.category_code,
               coalesce(c.name_vi, r.category_code) category_vi,
               coalesce(c.name_en, c.name_vi, r.category_code) category_en,
               coalesce(a.name, r.admin_unit_code_2025) area, r.status, r.channel
        FROM r LEFT JOIN silver.categories c USING (category_code)
        LEFT JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code_2025
        ORDER BY r.received_at DESC, r.report_id""", params)


def data_clock(lake: Lake) -> dt.datetime | None:
    """The moment the lake's figures describe (when "open overdue" was judged): the gold as_of stamp,
    else the newest report update."""
    row = query(lake, "SELECT max(as_of) t FROM gold.unit_performance")
    if row.height and row["t"][0] is not None:
        return row["t"][0]
    row = query(lake, "SELECT max(updated_at) t FROM silver.reports")
    return row["t"][0] if row.height else None


def report_sources(lake: Lake) -> dict[str, int]:
    """Reports in silver by source (simulated, open311, ...): a report states where its data came from."""
    got = query(lake, "SELECT source, count(*) AS n FROM silver.reports GROUP BY 1 ORDER BY 1")
    return {r["source"]: int(r["n"]) for r in got.iter_rows(named=True)}
