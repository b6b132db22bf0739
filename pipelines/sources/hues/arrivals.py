"""When reports arrive, whether they are valid, what they are about and through which channel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pipelines.sources.hues.clock import HOUR_US, VN_OFFSET
from pipelines.sources.hues.vocabulary import CATEGORY_CODES, CATEGORY_MIX


@dataclass(frozen=True)
class Arrivals:
    received: np.ndarray  # datetime64[us], UTC, sorted
    progress: np.ndarray  # 0 → 1: how far into the window each report arrived (use grows, units improve)
    valid: np.ndarray  # bool
    category: np.ndarray  # index into CATEGORY_CODES
    channel: np.ndarray  # channel names (object)

    @property
    def hotline(self) -> np.ndarray:
        return self.channel == "hotline"


def arrivals(rng: np.random.Generator, start: dt.date, end: dt.date, n: int, n_valid: int,
             channels: dict[str, float]) -> Arrivals:
    """Growing use, quieter weekends, the flood season (October–November) busier; office-hour peaks."""
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    t = np.linspace(0, 1, len(days))
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    weight = (0.45 + 1.1 * t) * np.where(weekday >= 5, 0.65, 1.0) * np.where(np.isin(month, [10, 11]), 1.45, 1.0)
    day_idx = np.sort(rng.choice(len(days), size=n, p=weight / weight.sum()))
    hour = np.clip(np.where(rng.random(n) < 0.5, rng.normal(9.0, 1.8, n), rng.normal(15.0, 2.5, n)), 0, 23.99)
    local = days[day_idx].astype("datetime64[us]") + (hour * HOUR_US).astype("int64").astype("timedelta64[us]")
    valid = np.zeros(n, dtype=bool)
    valid[rng.choice(n, size=n_valid, replace=False)] = True
    cat_p = np.array([CATEGORY_MIX[c][0] for c in CATEGORY_CODES])
    category = rng.choice(len(CATEGORY_CODES), size=n, p=cat_p / cat_p.sum())
    names = list(channels)
    channel = rng.choice(len(names), size=n, p=np.array(list(channels.values())))
    return Arrivals(received=local - VN_OFFSET, progress=t[day_idx], valid=valid, category=category,
                    channel=np.array(names, dtype=object)[channel])
