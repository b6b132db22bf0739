"""How often each camera is right, over time: per camera, violation type and week (Vietnam time) of the
violations' start, the officers' confirmed and dismissed decisions and precision = confirmed / (confirmed +
dismissed), null before any decision. What the review page charts and the monthly report prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from core.tz import VN_TZ_NAME
from lake import Lake

TABLES = ("silver.violations", "silver.cameras")
# The review outcomes and precision of a group of violations: written once, for this view and views.review.
OUTCOMES = """count(*) FILTER (WHERE v.review_status = 'confirmed')::BIGINT confirmed,
               count(*) FILTER (WHERE v.review_status = 'dismissed')::BIGINT dismissed,
               count(*) FILTER (WHERE coalesce(v.review_status, 'pending') = 'pending')::BIGINT pending,
               CAST(count(*) FILTER (WHERE v.review_status = 'confirmed') AS DOUBLE)
                 / nullif(count(*) FILTER (WHERE v.review_status IN ('confirmed', 'dismissed')), 0) "precision" """
VIOLATIONS = """FROM silver.violations v LEFT JOIN silver.cameras c USING (camera_id)
        WHERE coalesce(v.category, 'violation') = 'violation'"""
GRAINS = ("day", "week", "month")


def precision_over_time(lake: Lake, start: dt.datetime | None = None, end: dt.datetime | None = None,
                        cameras: Sequence[str] = (), grain: str = "week", by_type: bool = True) -> pl.DataFrame:
    """period (the first day of the day/week/month), camera_id, camera_name, violation_type (null with
    ``by_type=False``: all types together), confirmed, dismissed, pending, precision; violations (not
    incidents) started in [start, end) (all when not given)."""
    if grain not in GRAINS:
        raise ValueError(f"grain is one of {GRAINS}, not {grain!r}")
    return lake.sql(f"""
        SELECT CAST(date_trunc('{grain}', timezone('{VN_TZ_NAME}', v.start_at)) AS DATE) period, v.camera_id,
               coalesce(c.name, v.camera_id) camera_name,
               CASE WHEN $by_type THEN v.violation_type END violation_type,
               {OUTCOMES}
        {VIOLATIONS}
          AND ($start IS NULL OR v.start_at >= $start) AND ($end IS NULL OR v.start_at < $end)
          AND ($all_cams OR list_contains($cams::VARCHAR[], v.camera_id))
        GROUP BY ALL ORDER BY period, camera_name, violation_type""",
                    {"by_type": by_type, "start": start, "end": end, "all_cams": not cameras, "cams": list(cameras)})
