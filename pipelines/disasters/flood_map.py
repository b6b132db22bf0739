"""What the live flood map needs at a moment ``at`` (the time slider): pure queries over the lake.

>>> from pipelines.disasters.flood_map import flood_map_layers
>>> layers = flood_map_layers(lake, at=datetime(2025, 11, 17, 1, tzinfo=UTC))
>>> layers["gauges"]          # list of dicts: level, alarm, colour, bulletin, trend, peak
>>> layers["warning_areas"]   # GeoJSON FeatureCollection of the warnings in force at ``at``
>>> layers["sos"]             # SOS requests open at ``at`` (requested, not yet handled)
>>> layers["flood_reports"]   # silver.reports with category 'flooding' received in the window
>>> layers["flooded_cameras"] # cameras standing inside a warning area (when silver.cameras exists)

Every list is plain JSON-able data (times as ISO strings); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import polars as pl
from shapely import Point
from shapely.geometry import shape

from core.labels import ALARM_LEVELS, NO_ALARM_LEVELS
from lake import Lake, catalog
from pipelines.disasters.flood_status import flood_status
from pipelines.disasters.gauges import COLOURS, NO_LEVEL_COLOUR

SEVERITY_COLOURS = {"Extreme": "#c62828", "Severe": "#ef6c00", "Moderate": "#f9a825", "Minor": "#2e7d32",
                    "Unknown": "#607d8b"}
REPORTS_WINDOW = dt.timedelta(hours=24)
SOS_WINDOW = dt.timedelta(hours=24)
STALE_AFTER = dt.timedelta(hours=6)


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.datetime) else v


def _records(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in row.items()} for row in df.iter_rows(named=True)]


def _utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def hue_station_codes(lake: Lake) -> list[str]:
    return lake.sql("select station_code from silver.gauge_stations where in_hue and kind = 'river'"
                    )["station_code"].to_list()


def gauges_at(lake: Lake, at: dt.datetime, stations: list[str] | None = None,
              stale_after: dt.timedelta = STALE_AFTER) -> list[dict[str, Any]]:
    """Each river gauge's state at ``at`` with its map colour and level name (vi, en).

    ``stale`` is True when the gauge's last reading is older than ``stale_after`` at ``at``."""
    at = _utc(at)
    df = flood_status(lake, at=at, stations=stations)
    out = []
    for row in _records(df):
        row["stale"] = dt.datetime.fromisoformat(row["latest_at"]) < at - stale_after
        lvl = row["alarm_level"]
        row["colour"] = NO_LEVEL_COLOUR if lvl is None else COLOURS[lvl]
        row["level_name_vi"], row["level_name_en"] = ALARM_LEVELS.get(lvl, NO_ALARM_LEVELS)
        out.append(row)
    return out


# CAP leaves <expires> optional; an alert without it is taken as in force this long after it was sent
# (otherwise a years-old alert without expiry would stay "in force" on the wall for ever).
NO_EXPIRY_VALIDITY = dt.timedelta(days=3)


def active_warnings(lake: Lake, at: dt.datetime) -> pl.DataFrame:
    """Warnings in force at ``at``: Actual, sent, not expired, not yet superseded, not a Cancel/Ack/Error.

    Without an expiry, an alert counts as in force for NO_EXPIRY_VALIDITY after it was sent."""
    at = _utc(at)
    return lake.sql(
        """
        select warning_id, direction, source, identifier, sender, sent, msg_type, event, severity, urgency,
               headline, instruction, area_desc, areas_geojson, station_code, alarm_level, expires
        from silver.warnings
        where status = 'Actual' and msg_type in ('Alert', 'Update')
          and sent <= $at
          and (expires > $at or (expires is null and sent > $oldest))
          and (superseded_at is null or superseded_at > $at)
          and source <> 'simulated'
        order by sent
        """, {"at": at, "oldest": at - NO_EXPIRY_VALIDITY})


def warning_areas_geojson(lake: Lake, at: dt.datetime) -> dict[str, Any]:
    feats = []
    for w in active_warnings(lake, at).iter_rows(named=True):
        fc = json.loads(w["areas_geojson"] or "{}")
        for f in fc.get("features", []):
            if f.get("geometry") is None:
                continue
            props = dict(f.get("properties") or {})
            props.update({"warning_id": w["warning_id"], "direction": w["direction"], "event": w["event"],
                          "severity": w["severity"], "headline": w["headline"], "instruction": w["instruction"],
                          "sent": _iso(w["sent"]), "expires": _iso(w["expires"]),
                          "colour": SEVERITY_COLOURS.get(w["severity"] or "Unknown", "#607d8b")})
            feats.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    return {"type": "FeatureCollection", "features": feats}


def sos_at(lake: Lake, at: dt.datetime, window: dt.timedelta = SOS_WINDOW) -> list[dict[str, Any]]:
    """SOS requests made in the ``window`` before ``at``, with whether they were still open at ``at``."""
    at = _utc(at)
    df = lake.sql(
        """
        select sos_id, requested_at, channel, place, admin_unit_code_2025, lat, lon, people, needs,
               status, handler, handled_at, source,
               (handled_at is null or handled_at > $at) and status <> 'cancelled' as open_at
        from silver.sos_requests
        where requested_at <= $at and requested_at > $since
        order by requested_at
        """, {"at": at, "since": at - window})
    return _records(df)


def flood_reports_at(lake: Lake, at: dt.datetime, window: dt.timedelta = REPORTS_WINDOW) -> list[dict[str, Any]]:
    """Citizen reports with category 'flooding' received in the ``window`` before ``at`` (empty if none)."""
    if "silver.reports" not in catalog():
        return []
    at = _utc(at)
    df = lake.sql(
        """
        select report_id, received_at, title, description, lat, lon, status, admin_unit_code_2025
        from silver.reports
        where category_code = 'flooding' and received_at <= $at and received_at > $since
          and lat is not null and lon is not null
        order by received_at
        """, {"at": at, "since": at - window})
    return _records(df)


def flooded_cameras(lake: Lake, areas: dict[str, Any]) -> list[dict[str, Any]]:
    """Cameras (silver.cameras, when that table exists) standing inside a warning area in force."""
    s = catalog().get("silver.cameras")
    if s is None or not lake.exists("silver.cameras") or not areas["features"]:
        return []
    names = s.schema.names
    lon_col = next((c for c in ("lon", "lng", "longitude") if c in names), None)
    lat_col = next((c for c in ("lat", "latitude") if c in names), None)
    id_col = next((c for c in ("camera_id", "id") if c in names), None)
    if not (lon_col and lat_col and id_col):
        return []
    name_col = "name" if "name" in names else id_col
    cams = lake.sql(f"select {id_col} as camera_id, {name_col} as name, {lat_col} as lat, {lon_col} as lon "
                    f"from silver.cameras where {lat_col} is not null and {lon_col} is not null")
    shapes = [(shape(f["geometry"]), f["properties"]) for f in areas["features"]]
    out = []
    for cam in cams.iter_rows(named=True):
        p = Point(cam["lon"], cam["lat"])
        hit = next((props for g, props in shapes if g.covers(p)), None)
        if hit is not None:
            out.append({**cam, "warning_id": hit["warning_id"], "severity": hit["severity"],
                        "areaDesc": hit.get("areaDesc")})
    return out


def flood_map_layers(lake: Lake, at: dt.datetime, hue_only: bool = True) -> dict[str, Any]:
    """Everything the flood page draws at moment ``at``: gauges (Huế's unless ``hue_only=False``),
    warning areas, SOS, flood reports, flooded cameras."""
    at = _utc(at)
    areas = warning_areas_geojson(lake, at)
    return {
        "at": at.isoformat(),
        "gauges": gauges_at(lake, at, stations=hue_station_codes(lake) if hue_only else None),
        "warning_areas": areas,
        "sos": sos_at(lake, at),
        "flood_reports": flood_reports_at(lake, at),
        "flooded_cameras": flooded_cameras(lake, areas),
    }


def time_range(lake: Lake) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and last gauge reading: the bounds of the time slider."""
    df = lake.sql("select min(observed_at) lo, max(observed_at) hi from silver.gauge_readings")
    return df["lo"][0], df["hi"][0]
