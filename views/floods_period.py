"""Disasters over a period: the monthly report's tables for [start, end) (gauge peaks, SOS requests by
status, hotline calls by direction; the warnings are ``views.warnings.of_period``) and
``disaster_summary`` of Vietnam days at a glance.

>>> disaster_summary(lake, dt.date(2019, 5, 1), dt.date(2022, 5, 31))
{"period": {...}, "warnings": {"issued": 1808, ...}, "sos": {"requests": 703, ...},
 "hotline": {"in": 1919, "out": 488}, "gauges": [{"name": "Phú Ốc", "peak_level_m": 4.96, ...}]}

Pure queries through ``lake.sql``; a lake pinned with ``lake.as_of(...)`` gives the figures as they
stood then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from core.tz import day_window
from lake import Lake
from views.floods import records


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


def disaster_summary(lake: Lake, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Warnings, SOS, hotline and Huế's gauge peaks of the Vietnam days ``start``..``end`` (both included)."""
    lo, hi = day_window(start, end)
    p = {"lo": lo, "hi": hi}
    w = lake.sql("""
        select count(*) filter (where direction = 'issued') issued,
               count(*) filter (where direction = 'issued' and source = 'simulated') issued_simulated,
               count(*) filter (where direction = 'issued' and source = 'ioc') issued_from_gauges,
               count(*) filter (where direction = 'received') received,
               count(*) filter (where direction = 'issued' and severity in ('Severe', 'Extreme')) severe_or_extreme
        from silver.warnings
        where sent >= $lo and sent < $hi and status = 'Actual'""", p).row(0, named=True)
    by_event = lake.sql("""
        select event, count(*) n from silver.warnings
        where direction = 'issued' and sent >= $lo and sent < $hi and status = 'Actual'
          and language = 'vi-VN' group by 1 order by n desc, event""", p)
    s = lake.sql("""
        select count(*) requests, coalesce(sum(people), 0)::bigint people,
               count(*) filter (where status = 'resolved') resolved,
               count(*) filter (where status = 'cancelled') cancelled,
               median(epoch(handled_at - requested_at) / 60.0) filter (where handled_at is not null)
                   median_minutes_to_handle,
               quantile_cont(epoch(handled_at - requested_at) / 60.0, 0.9) filter (where handled_at is not null)
                   p90_minutes_to_handle
        from silver.sos_requests where requested_at >= $lo and requested_at < $hi""", p).row(0, named=True)
    h = dict(lake.sql("""select direction, count(*) n from silver.hotline_calls
                         where started_at >= $lo and started_at < $hi group by 1""", p).iter_rows())
    g = lake.sql("""
        with r as (
            select r.*, s.name, s.alarm1_m, s.alarm2_m, s.alarm3_m, s.historic_level_m
            from silver.gauge_readings r join silver.gauge_stations s using (station_code)
            where s.in_hue and s.kind = 'river' and observed_at >= $lo and observed_at < $hi)
        select station_code, any_value(name) name, max(water_level_m) peak_level_m,
               arg_max(observed_at, water_level_m) peak_at, max(alarm_level) max_alarm_level,
               arg_max(bulletin_vi, water_level_m) peak_bulletin_vi, any_value(historic_level_m) historic_level_m,
               count(*) filter (where alarm_level >= 1) readings_above_1,
               count(*) filter (where alarm_level >= 3) readings_above_3
        from r group by station_code order by peak_level_m desc""", p)
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "timezone": "GMT+7"},
        "warnings": {**w, "by_event_vi": dict(by_event.iter_rows())},
        "sos": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in s.items()},
        "hotline": {"in": int(h.get("in", 0)), "out": int(h.get("out", 0))},
        "gauges": records(g),
        "lake_versions": lake.versions(["silver.warnings", "silver.sos_requests", "silver.hotline_calls",
                                        "silver.gauge_readings"]),
    }
