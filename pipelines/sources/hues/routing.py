"""Which unit handles a report: drawn per category from CATEGORY_MIX's selectors, resolved to the units of
the report's place *and date* (the administrative era: the district units until 2024, those of the
centrally-run city in the first half of 2025, the commune committees from 2025-07-01); a unit that had not
joined Hue-S yet leaves it to the district committee. Some valid reports first go to another unit and are
transferred. Every unit in service gets, each year, at least one report of its sector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.sources.hues.places import Places
from pipelines.sources.hues.units import ERA_SUFFIX
from pipelines.sources.hues.vocabulary import CATEGORY_CODES, CATEGORY_MIX

CITY_UTC = np.datetime64("2024-12-31T17:00:00", "us")  # 2025-01-01 00:00 in Vietnam
REFORM_UTC = np.datetime64("2025-06-30T17:00:00", "us")  # 2025-07-01 00:00 in Vietnam
# selector → unit-id prefix per era, and the place it is completed with (None: a fixed unit of that era)
_PER_PLACE = {
    "commune": (("ubnd_", "old_code", ""), ("ubnd_", "old_code", ""), ("ubnd_", "new_code", "")),
    "district": (("ubnd_", "district_2019", ""), ("ubnd_", "district", ERA_SUFFIX), ("ubnd_", "new_code", "")),
    "police": (("ca_", "district_2019", ""), ("ca_", "district", ERA_SUFFIX), ("ca_tinh" + ERA_SUFFIX, None, "")),
    "power": (("dl_", "district_2019", ""), ("dl_", "district", ERA_SUFFIX), ("pc_hue", None, "")),
    "env": (("mt_", "district_2019", ""), ("mt_", "district", ERA_SUFFIX), ("hepco", None, "")),
}


@dataclass(frozen=True)
class Routing:
    first_unit: np.ndarray  # unit ids (object)
    final_unit: np.ndarray
    transferred: np.ndarray  # bool


def era_index(received: np.ndarray) -> np.ndarray:
    """0 until 2024-12-31, 1 for 2025-01-01 → 2025-06-30, 2 from 2025-07-01 (Vietnam time)."""
    return (received >= CITY_UTC).astype(int) + (received >= REFORM_UTC).astype(int)


def _place_unit(selector: str, era: int, where: Places, idx: np.ndarray) -> list[str]:
    prefix, field, suffix = _PER_PLACE[selector][era]
    if field is None:
        return [prefix] * len(idx)
    return [prefix + c.split("@")[0] + suffix + ("@2025" if c.endswith("@2025") else "")
            for c in getattr(where, field)[idx]]


def local_units(selector: str, where: Places, era: np.ndarray, idx: np.ndarray) -> np.ndarray:
    out = np.empty(len(idx), dtype=object)
    for e in range(3):
        k = np.flatnonzero(era[idx] == e)
        out[k] = _place_unit(selector, e, where, idx[k])
    return out


def route(draw: np.ndarray, category: np.ndarray, where: Places, received: np.ndarray,
          joined_of: dict[str, np.datetime64], renamed: set[str]) -> np.ndarray:
    """One unit id per report, chosen by ``draw`` (uniform 0–1) among its category's routes."""
    out = np.empty(len(draw), dtype=object)
    era = era_index(received)
    for ci, code in enumerate(CATEGORY_CODES):
        sel = np.flatnonzero(category == ci)
        routes = CATEGORY_MIX[code][1]
        w = np.array([r[1] for r in routes])
        k = np.searchsorted(np.cumsum(w / w.sum()), draw[sel], side="right").clip(0, len(routes) - 1)
        for ri, (selector, _) in enumerate(routes):
            s2 = sel[k == ri]
            if selector in _PER_PLACE:
                out[s2] = local_units(selector, where, era, s2)
            else:
                out[s2] = selector
                if selector in renamed:
                    later = s2[era[s2] > 0]
                    out[later] = selector + ERA_SUFFIX
    late_join = np.array([joined_of[u] for u in out]) > received.astype("datetime64[D]")
    out[late_join] = local_units("district", where, era, np.flatnonzero(late_join))
    return out


def _unit_categories() -> dict[str, set[int]]:
    """Selector or unit id → the categories routed to it."""
    out: dict[str, set[int]] = {}
    for ci, code in enumerate(CATEGORY_CODES):
        for selector, _ in CATEGORY_MIX[code][1]:
            out.setdefault(selector, set()).add(ci)
    return out


def _selector_of(unit_id: str) -> str:
    base = unit_id.split("@")[0]
    kind = base.split("_")[0]
    if kind == "ubnd":
        return "district" if len(base) == 8 else "commune"
    return {"ca": "police", "dl": "power", "mt": "env"}.get(kind, base) if base not in (
        "ca_tinh",) else base


def _move(where: Places, i: int, j: int) -> None:
    """Report ``i`` is made at report ``j``'s place."""
    for name in ("lonlat", "new_code", "old_code", "district", "district_2019"):
        getattr(where, name)[i] = getattr(where, name)[j]


def cover_every_unit(rng: np.random.Generator, final_unit: np.ndarray, category: np.ndarray, where: Places,
                     received: np.ndarray, valid: np.ndarray, units: pl.DataFrame) -> np.ndarray:
    """Each unit in service gets at least one valid report of its sector in every calendar year it serves
    (a small unit is seldom drawn at a small scale): one of that year's reports of its categories — in its
    area for a local unit — is given to it, taken from the unit that holds the most that year."""
    from pipelines.sources.admin_units import admin_units_frame

    admin = admin_units_frame().filter(pl.col("level") == "commune")
    parent_of = dict(zip(admin["code"], admin["parent_code"], strict=True))
    out = final_unit.copy()
    cats = _unit_categories()
    years = received.astype("datetime64[Y]").astype(int) + 1970
    days = received.astype("datetime64[D]")
    last_day = days.max()
    for u in units.iter_rows(named=True):
        sel = _selector_of(u["unit_id"])
        ucats = cats.get(sel, set()) | ({CATEGORY_CODES.index("other")} if sel == "district" else set())
        if not ucats:
            continue
        lo = np.datetime64(max(u["joined_on"], u["valid_from"] or u["joined_on"]))
        hi = np.datetime64(u["valid_to"]) if u["valid_to"] is not None else last_day
        in_service = valid & (days >= lo) & (days <= hi) & np.isin(category, list(ucats))
        key = u["admin_unit_code"]
        anywhere = in_service
        home = None
        if sel in ("commune", "district", "police", "power", "env") and key:
            field = ("district_2019" if key.endswith("@2019") else "new_code" if key.endswith("@2025")
                     else "old_code" if sel == "commune" else "district")
            home = getattr(where, field) == key
            in_service = in_service & home
        uid = u["unit_id"]
        if home is not None and not home.any() and sel == "commune" and u["admin_unit_code_2025"]:
            # a commune nobody reported from yet: places of the 2025 commune that absorbed it
            home = (where.new_code == u["admin_unit_code_2025"]) & False
            twins = np.flatnonzero(where.new_code == u["admin_unit_code_2025"])
            if len(twins):
                j = twins[rng.integers(0, len(twins))]
                home_place = (j, key, parent_of.get(key))
            else:
                home_place = None
        else:
            home_place = None
        for y in np.unique(years[anywhere]):
            mine = in_service & (years == y)
            if mine.any() and (out[mine] == uid).any():
                continue
            year_idx = np.flatnonzero(years == y)
            held, counts = np.unique(out[year_idx], return_counts=True)
            spare = set(held[counts > 1])  # never take the only report of a unit's year
            pool = np.flatnonzero(mine)
            pool = pool[np.isin(out[pool], list(spare))]
            if not len(pool):  # none of its sector in its area that year: one made there (a place of it)
                cand = np.flatnonzero(anywhere & (years == y))
                cand = cand[np.isin(out[cand], list(spare))]
                if not len(cand):
                    continue
                i = cand[rng.integers(0, len(cand))]
                if home is not None and home.any():
                    places_there = np.flatnonzero(home)
                    _move(where, i, places_there[rng.integers(0, len(places_there))])
                elif home_place is not None:
                    _move(where, i, home_place[0])
                    where.old_code[i] = home_place[1]
                    if home_place[2] is not None:
                        where.district[i] = home_place[2]
                elif home is not None:
                    continue
                out[i] = uid
                continue
            holders, hc = np.unique(out[pool], return_counts=True)
            donors = pool[out[pool] == holders[hc.argmax()]]
            out[donors[rng.integers(0, len(donors))]] = uid
    return out


def routing(rng: np.random.Generator, units: pl.DataFrame, category: np.ndarray, where: Places,
            received: np.ndarray, valid: np.ndarray, transfer_share: float) -> Routing:
    joined_of = dict(zip(units["unit_id"].to_numpy(), units["joined_on"].to_numpy().astype("datetime64[D]"),
                         strict=True))
    renamed = {u.removesuffix(ERA_SUFFIX) for u in units["unit_id"] if u.endswith(ERA_SUFFIX)
               and not u.startswith(("ubnd_", "ca_", "dl_", "mt_"))}
    renamed.add("ca_tinh")
    n = len(category)
    final_unit = route(rng.random(n), category, where, received, joined_of, renamed)
    transferred = valid & (rng.random(n) < transfer_share)
    first_unit = final_unit.copy()
    alt = route(rng.random(n), category, where, received, joined_of, renamed)
    first_unit[transferred] = alt[transferred]
    final_unit = cover_every_unit(rng, final_unit, category, where, received, valid, units)
    first_unit[~transferred] = final_unit[~transferred]
    # a transfer to the same unit is no transfer: it came from the district (or, for a district, a commune)
    era = era_index(received)
    same = np.flatnonzero(transferred & (first_unit == final_unit))
    district = local_units("district", where, era, same)
    commune = local_units("commune", where, era, same)
    first_unit[same] = np.where(district == final_unit[same], commune, district)
    still = transferred & (first_unit == final_unit)  # from 2025-07-01 the commune is the only local level
    first_unit[still] = np.where(era[still] == 2, "ca_tinh" + ERA_SUFFIX, first_unit[still])
    return Routing(first_unit=first_unit, final_unit=final_unit, transferred=transferred)
