"""Huế's administrative units in their three eras, from the reference data (../shared/data/boundaries).

- until 2024-12-31: the province Thừa Thiên Huế (``46@2019``) with 9 district-level units (Thành phố Huế,
  thị xã Hương Thủy and Hương Trà, huyện Phong Điền, Quảng Điền, Phú Vang, Phú Lộc, A Lưới, Nam Đông), codes
  ``<id>@2019``, with their real polygons (gis.chinhphu.vn, 2019). The reference data holds no commune list of
  this era (the communes changed in 2020-2021): the district is the finest level of the era.
- 2025-01-01 → 2025-06-30: the centrally-run city of Huế (``46``) with 9 district-level units (quận Phú Xuân
  and Thuận Hóa, thị xã Phong Điền; Nam Đông joined to Phú Lộc) and 134 communes (GSO list of 2025-03-01; no
  open polygons). The same commune list names the commune committees of the earlier era (valid_from unknown).
- since 2025-07-01: 40 communes (21 phường, 19 xã), codes ``<id>@2025``, with polygons; each absorbed one or
  more communes of the list above.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl
import shapely
import shapely.geometry
from shapely.geometry import shape

from core.settings import data_path

CODES_FILE = "boundaries/hue_admin_units_codes_dvhcvn_2025-03-01.json"
MERGES_FILE = "boundaries/hue_admin_units_2025-07-01_merges_dvhcvn.json"
POLYGONS_FILE = "boundaries/hue_wards_communes_2025_vnexpress.geojson"
OUTLINE_FILE = "boundaries/hue_city_outline_2025_vnexpress.geojson"
DISTRICTS_2019_FILE = "boundaries/thua_thien_hue_districts_gischinhphu_dvhcvn.geojson"
CITY_DAY = dt.date(2025, 1, 1)  # Huế a centrally-run city: quận Phú Xuân, Thuận Hóa; Nam Đông into Phú Lộc
REFORM_DAY = dt.date(2025, 7, 1)  # the 40 communes, no district level
# The eras as data: (era, first day, last day, what the units are; finest level in the reference data)
ERAS = (
    ("2019", None, CITY_DAY - dt.timedelta(days=1), "Tỉnh Thừa Thiên Huế, 9 district-level units", "district"),
    ("2025-01", CITY_DAY, REFORM_DAY - dt.timedelta(days=1),
     "Thành phố Huế (trực thuộc Trung ương), 9 district-level units, 134 communes", "commune"),
    ("2025-07", REFORM_DAY, None, "Thành phố Huế, 40 commune-level units (21 phường, 19 xã)", "commune"),
)
# 2019 district → its successor of 2025-01-01 (Thành phố Huế split into Thuận Hóa 474 and Phú Xuân 475;
# Nam Đông 483 joined Phú Lộc 482; the others kept their code, Phong Điền became a thị xã)
DISTRICT_2019_SUCCESSOR = {"474": "474", "476": "476", "477": "477", "478": "478", "479": "479", "480": "480",
                           "481": "481", "482": "482", "483": "482"}
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
                 "unit_type": codes["type"], "parent_code": None, "valid_from": CITY_DAY, "valid_to": None})
    rows += _era_2019_rows()
    successor: dict[str, str] = {}
    for new in merges["level2s"]:
        for m in sorted(new["merges"], key=lambda m: m["type"] != "full"):
            successor.setdefault(m["old_id"], new["level2_id"])
    for d in codes["level2s"]:
        rows.append({"code": d["level2_id"], "name": d["name"], "level": "district", "unit_type": d["type"],
                     "parent_code": codes["level1_id"], "valid_from": CITY_DAY,
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


def _era_2019_rows() -> list[dict]:
    """The province and its 9 districts as they were until 2024-12-31, with their 2019 polygons."""
    feats = _load(DISTRICTS_2019_FILE)["features"]
    out = []
    for f in feats:
        props = f["properties"]
        geom = shape(f["geometry"])
        if "level2_id" not in props:
            out.append({"code": "46@2019", "name": props["name"], "level": "province", "unit_type": "Tỉnh",
                        "parent_code": None, "valid_from": None, "valid_to": CITY_DAY - dt.timedelta(days=1),
                        "successor_code": "46"})
            continue
        kind = next(k for k in ("Thành phố", "Thị xã", "Huyện") if props["name"].startswith(k))
        centre = geom.representative_point()
        out.append({"code": props["level2_id"] + "@2019", "name": props["name"], "level": "district",
                    "unit_type": kind, "parent_code": "46@2019", "valid_from": None,
                    "valid_to": CITY_DAY - dt.timedelta(days=1),
                    "successor_code": DISTRICT_2019_SUCCESSOR[props["level2_id"]],
                    "lat": centre.y, "lon": centre.x,
                    "geometry_geojson": json.dumps(shapely.geometry.mapping(geom.simplify(0.002)))})
    return out


@lru_cache(maxsize=1)
def _districts_2019() -> tuple[list[str], list]:
    frame = admin_units_frame().filter(pl.col("code").str.ends_with("@2019") & (pl.col("level") == "district"))
    feats = {f["properties"].get("level2_id"): shape(f["geometry"]) for f in _load(DISTRICTS_2019_FILE)["features"]}
    codes = frame["code"].to_list()
    geoms = [feats[c.split("@")[0]].simplify(0.0005) for c in codes]
    for g in geoms:
        shapely.prepare(g)
    return codes, geoms


def district_2019_at(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The district (2019 polygons) each point lies in; a point outside all (coast simplification) takes the
    nearest one."""
    codes, geoms = _districts_2019()
    pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    out = np.full(len(pts), None, dtype=object)
    for code, g in zip(codes, geoms, strict=True):
        out[shapely.contains(g, pts) & (out == None)] = code  # noqa: E711 (numpy element-wise)
    missing = np.flatnonzero(out == None)  # noqa: E711
    if len(missing):
        dist = np.column_stack([shapely.distance(g, pts[missing]) for g in geoms])
        out[missing] = np.array(codes, dtype=object)[dist.argmin(axis=1)]
    return out


def era_of(day: dt.date) -> str:
    """The administrative era of a (Vietnam-time) day."""
    return "2019" if day < CITY_DAY else "2025-01" if day < REFORM_DAY else "2025-07"


@lru_cache(maxsize=1)
def hue_outline() -> shapely.Geometry:
    """Huế's outline (union of the 2025 commune polygons), slightly buffered for coastline simplification."""
    frame = admin_units_frame().filter(pl.col("geometry_geojson").is_not_null() & (pl.col("level") == "commune"))
    geoms = [shape(json.loads(g)) for g in frame["geometry_geojson"]]
    return shapely.union_all(geoms).buffer(0.01)


def inside_hue(lat: list[float | None], lon: list[float | None]) -> list[bool]:
    """Vectorised point-in-Huế test; a missing coordinate is not outside (it is unknown)."""
    la = np.array([np.nan if v is None else v for v in lat], dtype=float)
    lo = np.array([np.nan if v is None else v for v in lon], dtype=float)
    known = ~(np.isnan(la) | np.isnan(lo))
    out = np.ones(len(la), dtype=bool)
    if known.any():
        outline = hue_outline()
        shapely.prepare(outline)
        out[known] = shapely.contains_xy(outline, lo[known], la[known])
    return out.tolist()


@lru_cache(maxsize=1)
def _first_old_commune() -> dict[str, str]:
    """2025 commune (5-digit code) → a commune of early 2025 it absorbed (the first in code order)."""
    old = admin_units_frame().filter((pl.col("level") == "commune") & pl.col("successor_code").is_not_null())
    out: dict[str, str] = {}
    for code, succ in sorted(zip(old["code"], old["successor_code"], strict=True)):
        out.setdefault(succ, code)
    return out


def admin_unit_of_date(at_utc: np.ndarray, lon: np.ndarray, lat: np.ndarray, commune_2025: np.ndarray) -> np.ndarray:
    """The admin unit of each moment and place, at the finest level its era has in the reference data:
    the 2019 district until 2024-12-31, a commune of early 2025 (one the 2025 commune absorbed) until
    2025-06-30, the 2025 commune (``…@2025``) after."""
    at = np.asarray(at_utc).astype("datetime64[us]") + np.timedelta64(7, "h")
    day = at.astype("datetime64[D]")
    before = day < np.datetime64(CITY_DAY)
    early = ~before & (day < np.datetime64(REFORM_DAY))
    out = np.array([None if c is None else f"{c}@2025" for c in commune_2025], dtype=object)
    if early.any():
        first = _first_old_commune()
        out[early] = [first.get(c) for c in np.asarray(commune_2025, dtype=object)[early]]
    if before.any():
        out[before] = district_2019_at(np.asarray(lon, dtype=float)[before], np.asarray(lat, dtype=float)[before])
    return out
