"""The newest reports of the areas (a live ticker, not limited to the period), the data clock and the
reports by source: what the data is and how fresh."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.filters import AREA_SQL
from views.sql import query

# how far back from the newest report the newest-N look first (then widen): a live ticker's rows are recent,
# and a filter on received_at lets DuckDB skip every older row group of silver.reports by its statistics
_WINDOWS = (dt.timedelta(days=3), dt.timedelta(days=60))


def newest_reports(lake: Lake, areas: tuple[str, ...] = (), limit: int = 10) -> pl.DataFrame:
    """The newest valid reports of the areas (all when none), newest first.

    Looked for among the reports of the last days before the newest one first: when that window holds
    ``limit`` of them they are the newest of all (every report left out is older than each of them); else
    a wider window, else every report."""
    params = {"no_area": not areas, "areas": list(areas), "limit": limit}
    newest = lake.sql_per_version("SELECT max(received_at) t FROM silver.reports")["t"][0]
    for window in (*_WINDOWS, None) if newest is not None else (None,):
        since = "" if window is None else "AND received_at >= $since"
        params["since"] = None if window is None else newest - window
        got = query(lake, f"""
            WITH r AS (SELECT report_id, received_at, category_code, admin_unit_code_2025, status, channel
                       FROM silver.reports
                       WHERE is_valid {since} AND {AREA_SQL.format(col="admin_unit_code_2025")}
                       ORDER BY received_at DESC, report_id LIMIT $limit)
            SELECT r.report_id, r.received_at, r.category_code,
                   coalesce(c.name_vi, r.category_code) category_vi,
                   coalesce(c.name_en, c.name_vi, r.category_code) category_en,
                   coalesce(a.name, r.admin_unit_code_2025) area, r.status, r.channel
            FROM r LEFT JOIN silver.categories c USING (category_code)
            LEFT JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code_2025
            ORDER BY r.received_at DESC, r.report_id""", params)
        if window is None or got.height >= limit:
            return got
    raise AssertionError("unreachable: the last window is every report")


def data_clock(lake: Lake) -> dt.datetime | None:
    """The moment the lake's figures describe (when "open overdue" was judged): the gold as_of stamp,
    else the newest report update."""
    # kept per Delta version: it changes only with the data
    row = lake.sql_per_version("SELECT max(as_of) t FROM gold.unit_performance")
    if row.height and row["t"][0] is not None:
        return row["t"][0]
    row = lake.sql_per_version("SELECT max(updated_at) t FROM silver.reports")
    return row["t"][0] if row.height else None


def report_sources(lake: Lake) -> dict[str, int]:
    """Reports in silver by source (simulated, open311, ...): a report states where its data came from."""
    got = query(lake, "SELECT source, count(*) AS n FROM silver.reports GROUP BY 1 ORDER BY 1")
    return {r["source"]: int(r["n"]) for r in got.iter_rows(named=True)}
