"""Camera AI queries (silver.violations, silver.traffic_counts, silver.cameras, gold.violations_daily)."""

from __future__ import annotations

import polars as pl

from dashboards.data import has_table, sql, versioned
from dashboards.filters import Filters
from lake import Lake

VIOLATION_TABLES = ("silver.violations", "silver.cameras")


def available() -> bool:
    return all(has_table(t) for t in VIOLATION_TABLES)


@versioned("silver.violations")
def by_type(lake: Lake, f: Filters) -> pl.DataFrame:
    if not available():
        return pl.DataFrame()
    return sql(lake, """
        SELECT violation_type, count(*)::BIGINT n FROM silver.violations
        WHERE started_at >= $start_ts AND started_at < $end_ts GROUP BY 1 ORDER BY n DESC""",
               {"start_ts": f.start_ts, "end_ts": f.end_ts})
