"""Huế's 40 communes (2025) and the Hương-basin rivers with shapely: which communes a flood warning covers.

Distances are computed in a local equirectangular projection (metres), accurate to well under 1 %
across the city. A warning at alarm level k covers the communes that intersect a corridor of
``CORRIDOR_KM[k]`` around the gauge's river, within ``REACH_KM[k]`` of the gauge, plus the commune
the gauge stands in. The corridor widths are configuration, not hydraulics: replace them with the
official inundation maps when the city provides them.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shapely import Geometry, Point, STRtree, transform, unary_union
from shapely.geometry import mapping, shape

from core.gauges import STATION_RIVER
from core.settings import data_path

COMMUNES_FILE = "boundaries/hue_wards_communes_2025_vnexpress.geojson"
MERGES_FILE = "boundaries/hue_admin_units_2025-07-01_merges_dvhcvn.json"
OUTLINE_FILE = "boundaries/hue_city_outline_2025_vnexpress.geojson"
RIVERS_FILE = "geo/hue_rivers_huong_basin_vnexpress.geojson"
LAT0 = 16.45
KX = 111_320.0 * math.cos(math.radians(LAT0))
KY = 110_574.0
CORRIDOR_KM = {1: 1.0, 2: 2.0, 3: 3.5}
REACH_KM = {1: 12.0, 2: 20.0, 3: 30.0}


def _norm(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower()


def to_metres(g: Geometry) -> Geometry:
    return transform(g, lambda xy: xy * [KX, KY])


def to_degrees(g: Geometry) -> Geometry:
    return transform(g, lambda xy: xy / [KX, KY])


@dataclass(frozen=True)
class Commune:
    code: str  # NSO code (5 digits), "" when the name did not match
    name: str  # with its prefix: "Phường Kim Long", "Xã Quảng Điền"
    short_name: str  # as in the polygon file
    geometry: Geometry  # lon/lat
    population: int | None


@lru_cache(maxsize=1)
def communes() -> tuple[Commune, ...]:
    feats = json.loads(data_path(COMMUNES_FILE).read_text(encoding="utf-8"))["features"]
    merges = json.loads(data_path(MERGES_FILE).read_text(encoding="utf-8"))
    by_short: dict[str, tuple[str, str]] = {}
    for l1 in merges["data"]:
        for l2 in l1.get("level2s", []):
            full = l2["name"]
            short = full.split(" ", 1)[1] if full.split(" ", 1)[0] in ("Phường", "Xã") else full
            by_short[_norm(short)] = (l2["level2_id"], full)
    out = []
    for f in feats:
        short = f["properties"]["Phường xã mới"]
        code, full = by_short.get(_norm(short), ("", short))
        pop = f["properties"].get("Dân số (người)")
        out.append(Commune(code, full, short, shape(f["geometry"]).buffer(0), None if pop is None else int(pop)))
    return tuple(out)


@lru_cache(maxsize=1)
def _tree() -> tuple[STRtree, tuple[Commune, ...]]:
    cs = communes()
    return STRtree([to_metres(c.geometry) for c in cs]), cs


@lru_cache(maxsize=1)
def rivers() -> dict[str, Geometry]:
    feats = json.loads(data_path(RIVERS_FILE).read_text(encoding="utf-8"))["features"]
    parts: dict[str, list[Geometry]] = {}
    for f in feats:
        parts.setdefault(f["properties"]["name"], []).append(shape(f["geometry"]))
    return {k: unary_union(v) for k, v in parts.items()}


@lru_cache(maxsize=1)
def city_outline() -> Geometry:
    feats = json.loads(data_path(OUTLINE_FILE).read_text(encoding="utf-8"))["features"]
    return unary_union([shape(f["geometry"]).buffer(0) for f in feats])


def river_of(station_code: str, lat: float, lon: float) -> str:
    """The river a gauge measures: known for Huế's gauges, else the nearest river line."""
    if station_code in STATION_RIVER:
        return STATION_RIVER[station_code]
    p = to_metres(Point(lon, lat))
    return min(rivers().items(), key=lambda kv: to_metres(kv[1]).distance(p))[0]


def warning_zone(station_code: str, lat: float, lon: float, level: int) -> Geometry:
    """The corridor (lon/lat) a level-``level`` warning at this gauge covers."""
    level = max(1, min(3, level))
    p = to_metres(Point(lon, lat))
    river = to_metres(rivers()[river_of(station_code, lat, lon)])
    zone = river.buffer(CORRIDOR_KM[level] * 1000).intersection(p.buffer(REACH_KM[level] * 1000))
    return to_degrees(zone.union(p.buffer(500)))


def communes_in(zone_lonlat: Geometry) -> list[Commune]:
    """Communes intersecting a zone (lon/lat), in file order."""
    tree, cs = _tree()
    z = to_metres(zone_lonlat)
    idx = sorted(int(i) for i in tree.query(z, predicate="intersects"))
    return [cs[i] for i in idx]


def affected_communes(station_code: str, lat: float, lon: float, level: int) -> list[Commune]:
    return communes_in(warning_zone(station_code, lat, lon, level))


def commune_at(lat: float, lon: float) -> Commune | None:
    tree, cs = _tree()
    hits = tree.query(to_metres(Point(lon, lat)), predicate="intersects")
    return cs[int(hits[0])] if len(hits) else None


def geometry_geojson(g: Geometry) -> dict[str, Any]:
    return mapping(g)


def polygon_rings_latlon(g: Geometry, max_points: int = 200) -> list[list[tuple[float, float]]]:
    """Exterior rings of a (multi)polygon as CAP polygons: closed lists of (lat, lon)."""
    polys = list(g.geoms) if hasattr(g, "geoms") else [g]
    out = []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        ring = poly.exterior
        tol = 0.0
        while len(ring.coords) > max_points:
            tol = tol * 2 or 0.0005
            ring = poly.simplify(tol).exterior
        coords = [(round(y, 5), round(x, 5)) for x, y in ring.coords]
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        if len(coords) >= 4:
            out.append(coords)
    return out
