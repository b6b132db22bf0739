"""The offline basemap under every map: Huế's 40 communes (borders and names) and the rivers of the Hương
basin, drawn by deck.gl from the reference data (``core.settings.data_path``), so no map needs the network.

Read once per process; without the reference data the maps draw without a basemap (and say nothing else)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import pydeck as pdk
from shapely.geometry import shape

from core.settings import data_path

COMMUNES_FILE = "boundaries/hue_wards_communes_2025_vnexpress.geojson"
RIVERS_FILE = "geo/hue_rivers_huong_basin_vnexpress.geojson"
NAME_KEY = "Phường xã mới"


def _read(relative: str) -> dict[str, Any] | None:
    try:
        return json.loads(data_path(relative).read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError):
        return None


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Any] | None, dict[str, Any] | None, list[dict[str, Any]]]:
    communes, rivers = _read(COMMUNES_FILE), _read(RIVERS_FILE)
    labels = []
    for feat in (communes or {}).get("features", []):
        name = (feat.get("properties") or {}).get(NAME_KEY)
        try:
            pt = shape(feat["geometry"]).representative_point()
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
        if name:
            labels.append({"name": str(name), "lon": pt.x, "lat": pt.y})
    return communes, rivers, labels


def layers(dark: bool = False, names: bool = True) -> list[pdk.Layer]:
    """Commune borders (light fill), rivers (blue) and, with ``names``, the communes' names: the bottom layers
    of a map. Empty without the reference data."""
    communes, rivers, labels = _data()
    out: list[pdk.Layer] = []
    if communes:
        out.append(pdk.Layer("GeoJsonLayer", data=communes, id="basemap-communes", stroked=True, filled=True,
                             get_fill_color=[30, 44, 66, 255] if dark else [250, 250, 247, 255],
                             get_line_color=[120, 140, 170, 200] if dark else [150, 160, 175, 220],
                             line_width_min_pixels=1, pickable=False))
    if rivers:
        out.append(pdk.Layer("GeoJsonLayer", data=rivers, id="basemap-rivers", stroked=True, filled=False,
                             get_line_color=[90, 160, 230, 230] if dark else [70, 140, 210, 230],
                             line_width_min_pixels=2, pickable=False))
    if names and labels:
        out.append(pdk.Layer("TextLayer", data=labels, id="basemap-names", get_position=["lon", "lat"],
                             get_text="name", get_size=13, size_units='"pixels"',
                             get_color=[200, 210, 225, 220] if dark else [70, 80, 95, 220],
                             # Vietnamese letters are outside deck.gl's default ASCII set; quoted, pydeck passes
                             # the string as it is (unquoted it would become an accessor function)
                             character_set='"auto"', outline_width=2,
                             outline_color=[15, 26, 43, 255] if dark else [255, 255, 255, 255],
                             font_settings={"sdf": True},
                             pickable=False))
    return out
