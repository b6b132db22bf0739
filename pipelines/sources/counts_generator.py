"""Simulated per-minute line counts of a camera fleet (``source = 'simulated'``), for sizing the lake.

A year of 500 cameras is about 1.8 billion rows of ``silver.traffic_counts``: far more than memory, so the
counts are made and written one chunk (a day of the whole fleet, about 5 M rows) at a time. Each camera
has two counting lines; each line counts four classes in the lawful (forward) and the wrong (reverse)
direction. The expected count follows a two-peak day (07:00 and 17:30 Vietnam time, quiet at night), a
camera's own busyness (log-normal) and the class mix of Huế's streets (mostly motorbikes); the counts are
Poisson draws, and a row is written only where something crossed (as the detector writes them).

Loading is exactly-once per chunk: each chunk's append records a watermark (``lake.watermarks``) in the
same commit, and a rerun starts after the last chunk recorded.

>>> for frame in generate(cameras=500, days=365): ...          # never the whole year in memory
>>> load_counts(lake, cameras=500, days=365)                   # {'chunks': 365, 'rows': ...}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import polars as pl

from lake import Lake
from lake.watermarks import watermark

TABLE = "silver.traffic_counts"
SOURCE = "simulated"
LINES = ("l1", "l2")
# class: share of the vehicles crossing a line (motorbikes dominate Huế's traffic)
CLASSES = {"motorcycle": 0.78, "car": 0.15, "bus": 0.02, "truck": 0.05}
REVERSE_SHARE = 0.004  # vehicles crossing against the lawful direction
PEAK_PER_MINUTE = 14.0  # vehicles per line per minute at the rush-hour peak of a typical camera
VN_OFFSET_MIN = 7 * 60


def day_profile() -> np.ndarray:
    """Relative traffic for each minute of a UTC day (1.0 at the busiest minute): two rush hours in
    Vietnam time (07:00 and 17:30) over a daytime plateau, near nothing from midnight to 05:00."""
    local = (np.arange(1440) + VN_OFFSET_MIN) % 1440 / 60.0  # local hour of each UTC minute
    peaks = np.exp(-((local - 7.0) / 1.1) ** 2) + 0.9 * np.exp(-((local - 17.5) / 1.3) ** 2)
    day = 0.35 * np.clip((local - 5.0) / 2.0, 0, 1) * np.clip((23.0 - local) / 2.0, 0, 1)
    profile = 0.02 + day + peaks
    return profile / profile.max()


def camera_ids(cameras: int) -> list[str]:
    return [f"sim-cam-{i:04d}" for i in range(cameras)]


def generate(cameras: int = 500, start: dt.date = dt.date(2025, 1, 1), days: int = 365, seed: int = 2025,
             first_chunk: int = 0) -> Iterator[pl.DataFrame]:
    """One frame of ``silver.traffic_counts`` rows per day of the whole fleet, from chunk ``first_chunk``.

    Each day is drawn from its own seed (``seed``, day index), so chunk k is the same whether the stream
    started at 0 or at k."""
    ids = pl.Series(camera_ids(cameras))
    busyness = np.random.default_rng(seed).lognormal(0.0, 0.5, cameras)  # a camera's own level, fixed
    profile = day_profile()
    combos = [(line, cls, d) for line in LINES for cls in CLASSES for d in ("forward", "reverse")]
    share = np.array([CLASSES[c] * (REVERSE_SHARE if d == "reverse" else 1 - REVERSE_SHARE) for _, c, d in combos])
    lines, classes, directions = (pl.Series([c[i] for c in combos]) for i in range(3))
    for k in range(first_chunk, days):
        rng = np.random.default_rng([seed, k])
        day = start + dt.timedelta(days=k)
        level = PEAK_PER_MINUTE * (0.8 if day.weekday() == 6 else 1.0)  # quieter Sundays
        # minutes × cameras × (line, class, direction): nonzero() then walks minute, camera order, the
        # table's sort order, so the chunk needs no sort
        lam = (profile[:, None, None] * busyness[None, :, None]) * (share[None, None, :] * level)
        counts = rng.poisson(lam)
        minute_idx, cam_idx, combo_idx = np.nonzero(counts)
        t0 = dt.datetime.combine(day, dt.time(), dt.UTC)
        made = t0 + dt.timedelta(days=1)
        yield pl.DataFrame({
            "camera_id": ids.gather(cam_idx),
            "minute": pl.Series(minute_idx.astype(np.int64) * 60_000_000).cast(pl.Duration("us")) + t0,
            "line_id": lines.gather(combo_idx), "class_name": classes.gather(combo_idx),
            "direction": directions.gather(combo_idx),
            "count": counts[minute_idx, cam_idx, combo_idx].astype(np.int64),
            "source": pl.Series([SOURCE]).gather(np.zeros(len(cam_idx), np.int64)),
            "updated_at": pl.Series([made]).gather(np.zeros(len(cam_idx), np.int64)),
        })


def progress_key(cameras: int, start: dt.date, seed: int) -> str:
    """The watermark name of one generated series (its chunks are days from ``start``)."""
    return f"{SOURCE}:counts_generator:{cameras}:{start.isoformat()}:{seed}"


def load_counts(lake: Lake, cameras: int = 500, start: dt.date = dt.date(2025, 1, 1), days: int = 365,
                seed: int = 2025, log=print) -> dict[str, int]:
    """Append the generated counts chunk by chunk, each with its watermark in the same commit; a rerun
    (after a crash or to extend ``days``) continues after the last chunk written."""
    key = progress_key(cameras, start, seed)
    done = watermark(lake, TABLE, key)
    first = 0 if done is None else done + 1
    rows = chunks = 0
    for k, frame in enumerate(generate(cameras, start, days, seed, first_chunk=first), start=first):
        lake.append(TABLE, frame, marks={key: k})
        rows += frame.height
        chunks += 1
        if log is not None:
            log(f"counts: {start + dt.timedelta(days=k)}: {frame.height:,} rows")
    return {"chunks": chunks, "rows": rows, "skipped_chunks": first}
