"""pydeck helpers: an offline base style, Huế's view, commune boundaries, colours."""

from __future__ import annotations

import json
import math
import urllib.parse
from typing import Any

import polars as pl
import pydeck as pdk

from core.gauges import ALARM_COLOURS as ALARM_HEX

# A MapLibre style with no sources: nothing to download, the layers draw on a plain background.
OFFLINE_STYLE: dict[str, Any] = {
    "version": 8,
    "name": "hue-ioc-offline",
    "sources": {},
    "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#e9eef2"}}],
}
OFFLINE_STYLE_DARK: dict[str, Any] = {
    **OFFLINE_STYLE,
    "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#0f1a2b"}}],
}


def _data_url(style: dict[str, Any]) -> str:
    """The style inlined as a data: URL (Streamlit's deck.gl frontend wants a string style)."""
    return "data:application/json;charset=utf-8," + urllib.parse.quote(json.dumps(style, separators=(",", ":")))


OFFLINE_STYLE_URL = _data_url(OFFLINE_STYLE)
OFFLINE_STYLE_DARK_URL = _data_url(OFFLINE_STYLE_DARK)

HUE_VIEW = pdk.ViewState(latitude=16.43, longitude=107.58, zoom=9.4, pitch=0)

STATUS_COLOURS: dict[str, list[int]] = {
    "resolved": [46, 160, 67, 150],
    "open": [31, 119, 180, 190],
    "pending": [140, 140, 140, 190],
    "invalid": [200, 200, 200, 120],
    "overdue": [214, 39, 40, 230],
}
def rgba(hex_colour: str | None, alpha: int = 230) -> list[int]:
    """``#rrggbb`` as deck.gl's [r, g, b, a] (slate grey when missing)."""
    h = (hex_colour or "#607d8b").lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


# the gauges' alarm colours (core.gauges), so the legend, the wall and the map's dots agree
ALARM_COLOURS: dict[int, list[int]] = {level: rgba(hex_colour, 240) for level, hex_colour in ALARM_HEX.items()}


def view_for(frame: pl.DataFrame, lat: str = "lat", lon: str = "lon", zoom: float | None = None) -> pdk.ViewState:
    """Centre on the points (Huế's view when there are none)."""
    if frame.is_empty() or frame[lat].drop_nulls().is_empty():
        return HUE_VIEW
    la, lo = frame[lat].drop_nulls(), frame[lon].drop_nulls()
    # the middle 90 % of the points, so a few far-away reports do not shrink the city
    span_lat = max(float(la.quantile(0.95) - la.quantile(0.05)), 0.01) * 1.3
    span_lon = max(float(lo.quantile(0.95) - lo.quantile(0.05)), 0.01) * 1.3
    # deck.gl's world is 512 px wide at zoom 0: a ~560 px high, ~1600 px wide map shows about
    # 394/2^z degrees of latitude and 1125/2^z of longitude
    fit = min(math.log2(394 / span_lat), math.log2(1125 / span_lon))
    z = zoom if zoom is not None else max(8.0, min(13.5, fit))
    return pdk.ViewState(latitude=float(la.median()), longitude=float(lo.median()), zoom=z, pitch=0)


def boundaries_layer(geoms: pl.DataFrame, dark: bool = False) -> pdk.Layer | None:
    """GeoJsonLayer of commune boundaries (code, name, geometry_geojson rows)."""
    features = []
    for row in geoms.iter_rows(named=True):
        try:
            geometry = json.loads(row["geometry_geojson"])
        except (TypeError, ValueError):
            continue
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"name": row["name"], "code": row["admin_unit_code"]}})
    if not features:
        return None
    line = [180, 200, 230, 200] if dark else [70, 90, 120, 200]
    fill = [40, 60, 90, 60] if dark else [255, 255, 255, 150]
    return pdk.Layer("GeoJsonLayer", data={"type": "FeatureCollection", "features": features}, id="communes",
                     stroked=True, filled=True, get_fill_color=fill, get_line_color=line,
                     line_width_min_pixels=1, pickable=False)


def deck(layers: list[pdk.Layer | None], view: pdk.ViewState, tooltip: dict[str, Any] | None = None,
         dark: bool = False) -> pdk.Deck:
    return pdk.Deck(layers=[layer for layer in layers if layer is not None], initial_view_state=view,
                    map_provider="mapbox", map_style=OFFLINE_STYLE_DARK_URL if dark else OFFLINE_STYLE_URL,
                    tooltip=tooltip or False)


def hex_colour(rgba: list[int]) -> str:
    r, g, b = rgba[:3]
    return f"#{r:02x}{g:02x}{b:02x}"


RGBA = "[r, g, b, a]"  # accessor of the colour columns added by ``rgba_columns``


def rgba_columns(key: pl.Expr, palette: dict[Any, list[int]], default: list[int]) -> list[pl.Expr]:
    """Columns r, g, b, a looked up from ``palette`` by ``key`` (plain ints serialise cleanly to deck.gl)."""
    return [key.replace_strict({k: v[i] for k, v in palette.items()}, default=default[i],
                               return_dtype=pl.Int64).alias(ch) for i, ch in enumerate("rgba")]
