"""Which unit handles a report: drawn per category from CATEGORY_MIX's selectors, resolved to the
units of the report's place; a unit that had not joined Hue-S yet leaves it to the district committee.
Some valid reports first go to another unit and are transferred."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.sources.hues.places import Places
from pipelines.sources.hues.vocabulary import CATEGORY_CODES, CATEGORY_MIX

# selector → unit id prefix + the place code it is completed with
_PER_PLACE = {"commune": ("ubnd_", "old_code"), "district": ("ubnd_", "district"),
              "police": ("ca_", "district"), "power": ("dl_", "district"), "env": ("mt_", "district")}


@dataclass(frozen=True)
class Routing:
    first_unit: np.ndarray  # unit ids (object)
    final_unit: np.ndarray
    transferred: np.ndarray  # bool


def route(draw: np.ndarray, category: np.ndarray, where: Places, received: np.ndarray,
          joined_of: dict[str, np.datetime64]) -> np.ndarray:
    """One unit id per report, chosen by ``draw`` (uniform 0–1) among its category's routes."""
    out = np.empty(len(draw), dtype=object)
    for ci, code in enumerate(CATEGORY_CODES):
        sel = np.flatnonzero(category == ci)
        routes = CATEGORY_MIX[code][1]
        w = np.array([r[1] for r in routes])
        k = np.searchsorted(np.cumsum(w / w.sum()), draw[sel], side="right").clip(0, len(routes) - 1)
        for ri, (selector, _) in enumerate(routes):
            s2 = sel[k == ri]
            if selector in _PER_PLACE:
                prefix, field = _PER_PLACE[selector]
                out[s2] = [prefix + c for c in getattr(where, field)[s2]]
            else:
                out[s2] = selector
    late_join = np.array([joined_of[u] for u in out]) > received.astype("datetime64[D]")
    out[late_join] = ["ubnd_" + d for d in where.district[late_join]]
    return out


def routing(rng: np.random.Generator, units: pl.DataFrame, category: np.ndarray, where: Places,
            received: np.ndarray, valid: np.ndarray, transfer_share: float) -> Routing:
    joined_of = dict(zip(units["unit_id"].to_numpy(), units["joined_on"].to_numpy().astype("datetime64[D]"),
                         strict=True))
    n = len(category)
    final_unit = route(rng.random(n), category, where, received, joined_of)
    transferred = valid & (rng.random(n) < transfer_share)
    first_unit = final_unit.copy()
    alt = route(rng.random(n), category, where, received, joined_of)
    first_unit[transferred] = alt[transferred]
    # a transfer to the same unit is no transfer: it came from the district (or, for a district, a commune)
    same = transferred & (first_unit == final_unit)
    is_district = np.array([u.startswith("ubnd_") and len(u) == 8 for u in final_unit])
    first_unit[same & ~is_district] = ["ubnd_" + d for d in where.district[same & ~is_district]]
    first_unit[same & is_district] = ["ubnd_" + c for c in where.old_code[same & is_district]]
    return Routing(first_unit=first_unit, final_unit=final_unit, transferred=transferred)
