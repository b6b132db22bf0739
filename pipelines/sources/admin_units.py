"""Huế's administrative units, before and after 2025-07-01, from the reference data (../shared/data).

Pre-2025: city 46 → 9 district-level units → 134 communes (no open polygons exist for them).
Since 2025-07-01: 40 communes (21 phường, 19 xã) with polygons; each absorbed one or more old communes.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import polars as pl
import shapely
from shapely.geometry import shape

from core.settings import data_path

CODES_FILE = "boundaries/hue_admin_units_codes_dvhcvn_2025-03-01.json"
MERGES_FILE = "boundaries/hue_admin_units_2025-07-01_merges_dvhcvn.json"
POLYGONS_FILE = "boundaries/hue_wards_communes_2025_vnexpress.geojson"
OUTLINE_FILE = "boundaries/hue_city_outline_2025_vnexpress.geojson"
REFORM_DAY = dt.date(2025, 7, 1)
SCHEMA = {"code": pl.String, "name": pl.String, "level": pl.String, "unit_type": pl.String,
          "parent_code": pl.String, "valid_from": pl.Date, "valid_to": pl.Date, "successor_code": pl.String,
          "lat": pl.Float64, "lon": pl.Float64, "geometry_geojson": pl.String, "population": pl.Int64,
          "area_km2": pl.Float64}


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    for prefix in ("Phường ", "Xã ", "Thị trấn "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    # the sources disagree on old/new tone placement (Thuỷ/Thủy, Hoá/Hóa)
    return name.replace("uỷ", "ủy").replace("oá", "óa").replace("oà", "òa").replace("uý", "úy").lower()


def _load(relative: str) -> dict:
    return json.loads(Path(data_path(relative)).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def admin_units_frame() -> pl.DataFrame:
    codes = _load(CODES_FILE)["data"][0]
    merges = _load(MERGES_FILE)["data"][0]
    polygons = {_norm(f["properties"]["Phường xã mới"]): f for f in _load(POLYGONS_FILE)["features"]}
    rows: list[dict] = []
    rows.append({"code": codes["level1_id"], "name": codes["name"], "level": "city",
                 "unit_type": codes["type"], "parent_code": None, "valid_from": None, "valid_to": None})
    successor: dict[str, str] = {}
    for new in merges["level2s"]:
        for m in sorted(new["merges"], key=lambda m: m["type"] != "full"):
            successor.setdefault(m["old_id"], new["level2_id"])
    for d in codes["level2s"]:
        rows.append({"code": d["level2_id"], "name": d["name"], "level": "district", "unit_type": d["type"],
                     "parent_code": codes["level1_id"], "valid_from": None,
                     "valid_to": REFORM_DAY - dt.timedelta(days=1)})
        for c in d["level3s"]:
            rows.append({"code": c["level3_id"], "name": c["name"], "level": "commune", "unit_type": c["type"],
                         "parent_code": d["level2_id"], "valid_from": None,
                         "valid_to": REFORM_DAY - dt.timedelta(days=1),
                         "successor_code": successor.get(c["level3_id"])})
    for new in merges["level2s"]:
        feat = polygons.get(_norm(new["name"]))
        geom = shape(feat["geometry"]) if feat else None
        centre = geom.representative_point() if geom is not None else None
        props = feat["properties"] if feat else {}
        rows.append({
            # new codes reuse old numbers: keep them apart with a suffix of the reform year
            "code": new["level2_id"] + "@2025", "name": new["name"], "level": "commune",
            "unit_type": new["name"].split(" ")[0], "parent_code": merges["level1_id"],
            "valid_from": REFORM_DAY, "valid_to": None,
            "lat": centre.y if centre else None, "lon": centre.x if centre else None,
            "geometry_geojson": json.dumps(feat["geometry"]) if feat else None,
            "population": props.get("Dân số (người)"), "area_km2": props.get("Diện tích (km2)"),
        })
    return pl.DataFrame(rows, schema=SCHEMA)


@lru_cache(maxsize=1)
def hue_outline() -> shapely.Geometry:
    """Huế's outline (union of the 2025 commune polygons), slightly buffered for coastline simplification."""
    frame = admin_units_frame().filter(pl.col("geometry_geojson").is_not_null())
    geoms = [shape(json.loads(g)) for g in frame["geometry_geojson"]]
    return shapely.union_all(geoms).buffer(0.01)


def inside_hue(lat: list[float | None], lon: list[float | None]) -> list[bool]:
    """Vectorised point-in-Huế test; a missing coordinate is not outside (it is unknown)."""
    import numpy as np

    la = np.array([np.nan if v is None else v for v in lat], dtype=float)
    lo = np.array([np.nan if v is None else v for v in lon], dtype=float)
    known = ~(np.isnan(la) | np.isnan(lo))
    out = np.ones(len(la), dtype=bool)
    if known.any():
        outline = hue_outline()
        shapely.prepare(outline)
        out[known] = shapely.contains_xy(outline, lo[known], la[known])
    return out.tolist()
