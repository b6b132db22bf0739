"""When and where Huế floods, for everything the simulators make move together (inundation reports, SOS,
hotline calls, camera incidents).

- November 2025: the real hourly water levels at Kim Long (Hương) and Phú Ốc (Bồ) in
  ``../shared/data/hydro``; the intensity of an hour is how far the higher of the two stands above its
  alarm level 1, as a share of the span from alarm 1 to alarm 3 (QĐ 05/2020/QĐ-TTg levels).
- October–November 2020: no gauge readings of 2020 are in the reference data, so the curve is built from
  the dates of that season's floods (6–13, 16–20 and 26–30 October, 13–16 November 2020, as reported at
  the time), each a rise and fall over its days, and labelled as such.
The flooded communes are the 2025 communes in the level-3 warning corridors of the two gauges."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import polars as pl

from core.settings import data_path

HYDRO_FILE = "hydro/hue_water_levels_kimlong_phuoc_lakes_2025-11.csv"
GAUGES = {"71520": ("Kim Long", 16.41667, 107.5667, (1.0, 3.5)), "71518": ("Phú Ốc", 16.533, 107.467, (1.5, 4.5))}
EPISODES_2020 = (("2020-10-06", "2020-10-13"), ("2020-10-16", "2020-10-20"), ("2020-10-26", "2020-10-30"),
                 ("2020-11-13", "2020-11-16"))
VN_OFFSET = np.timedelta64(7, "h")


@lru_cache(maxsize=1)
def gauge_curve_2025() -> tuple[np.ndarray, np.ndarray]:
    """(hours as datetime64[us] UTC, intensity ≥ 0) from the real readings of November 2025."""
    raw = pl.read_csv(data_path(HYDRO_FILE), infer_schema_length=0, encoding="utf8-lossy")
    code, when, level = raw.columns[1], raw.columns[5], raw.columns[6]
    frame = raw.filter(pl.col(code).is_in(list(GAUGES))).select(
        code=pl.col(code), at=pl.col(when).str.to_datetime("%Y-%m-%d %H:%M", strict=False),
        level=pl.col(level).cast(pl.Float64, strict=False)).drop_nulls()
    lo = {k: v[3][0] for k, v in GAUGES.items()}
    hi = {k: v[3][1] for k, v in GAUGES.items()}
    frame = frame.with_columns(x=((pl.col("level") - pl.col("code").replace_strict(lo, return_dtype=pl.Float64))
                                  / (pl.col("code").replace_strict(hi, return_dtype=pl.Float64)
                                     - pl.col("code").replace_strict(lo, return_dtype=pl.Float64))).clip(0))
    hourly = frame.group_by(pl.col("at").dt.truncate("1h")).agg(pl.col("x").max()).sort("at")
    local = hourly["at"].to_numpy().astype("datetime64[us]")
    return local - VN_OFFSET, hourly["x"].to_numpy()  # the file's "UTC" column holds Vietnam time


def curve_2020() -> tuple[np.ndarray, np.ndarray]:
    """(hours UTC, intensity) of the October–November 2020 floods (dates, not gauge readings)."""
    hours, weights = [], []
    for first, last in EPISODES_2020:
        t0 = np.datetime64(first).astype("datetime64[us]") - VN_OFFSET
        n = int((np.datetime64(last) - np.datetime64(first)).astype(int) + 1) * 24
        x = np.linspace(0, 1, n)
        hours.append(t0 + np.arange(n).astype("timedelta64[h]"))
        weights.append(np.sin(np.pi * x) ** 2)
    return np.concatenate(hours).astype("datetime64[us]"), np.concatenate(weights)


def flood_curve(start: dt.date, end: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Both floods' hours (UTC) and intensities, within [start, end] (Vietnam days)."""
    h20, w20 = curve_2020()
    h25, w25 = gauge_curve_2025()
    hours, w = np.concatenate([h20, h25]), np.concatenate([w20, w25])
    lo = np.datetime64(start).astype("datetime64[us]") - VN_OFFSET
    hi = (np.datetime64(end) + 1).astype("datetime64[us]") - VN_OFFSET
    keep = (hours >= lo) & (hours < hi) & (w > 0)
    return hours[keep], w[keep]


def draw_flood_times(rng: np.random.Generator, n: int, hours: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``n`` moments (datetime64[us], UTC) spread on the flood curve."""
    if n == 0 or not len(hours):
        return np.empty(0, dtype="datetime64[us]")
    pick = rng.choice(len(hours), size=n, p=weights / weights.sum())
    return hours[pick] + (rng.random(n) * 3_600_000_000).astype("int64").astype("timedelta64[us]")


@lru_cache(maxsize=1)
def flooded_communes() -> tuple[str, ...]:
    """The 2025 commune codes (5 digits) in the level-3 corridors of Kim Long and Phú Ốc."""
    from pipelines.disasters import geo

    out: list[str] = []
    for code, (_, lat, lon, _) in GAUGES.items():
        out += [c.code for c in geo.affected_communes(code, lat, lon, 3) if c.code]
    return tuple(sorted(set(out)))
