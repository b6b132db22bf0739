"""How long reports take to be processed, and the cut since launch (the seed: 60-70 %).

Processing time = hours from receipt to resolution, for resolved valid reports, by month of receipt."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from core.tz import VN_TZ_NAME
from lake import Lake
from views.sql import query

LOCAL_DAY = f"CAST(timezone('{VN_TZ_NAME}', received_at) AS DATE)"
HOURS = "date_diff('second', received_at, resolved_at) / 3600.0"


def processing_time_monthly(lake: Lake) -> pl.DataFrame:
    """Median and p90 processing hours per month of receipt."""
    return query(lake, f"""
        SELECT date_trunc('month', {LOCAL_DAY})::DATE AS month, count(*)::BIGINT AS resolved,
               median({HOURS}) AS median_hours, quantile_cont({HOURS}, 0.9) AS p90_hours
        FROM silver.reports WHERE is_valid AND status = 'resolved' GROUP BY 1 ORDER BY 1""")


def _median(lake: Lake, start: dt.date, end: dt.date) -> float | None:
    return query(lake, f"""SELECT median({HOURS}) FROM silver.reports
                          WHERE is_valid AND status = 'resolved' AND {LOCAL_DAY} BETWEEN $start AND $end""",
                 {"start": start, "end": end}).item()


def processing_time_cut(lake: Lake, end: dt.date | None = None, months: int = 3) -> dict[str, Any]:
    """The median processing time of the first ``months`` months after launch (the first report) against
    that of the ``months`` months ending ``end`` (default: the last report), and the cut between them."""
    if not lake.exists("silver.reports"):
        return {"launch_median_hours": None, "recent_median_hours": None, "cut": None}
    bounds = query(lake, f"SELECT min({LOCAL_DAY}) lo, max({LOCAL_DAY}) hi FROM silver.reports WHERE is_valid")
    lo, hi = bounds["lo"][0], bounds["hi"][0]
    if lo is None:
        return {"launch_median_hours": None, "recent_median_hours": None, "cut": None}
    end = end or hi
    launch_end = (pl.Series([lo]).dt.offset_by(f"{months}mo")[0]) - dt.timedelta(days=1)
    recent_start = pl.Series([end]).dt.offset_by(f"-{months}mo")[0] + dt.timedelta(days=1)
    first, recent = _median(lake, lo, launch_end), _median(lake, recent_start, end)
    cut = None if not first or recent is None else 1 - recent / first
    return {"launch_start": lo, "launch_end": launch_end, "recent_start": recent_start, "recent_end": end,
            "launch_median_hours": first, "recent_median_hours": recent, "cut": cut}
