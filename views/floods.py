"""River gauges at a moment ``at`` (the flood page's time slider, the wall, ``hue-ioc floods status``),
the slider's range and a gauge's hydrograph. The map's other layers are in ``views.floods_layers``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from core import gauges as core_gauges
from core.labels import ALARM_LEVELS, NO_ALARM_LEVELS
from lake import Lake

GAUGE_TABLES = ("silver.gauge_readings", "silver.gauge_stations")
STALE_AFTER = dt.timedelta(hours=6)  # a gauge silent this long before ``at`` is flagged ``stale``


def utc(at: dt.datetime) -> dt.datetime:
    """An aware moment in UTC (a naive one is taken as UTC)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.datetime) else v


def records(df: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-able dicts (times as ISO strings): what the map layers hand out."""
    return [{k: iso(v) for k, v in row.items()} for row in df.iter_rows(named=True)]


def replay_bounds(lake: Lake) -> tuple[dt.datetime, dt.datetime, dt.datetime | None] | None:
    """First and last reading (the slider's range) and the moment Huế's gauges stood highest above
    their alarm levels (the slider's default), in one read; None without readings."""
    row = lake.sql("""
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


def gauge_status(lake: Lake, at: dt.datetime | None = None, hue_only: bool = True,
                 stale_after: dt.timedelta = STALE_AFTER) -> pl.DataFrame:
    """Each river gauge (Huế's unless ``hue_only=False``) with readings up to ``at`` (default: now):
    the gold.flood_status columns, the station's alarm levels alarm1_m..alarm3_m, ``stale`` (last
    reading older than ``stale_after`` at ``at``) and the level's name in Vietnamese and English."""
    at = utc(at) if at is not None else dt.datetime.now(dt.UTC)
    stations = lake.sql("""
        SELECT station_code, name, river, lat, lon, alarm1_m, alarm2_m, alarm3_m FROM silver.gauge_stations
        WHERE kind = 'river' AND (NOT $hue_only OR coalesce(in_hue, false))""", {"hue_only": hue_only})
    readings = lake.sql("""
        SELECT station_code, observed_at, water_level_m, alarm_level, diff_m, bulletin_vi
        FROM silver.gauge_readings
        WHERE observed_at <= $at AND list_contains($codes::VARCHAR[], station_code)""",
                        {"at": at, "codes": stations["station_code"].to_list()})
    status = core_gauges.gauge_status(readings, stations, at)
    names = pl.col("alarm_level").replace_strict(
        {k: v[0] for k, v in ALARM_LEVELS.items()}, default=NO_ALARM_LEVELS[0], return_dtype=pl.String)
    names_en = pl.col("alarm_level").replace_strict(
        {k: v[1] for k, v in ALARM_LEVELS.items()}, default=NO_ALARM_LEVELS[1], return_dtype=pl.String)
    return status.join(stations.select("station_code", "alarm1_m", "alarm2_m", "alarm3_m"), on="station_code",
                       how="left").with_columns(
        (pl.col("latest_at") < at - stale_after).alias("stale"),
        names.alias("level_name_vi"), names_en.alias("level_name_en"))


def hydrograph(lake: Lake, station_code: str, start: dt.datetime, end: dt.datetime) -> pl.DataFrame:
    """One gauge's readings between ``start`` and ``end`` (inclusive), oldest first."""
    return lake.sql("""
        SELECT observed_at, water_level_m, alarm_level FROM silver.gauge_readings
        WHERE station_code = $code AND observed_at BETWEEN $start AND $end AND water_level_m IS NOT NULL
        ORDER BY observed_at""", {"code": station_code, "start": start, "end": end})

