"""Figures for the leadership report: warnings sent, SOS handled, hotline calls and flood peaks in a period.

>>> disaster_summary(lake, dt.date(2019, 5, 1), dt.date(2022, 5, 31))
{"period": {...}, "warnings": {"issued": 1808, ...}, "sos": {"requests": 703, ...},
 "hotline": {"in": 1919, "out": 488}, "gauges": [{"name": "Phú Ốc", "peak_level_m": 4.96, ...}]}

Dates are Vietnam local dates, both ends included. Pure queries through ``lake.sql``; a lake pinned
with ``lake.as_of(...)`` gives the figures as they stood then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.tz import VN_TZ
from lake import Lake


def _bounds(start: dt.date, end: dt.date) -> dict[str, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time(0), VN_TZ).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), VN_TZ).astimezone(dt.UTC)
    return {"lo": lo, "hi": hi}


def disaster_summary(lake: Lake, start: dt.date, end: dt.date) -> dict[str, Any]:
    p = _bounds(start, end)
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
    gauges = [{k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()}
              for row in g.iter_rows(named=True)]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "timezone": "GMT+7"},
        "warnings": {**w, "by_event_vi": dict(by_event.iter_rows())},
        "sos": {k: (round(v, 1) if isinstance(v, float) else v) for k, v in s.items()},
        "hotline": {"in": int(h.get("in", 0)), "out": int(h.get("out", 0))},
        "gauges": gauges,
        "lake_versions": lake.versions(["silver.warnings", "silver.sos_requests", "silver.hotline_calls",
                                        "silver.gauge_readings"]),
    }
