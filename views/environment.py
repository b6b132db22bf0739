"""Environment reports and the fines levied after them (silver.reports + silver.environment_fines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.tz import VN_TZ_NAME
from lake import Lake
from views.sql import query


def environment_fines(lake: Lake, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any]:
    """Valid environment reports received in the period (Vietnam days), how many were fined and the fines
    (VND) levied after them."""
    if not lake.exists("silver.reports"):
        return {"reports": 0, "fined": 0, "fines_vnd": 0}
    where = ("r.is_valid AND r.category_code = 'environment' "
             f"AND ($start IS NULL OR CAST(timezone('{VN_TZ_NAME}', r.received_at) AS DATE) >= $start) "
             f"AND ($end IS NULL OR CAST(timezone('{VN_TZ_NAME}', r.received_at) AS DATE) <= $end)")
    has_fines = lake.exists("silver.environment_fines")
    join = "LEFT JOIN silver.environment_fines f ON f.report_id = r.report_id" if has_fines else ""
    fined = "count(f.report_id)" if has_fines else "0"
    total = "coalesce(sum(f.fine_vnd), 0)" if has_fines else "0"
    row = query(lake, f"""SELECT count(*)::BIGINT AS reports, {fined}::BIGINT AS fined, {total}::BIGINT AS fines_vnd
                          FROM silver.reports r {join} WHERE {where}""", {"start": start, "end": end}).row(0, named=True)
    return {k: int(v) for k, v in row.items()}
