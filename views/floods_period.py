"""Disasters over a period [start, end) (the monthly report's sections): gauge peaks, SOS requests by
status and hotline calls by direction. The warnings of a period are ``views.warnings.of_period``."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake


def gauge_peaks(lake: Lake, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """Per gauge: how many readings, the highest level and when, the highest alarm level reached and
    the bulletin at the peak."""
    return lake.sql("""
        SELECT r.station_code, any_value(coalesce(s.name, r.station_code)) AS name, count(*) AS readings,
               max(r.water_level_m) AS peak_level_m, arg_max(r.observed_at, r.water_level_m) AS peak_at,
               max(r.alarm_level) AS max_alarm_level, arg_max(r.bulletin_vi, r.water_level_m) AS bulletin_vi
        FROM silver.gauge_readings r LEFT JOIN silver.gauge_stations s USING (station_code)
        WHERE r.observed_at >= $t0 AND r.observed_at < $t1
        GROUP BY 1 ORDER BY max_alarm_level DESC NULLS LAST, peak_level_m DESC""", {"t0": start, "t1": end})


def sos_by_status(lake: Lake, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    return lake.sql("""
        SELECT status, count(*) AS requests, coalesce(sum(people), 0)::BIGINT AS people
        FROM silver.sos_requests WHERE requested_at >= $t0 AND requested_at < $t1
        GROUP BY 1 ORDER BY 2 DESC""", {"t0": start, "t1": end})


def hotline_by_direction(lake: Lake, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    return lake.sql("""
        SELECT direction, count(*) AS calls, coalesce(sum(duration_s), 0)::BIGINT AS seconds
        FROM silver.hotline_calls WHERE started_at >= $t0 AND started_at < $t1
        GROUP BY 1 ORDER BY 1""", {"t0": start, "t1": end})
