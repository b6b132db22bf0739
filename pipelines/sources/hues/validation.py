"""The IOC's check of each report: how long it takes (hotline calls are typed in at once) and, for the
invalid ones, why (spam, duplicate, out of scope, inciting content)."""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.sources.hues.clock import hours
from pipelines.sources.hues.vocabulary import INVALID_REASONS


def validated_at(rng: np.random.Generator, received: np.ndarray, hotline: np.ndarray) -> np.ndarray:
    n = len(received)
    return received + hours(rng.lognormal(np.log(np.where(hotline, 0.3, 1.0)), 0.8, n).clip(0.02, 20))


def invalid_reasons(rng: np.random.Generator, n: int) -> np.ndarray:
    """A reason per report (only the invalid ones keep theirs)."""
    names = list(INVALID_REASONS)
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=np.array(list(INVALID_REASONS.values())))]


DUPLICATE_MAX_GAP_H = 48.0  # a citizen sends the same problem again within two days, or it is a new report
DUPLICATE_JITTER_M = 60.0  # ... from about the same place (GPS of another phone, or another corner)
RESENT_PREFIXES = ("", "", "Phản ánh lại: ", "Vẫn chưa xử lý: ")


def copy_originals(seed: int, reports: pl.DataFrame) -> pl.DataFrame:
    """Make each report the IOC marked ``duplicate`` a duplicate of something: the latest valid report received
    before it (within ``DUPLICATE_MAX_GAP_H``) lends its category, its place (moved a few tens of metres) and
    its title (sometimes with a "sent again" prefix). A duplicate with no such report keeps what it had.

    Draws from its own generator (``seed``): the rest of the simulation is the same as without it."""
    rng = np.random.default_rng([seed, 11])
    order = reports.with_row_index("_i").sort("received_at")
    valid = order["is_valid"].to_numpy()
    dup = (order["invalid_reason"] == "duplicate").fill_null(False).to_numpy()
    t = order["received_at"].dt.epoch("s").to_numpy()
    last_valid, src = -1, np.full(order.height, -1)
    for i in range(order.height):  # in receipt order: the latest valid report before each duplicate
        if dup[i] and last_valid >= 0 and t[i] - t[last_valid] <= DUPLICATE_MAX_GAP_H * 3600:
            src[i] = last_valid
        if valid[i]:
            last_valid = i
    rows = np.flatnonzero(src >= 0)
    if not len(rows):
        return reports
    orig = src[rows]
    cols = {c: order[c].to_numpy().copy() for c in ("category_code", "title", "description", "lat", "lon",
                                                     "admin_unit_code")}
    angle, dist = rng.uniform(0, 2 * np.pi, len(rows)), rng.uniform(0, DUPLICATE_JITTER_M, len(rows))
    prefix = np.array(RESENT_PREFIXES, dtype=object)[rng.integers(0, len(RESENT_PREFIXES), len(rows))]
    for c in ("category_code", "admin_unit_code", "lat", "lon"):
        cols[c][rows] = cols[c][orig]
    lat0 = cols["lat"][rows].astype(float)
    cols["lat"][rows] = lat0 + dist * np.cos(angle) / 111_320.0
    cols["lon"][rows] = cols["lon"][rows].astype(float) + dist * np.sin(angle) / (111_320.0 * np.cos(np.radians(
        np.nan_to_num(lat0, nan=16.46))))
    cols["title"][rows] = [p + str(ti) for p, ti in zip(prefix, cols["title"][orig], strict=True)]
    cols["description"][rows] = [f"{ti}. Đề nghị cơ quan chức năng kiểm tra, xử lý." for ti in cols["title"][rows]]
    out = order.with_columns(
        [pl.Series(c, v, dtype=order.schema[c]) for c, v in cols.items()]).sort("_i").drop("_i")
    return out.with_columns(pl.col("lat").fill_nan(None), pl.col("lon").fill_nan(None))
