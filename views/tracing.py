"""Police tracing requests answered with camera footage (silver.tracing_requests, simulated)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.tz import VN_TZ_NAME
from lake import Lake
from views.sql import query


def tracing_cases(lake: Lake, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any] | None:
    """Requests received in the period, those answered with footage found, median hours to answer;
    None without tracing data."""
    if not lake.exists("silver.tracing_requests"):
        return None
    day = f"CAST(timezone('{VN_TZ_NAME}', requested_at) AS DATE)"
    row = query(lake, f"""
        SELECT count(*)::BIGINT AS requests, count(*) FILTER (WHERE footage_found)::BIGINT AS answered_with_footage,
               median(date_diff('second', requested_at, answered_at) / 3600.0) AS median_hours_to_answer
        FROM silver.tracing_requests
        WHERE ($start IS NULL OR {day} >= $start) AND ($end IS NULL OR {day} <= $end)""",
                {"start": start, "end": end}).row(0, named=True)
    return row
