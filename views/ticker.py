"""The newest events of every live source in one list (the wall's ticker): camera violations, gauge readings
and citizen reports, newest first. No personal data: codes, places and figures only (no plates, names, phones
or free text)."""

from __future__ import annotations

import polars as pl

from lake import Lake

TABLES = ("silver.violations", "silver.gauge_readings", "silver.gauge_stations", "silver.reports",
          "silver.categories", "silver.admin_units")
SCHEMA = {"event_at": pl.Datetime("us", "UTC"), "kind": pl.String, "subject": pl.String, "code": pl.String,
          "value": pl.Float64, "source": pl.String}


def newest_events(lake: Lake, limit: int = 10) -> pl.DataFrame:
    """event_at, kind (violation | reading | report), subject (camera, station or category), code (violation type,
    alarm level or area name), value (water level), source; at most ``limit`` rows, newest first."""
    return lake.sql("""
        WITH v AS (SELECT detected_at AS event_at, 'violation' AS kind, camera_id AS subject, violation_type AS code,
                          NULL::DOUBLE AS value, source
                   FROM silver.violations WHERE detected_at IS NOT NULL ORDER BY detected_at DESC LIMIT $limit),
             g AS (SELECT r.observed_at AS event_at, 'reading' AS kind, coalesce(s.name, r.station_code) AS subject,
                          CAST(r.alarm_level AS VARCHAR) AS code, r.water_level_m AS value, r.source
                   FROM silver.gauge_readings r LEFT JOIN silver.gauge_stations s USING (station_code)
                   WHERE r.water_level_m IS NOT NULL ORDER BY r.observed_at DESC LIMIT $limit),
             p AS (SELECT r.received_at AS event_at, 'report' AS kind, coalesce(c.name_vi, r.category_code) AS subject,
                          coalesce(a.name, r.admin_unit_code_2025) AS code, NULL::DOUBLE AS value, r.source
                   FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
                   LEFT JOIN silver.admin_units a ON a.admin_unit_code = r.admin_unit_code_2025
                   WHERE r.is_valid ORDER BY r.received_at DESC LIMIT $limit)
        SELECT * FROM (SELECT * FROM v UNION ALL SELECT * FROM g UNION ALL SELECT * FROM p)
        ORDER BY event_at DESC, kind, subject LIMIT $limit""", {"limit": limit}).cast(SCHEMA)
