"""The Open311 intake as a screen shows it: per source system, how many requests are mapped, how many wait in
the unmapped bucket, how many were rejected, and what to map next."""

from __future__ import annotations

import polars as pl

from lake import Lake

REQUESTS = "silver.open311_requests"
COUNTS_SCHEMA = {"jurisdiction": pl.String, "requests": pl.Int64, "mapped": pl.Int64, "unmapped": pl.Int64,
                 "rejected": pl.Int64, "outside_hue": pl.Int64, "to_reports": pl.Int64, "services": pl.Int64}


def intake_counts(lake: Lake, jurisdiction: str | None = None) -> pl.DataFrame:
    """One row per jurisdiction: requests kept (mapped + unmapped), rejected, outside Huế, handed to the
    reports, services listed. ``jurisdiction`` narrows to one."""
    if not lake.exists(REQUESTS):
        return pl.DataFrame(schema=COUNTS_SCHEMA)
    rejects = "silver.rejects" if lake.exists("silver.rejects") else None
    services = "silver.open311_services" if lake.exists("silver.open311_services") else None
    rej_sql = (f"SELECT substr(source, 9) AS jurisdiction, count(*) AS n FROM {rejects} "
               "WHERE source LIKE 'open311:%' AND target_table = 'silver.open311_requests' GROUP BY 1"
               if rejects else "SELECT NULL::VARCHAR AS jurisdiction, 0::BIGINT AS n WHERE false")
    svc_sql = (f"SELECT jurisdiction, count(*) AS n FROM {services} GROUP BY 1" if services
               else "SELECT NULL::VARCHAR AS jurisdiction, 0::BIGINT AS n WHERE false")
    out = lake.sql(f"""
        WITH r AS (
            SELECT jurisdiction, count(*) AS requests,
                   count(*) FILTER (WHERE mapping = 'mapped') AS mapped,
                   count(*) FILTER (WHERE mapping = 'unmapped') AS unmapped,
                   count(*) FILTER (WHERE outside_hue) AS outside_hue,
                   count(*) FILTER (WHERE to_reports) AS to_reports
            FROM {REQUESTS} GROUP BY 1),
        j AS (SELECT jurisdiction FROM r UNION SELECT jurisdiction FROM ({rej_sql})
              UNION SELECT jurisdiction FROM ({svc_sql}))
        SELECT j.jurisdiction, coalesce(r.requests, 0) AS requests, coalesce(r.mapped, 0) AS mapped,
               coalesce(r.unmapped, 0) AS unmapped, coalesce(x.n, 0) AS rejected,
               coalesce(r.outside_hue, 0) AS outside_hue, coalesce(r.to_reports, 0) AS to_reports,
               coalesce(s.n, 0) AS services
        FROM j LEFT JOIN r USING (jurisdiction) LEFT JOIN ({rej_sql}) x USING (jurisdiction)
             LEFT JOIN ({svc_sql}) s USING (jurisdiction)
        WHERE $j IS NULL OR j.jurisdiction = $j
        ORDER BY j.jurisdiction""", {"j": jurisdiction})
    return out.cast(COUNTS_SCHEMA)  # type: ignore[arg-type]


def unmapped_bucket(lake: Lake, jurisdiction: str | None = None, limit: int = 20) -> pl.DataFrame:
    """What to map next: the unmapped (service, agency) pairs, most requests first."""
    schema = {"jurisdiction": pl.String, "service_code": pl.String, "service_name": pl.String,
              "agency": pl.String, "unmapped_reason": pl.String, "requests": pl.Int64}
    if not lake.exists(REQUESTS):
        return pl.DataFrame(schema=schema)
    return lake.sql(f"""
        SELECT jurisdiction, service_code, service_name, agency, unmapped_reason, count(*) AS requests
        FROM {REQUESTS}
        WHERE mapping = 'unmapped' AND ($j IS NULL OR jurisdiction = $j)
        GROUP BY ALL ORDER BY requests DESC, jurisdiction, service_name, agency LIMIT $n""",
                    {"j": jurisdiction, "n": limit}).cast(schema)  # type: ignore[arg-type]
