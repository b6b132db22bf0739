"""Where reports are made: a point inside a 2025 commune (more in populous wards), the commune and district
of early 2025, the district of the era before (by the 2019 polygons), and the reports without coordinates
(hotline calls mostly: the caller's place is still known)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import polars as pl
import shapely
from shapely.geometry import shape

from pipelines.sources.admin_units import district_2019_at
from pipelines.sources.hues.floods import flooded_communes


@dataclass(frozen=True)
class Places:
    lonlat: np.ndarray  # (n, 2)
    missing: np.ndarray  # bool: no coordinates given
    new_code: np.ndarray  # 2025 commune code ("…@2025")
    old_code: np.ndarray  # commune code of 2025-01-01 → 2025-06-30 (GSO list of 2025-03-01)
    district: np.ndarray  # district code of 2025-01-01 → 2025-06-30
    district_2019: np.ndarray  # district of the era until 2024-12-31 ("…@2019", by its 2019 polygon)


def point_pools(admin: pl.DataFrame, rng: np.random.Generator, per: int = 600) -> dict[str, np.ndarray]:
    """Random points inside each 2025 commune polygon (rejection sampling), to draw locations from."""
    pools = {}
    for row in admin.filter(pl.col("geometry_geojson").is_not_null() & (pl.col("level") == "commune")
                            ).iter_rows(named=True):
        geom = shape(json.loads(row["geometry_geojson"]))
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        pts = np.empty((0, 2))
        while len(pts) < per:
            cand = np.column_stack([rng.uniform(minx, maxx, per * 3), rng.uniform(miny, maxy, per * 3)])
            pts = np.vstack([pts, cand[shapely.contains_xy(geom, cand[:, 0], cand[:, 1])]])
        pools[row["code"]] = pts[:per]
    return pools


def _old_communes_by_new(admin: pl.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """2025 commune code → the (pre-2025 commune, district) pairs it absorbed."""
    old = admin.filter((pl.col("level") == "commune") & pl.col("valid_from").is_null())
    out: dict[str, list[tuple[str, str]]] = {}
    for row in old.iter_rows(named=True):
        if row["successor_code"]:
            out.setdefault(row["successor_code"] + "@2025", []).append((row["code"], row["parent_code"]))
    return out


def places(rng: np.random.Generator, admin: pl.DataFrame, hotline: np.ndarray,
           missing_coords_share: float, flood: np.ndarray | None = None) -> Places:
    """``flood``: the inundation reports of a flood, placed in the flooded communes."""
    n = len(hotline)
    new_communes = admin.filter((pl.col("level") == "commune") & pl.col("valid_from").is_not_null()).sort("code")
    pop = new_communes["population"].fill_null(10_000).to_numpy().astype(float)
    urban = np.array([1.6 if name.startswith("Phường") else 1.0 for name in new_communes["name"]])
    place = rng.choice(len(new_communes), size=n, p=pop * urban / (pop * urban).sum())
    if flood is not None and flood.any():
        wet = np.isin([c.split("@")[0] for c in new_communes["code"]], list(flooded_communes()))
        pw = pop * wet / (pop * wet).sum()
        place[flood] = rng.choice(len(new_communes), size=int(flood.sum()), p=pw)
    pools = point_pools(admin, rng)
    new_codes = new_communes["code"].to_list()
    lonlat = np.empty((n, 2))
    for i, code in enumerate(new_codes):
        sel = np.flatnonzero(place == i)
        lonlat[sel] = pools[code][rng.integers(0, len(pools[code]), len(sel))]
    old_by_new = _old_communes_by_new(admin)
    old_code = np.empty(n, dtype=object)
    district = np.empty(n, dtype=object)
    for i, code in enumerate(new_codes):
        sel = np.flatnonzero(place == i)
        members = old_by_new[code]
        pick = rng.integers(0, len(members), len(sel))
        old_code[sel] = [members[j][0] for j in pick]
        district[sel] = [members[j][1] for j in pick]
    missing = rng.random(n) < np.where(hotline, 0.3, 0.0) + missing_coords_share * 0.5
    return Places(lonlat=lonlat, missing=missing, new_code=np.array(new_codes, dtype=object)[place],
                  old_code=old_code, district=district,
                  district_2019=district_2019_at(lonlat[:, 0], lonlat[:, 1]))
