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


@versioned("silver.gauge_readings")
def reading_span(lake: Lake) -> tuple[dt.datetime, dt.datetime] | None:
    row = sql(lake, "SELECT min(observed_at) lo, max(observed_at) hi FROM silver.gauge_readings "
                    "WHERE water_level_m IS NOT NULL")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0]
    return None


@versioned("silver.gauge_readings", "silver.gauge_stations")
def peak_moment(lake: Lake) -> dt.datetime | None:
    """When Huế's gauges stood highest above their alarm levels (the default moment of the replay)."""
    row = sql(lake, """SELECT r.observed_at FROM silver.gauge_readings r JOIN silver.gauge_stations s USING (station_code)
                       WHERE r.alarm_level IS NOT NULL AND coalesce(s.in_hue, false)
                       ORDER BY r.alarm_level DESC, r.diff_m DESC NULLS LAST, r.observed_at LIMIT 1""")
    return row["observed_at"][0] if row.height else None


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


@versioned("silver.warnings")
def warnings_at(lake: Lake, at: dt.datetime) -> pl.DataFrame:
    """Warnings in force at ``at``: sent, not expired, not yet superseded or cancelled."""
    if not has_table("silver.warnings"):
        return pl.DataFrame()
    return sql(lake, """
        SELECT warning_id, sent, expires, headline, event, severity, area_desc, areas_geojson, alarm_level,
               station_code, direction, coalesce(sender_name, sender) sender
        FROM silver.warnings
        WHERE sent <= $at AND (expires IS NULL OR expires > $at)
          AND (superseded_at IS NULL OR superseded_at > $at)
          AND coalesce(msg_type, 'Alert') <> 'Cancel' AND coalesce(status, 'Actual') = 'Actual'
        ORDER BY sent DESC""", {"at": at})


@versioned("silver.sos_requests")
def sos_at(lake: Lake, at: dt.datetime, window: dt.timedelta = dt.timedelta(hours=24),
           personal: bool = False) -> pl.DataFrame:
    """SOS requests made in the ``window`` before ``at`` and not handled by then."""
    if not has_table("silver.sos_requests"):
        return pl.DataFrame()
    extra = ", note, handler" if personal else ""
    return sql(lake, f"""
        SELECT sos_id, requested_at, channel, place, lat, lon, people, needs, status, handled_at{extra}
        FROM silver.sos_requests
        WHERE requested_at <= $at AND requested_at > $since AND lat IS NOT NULL
          AND (handled_at IS NULL OR handled_at > $at)
        ORDER BY requested_at DESC""", {"at": at, "since": at - window})


@versioned("silver.reports")
def flood_reports_at(lake: Lake, at: dt.datetime, window: dt.timedelta = dt.timedelta(hours=24)) -> pl.DataFrame:
    """Citizen flooding reports (category ``flooding``) received in the ``window`` before ``at``."""
    return sql(lake, """
        SELECT report_id, received_at, lat, lon, status, title FROM silver.reports
        WHERE category_code = 'flooding' AND is_valid AND received_at <= $at AND received_at > $since
          AND lat IS NOT NULL ORDER BY received_at DESC""", {"at": at, "since": at - window})


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
