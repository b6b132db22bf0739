"""CAP areas as GeoJSON (polygons, circles as rings, geocode-only areas), for maps and coverage."""

from __future__ import annotations

import math
from typing import Any

from pipelines.disasters.cap.model import CapInfo


def circle_ring(lat: float, lon: float, radius_km: float, n: int = 32) -> list[list[float]]:
    """A closed ring of [lon, lat] approximating a CAP circle (equirectangular, fine at city scale)."""
    ring = []
    dlat = radius_km / 110.574
    dlon = radius_km / (111.320 * max(math.cos(math.radians(lat)), 1e-6))
    for k in range(n):
        a = 2 * math.pi * k / n
        ring.append([round(lon + dlon * math.cos(a), 6), round(lat + dlat * math.sin(a), 6)])
    ring.append(ring[0])
    return ring


def areas_geojson(info: CapInfo | None, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every area of an info block as GeoJSON features: polygons, circles (as rings, radius kept;
    radius 0 = a point) and geocode-only areas (geometry null)."""
    feats: list[dict[str, Any]] = []
    if info is None:
        return {"type": "FeatureCollection", "features": feats}
    base = dict(properties or {})
    for area in info.areas:
        props = {**base, "areaDesc": area.area_desc, "geocodes": [list(g) for g in area.geocodes]}
        for poly in area.polygons:
            feats.append({"type": "Feature", "properties": {**props, "shape": "polygon"},
                          "geometry": {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in poly]]}})
        for lat, lon, r in area.circles:
            if r > 0:
                geom = {"type": "Polygon", "coordinates": [circle_ring(lat, lon, r)]}
            else:
                geom = {"type": "Point", "coordinates": [lon, lat]}
            feats.append({"type": "Feature", "properties": {**props, "shape": "circle", "radius_km": r},
                          "geometry": geom})
        if not area.polygons and not area.circles:
            feats.append({"type": "Feature", "properties": {**props, "shape": "geocode"}, "geometry": None})
    return {"type": "FeatureCollection", "features": feats}
