"""Everything the flood map draws at a moment ``at`` (the time slider): gauges, warning areas in force,
SOS requests, flood reports and the cameras standing inside a warning area. Plain JSON-able data
(times as ISO strings); nothing here writes.

>>> layers = map_layers(lake, at=datetime(2025, 11, 17, 1, tzinfo=UTC))
>>> layers["gauges"]          # list of dicts: level, alarm, colour, bulletin, trend, peak, stale
>>> layers["warning_areas"]   # GeoJSON FeatureCollection of the warnings in force at ``at``
>>> layers["sos"]             # SOS requests of the day before ``at``, with ``open_at``
>>> layers["flood_reports"]   # silver.reports with category 'flooding' received in the day before
>>> layers["flooded_cameras"] # cameras standing inside a warning area
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from shapely import Point
from shapely.geometry import shape

from lake import Lake
from views import warnings
from views.floods import GAUGE_TABLES, gauge_status, records, utc

LAYER_TABLES = (*GAUGE_TABLES, *warnings.TABLES, "silver.sos_requests", "silver.reports", "silver.cameras")
REPORTS_WINDOW = dt.timedelta(hours=24)
SOS_WINDOW = dt.timedelta(hours=24)


def sos_at(lake: Lake, at: dt.datetime, window: dt.timedelta = SOS_WINDOW) -> list[dict[str, Any]]:
    """SOS requests made in the ``window`` before ``at``, with whether they were still open at ``at``."""
    at = utc(at)
    return records(lake.sql("""
        SELECT sos_id, requested_at, channel, place, admin_unit_code_2025, lat, lon, people, needs,
               status, handler, handled_at, source,
               (handled_at IS NULL OR handled_at > $at) AND status <> 'cancelled' AS open_at
        FROM silver.sos_requests
        WHERE requested_at <= $at AND requested_at > $since
        ORDER BY requested_at""", {"at": at, "since": at - window}))


def flood_reports_at(lake: Lake, at: dt.datetime, window: dt.timedelta = REPORTS_WINDOW) -> list[dict[str, Any]]:
    """Citizen reports with category 'flooding' and a position, received in the ``window`` before ``at``."""
    at = utc(at)
    return records(lake.sql("""
        SELECT report_id, received_at, title, description, lat, lon, status, admin_unit_code_2025
        FROM silver.reports
        WHERE category_code = 'flooding' AND received_at <= $at AND received_at > $since
          AND lat IS NOT NULL AND lon IS NOT NULL
        ORDER BY received_at""", {"at": at, "since": at - window}))


def flooded_cameras(lake: Lake, areas: dict[str, Any]) -> list[dict[str, Any]]:
    """Cameras standing inside one of the warning ``areas`` (a FeatureCollection from
    ``views.warnings.areas_at``), with that warning's id, severity and area name."""
    if not areas["features"]:
        return []
    cams = lake.sql("SELECT camera_id, coalesce(name, camera_id) AS name, lat, lon FROM silver.cameras "
                    "WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY camera_id")
    shapes = [(shape(f["geometry"]), f["properties"]) for f in areas["features"]]
    out = []
    for cam in cams.iter_rows(named=True):
        p = Point(cam["lon"], cam["lat"])
        hit = next((props for g, props in shapes if g.covers(p)), None)
        if hit is not None:
            out.append({**cam, "warning_id": hit["warning_id"], "severity": hit["severity"],
                        "areaDesc": hit.get("areaDesc")})
    return out


def map_layers(lake: Lake, at: dt.datetime, hue_only: bool = True) -> dict[str, Any]:
    """The flood page's layers at moment ``at``: gauges (Huế's unless ``hue_only=False``), warning areas,
    SOS, flood reports, flooded cameras."""
    at = utc(at)
    areas = warnings.areas_at(lake, at)
    return {
        "at": at.isoformat(),
        "gauges": records(gauge_status(lake, at, hue_only=hue_only)),
        "warning_areas": areas,
        "sos": sos_at(lake, at),
        "flood_reports": flood_reports_at(lake, at),
        "flooded_cameras": flooded_cameras(lake, areas),
    }


def headline_of(layers: dict[str, Any]) -> dict[str, int]:
    """The flood page's counts at the layers' moment: gauges and those at alarm 1 or above, warnings in
    force (one per warning, however many areas it covers), SOS still open, flood reports."""
    return {"gauges": len(layers["gauges"]),
            "alarmed": sum(1 for g in layers["gauges"] if (g["alarm_level"] or 0) >= 1),
            "warnings": len({f["properties"]["warning_id"] for f in layers["warning_areas"]["features"]}),
            "sos_open": sum(1 for s in layers["sos"] if s["open_at"]),
            "flood_reports": len(layers["flood_reports"])}
