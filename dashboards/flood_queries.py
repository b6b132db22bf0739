"""Flood map queries (disasters domain tables), all at a moment ``at`` so an event can be replayed."""

from __future__ import annotations

import datetime as dt

import polars as pl

from dashboards.data import has_table, sql, versioned
from lake import Lake

FLOOD_TABLES = ("silver.gauge_stations", "silver.gauge_readings")
STALE_AFTER = dt.timedelta(hours=6)  # a gauge silent this long before ``at`` is shown without a level


def available() -> bool:
    return all(has_table(t) for t in FLOOD_TABLES)


@versioned("silver.gauge_readings", "silver.gauge_stations")
def replay_bounds(lake: Lake) -> tuple[dt.datetime, dt.datetime, dt.datetime | None] | None:
    """First and last reading (the slider's range) and the moment Huế's gauges stood highest above
    their alarm levels (the slider's default), in one read; None without readings."""
    row = sql(lake, """
        SELECT min(r.observed_at) lo, max(r.observed_at) hi,
               arg_max(r.observed_at, (
                   CASE WHEN coalesce(s.in_hue, false) THEN coalesce(r.alarm_level, -1) ELSE -1 END,
                   CASE WHEN coalesce(s.in_hue, false) THEN coalesce(r.diff_m, -1e9) ELSE -1e9 END,
                   -epoch(r.observed_at))) FILTER (WHERE coalesce(s.in_hue, false)
                                                   AND r.alarm_level IS NOT NULL) peak
        FROM silver.gauge_readings r LEFT JOIN silver.gauge_stations s USING (station_code)
        WHERE r.water_level_m IS NOT NULL""")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0], row["peak"][0]
    return None


def reading_span(lake: Lake) -> tuple[dt.datetime, dt.datetime] | None:
    bounds = replay_bounds(lake)
    return None if bounds is None else (bounds[0], bounds[1])


@versioned("silver.gauge_stations", "silver.gauge_readings")
def gauges_at(lake: Lake, at: dt.datetime, hue_only: bool = True) -> pl.DataFrame:
    """Each river gauge with its latest reading at or before ``at`` (within STALE_AFTER)."""
    params = {"at": at, "since": at - STALE_AFTER, "hue_only": hue_only}
    return sql(lake, """
        WITH last AS (
            SELECT * FROM silver.gauge_readings
            WHERE observed_at <= $at AND observed_at > $since AND water_level_m IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY station_code ORDER BY observed_at DESC) = 1)
        SELECT s.station_code, s.name, s.river, s.lat, s.lon, s.alarm1_m, s.alarm2_m, s.alarm3_m,
               l.observed_at, l.water_level_m, l.alarm_level, l.ref_level, l.diff_m, l.bulletin_vi
        FROM silver.gauge_stations s LEFT JOIN last l USING (station_code)
        WHERE s.kind = 'river' AND s.lat IS NOT NULL AND (NOT $hue_only OR coalesce(s.in_hue, false))
        ORDER BY coalesce(l.alarm_level, -1) DESC, s.name""", params)


@versioned("silver.gauge_readings")
def hydrograph(lake: Lake, station_code: str, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    return sql(lake, """
        SELECT observed_at, water_level_m, alarm_level FROM silver.gauge_readings
        WHERE station_code = $code AND observed_at BETWEEN $start AND $end AND water_level_m IS NOT NULL
        ORDER BY observed_at""", {"code": station_code, "start": start, "end": end})


@versioned("silver.gauge_readings", "silver.gauge_stations", "silver.warnings", "silver.sos_requests",
           "silver.reports", "silver.cameras")
def map_layers(lake: Lake, at: dt.datetime) -> dict | None:
    """The disasters domain's ``flood_map_layers(lake, at)`` (gauges, warning areas, SOS, flood reports,
    flooded cameras), cached on the versions of the tables it reads; None when that module is absent."""
    try:
        from pipelines.disasters.flood_map import flood_map_layers
    except ImportError:
        return None
    return flood_map_layers(lake, at)


@versioned("silver.gauge_stations")
def station_levels(lake: Lake) -> pl.DataFrame:
    return sql(lake, "SELECT station_code, name, alarm1_m, alarm2_m, alarm3_m FROM silver.gauge_stations")
