"""When reports arrive, whether they are valid, what they are about and through which channel.

One timeline from the launch (2019-05-01) to ``until``: use grows through the seed window (May 2019 – May
2022) and keeps growing, more slowly, after it; weekends are quieter, Tết and the public holidays much
quieter (core.calendar's holidays); the flood season (October–November) is busier, and the floods of
October–November 2020 and November 2025 bring inundation reports from the flooded communes, timed on the
flood curve (pipelines.sources.hues.floods)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from core.calendar import vn_holidays
from pipelines.sources.hues.clock import HOUR_US, VN_OFFSET
from pipelines.sources.hues.floods import draw_flood_times, flood_curve
from pipelines.sources.hues.vocabulary import CATEGORY_CODES, CATEGORY_MIX

FLOOD_SHARE = 0.012  # of the reports of a flood year's window: inundation reports during the flood
HOLIDAY_FACTOR, TET_FACTOR = 0.5, 0.3


@dataclass(frozen=True)
class Arrivals:
    received: np.ndarray  # datetime64[us], UTC, sorted
    progress: np.ndarray  # 0 → 1 over the seed window (above 1 after it): use grows, units improve
    valid: np.ndarray  # bool
    category: np.ndarray  # index into CATEGORY_CODES
    channel: np.ndarray  # channel names (object)
    flood: np.ndarray  # bool: an inundation report made during a flood (placed in a flooded commune)
    in_seed: np.ndarray  # bool: received within the seed window

    @property
    def hotline(self) -> np.ndarray:
        return self.channel == "hotline"


def day_weights(days: np.ndarray, seed_end: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(relative volume of each day, progress): growth, weekends, holidays (Tết lowest), flood months."""
    seed = days <= np.datetime64(seed_end)
    t = np.empty(len(days))
    t[seed] = np.linspace(0, 1, int(seed.sum()))
    after_years = np.maximum((days - np.datetime64(seed_end)).astype(int), 0) / 365.25
    t[~seed] = 1 + after_years[~seed] / 3
    # growth continues after the seed window, slowing: about +35 % in the long run
    base = np.where(seed, 0.45 + 1.1 * t, 1.55 * (1 + 0.35 * (1 - np.exp(-after_years / 2.5))))
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    hol = vn_holidays(int(str(days[0])[:4]), int(str(days[-1])[:4]))
    tet = _tet_days(hol)
    holiday = np.where(np.isin(days, tet), TET_FACTOR, np.where(np.isin(days, hol), HOLIDAY_FACTOR, 1.0))
    weight = base * np.where(weekday >= 5, 0.65, 1.0) * np.where(np.isin(month, [10, 11]), 1.45, 1.0) * holiday
    return weight, t


def _tet_days(holidays: np.ndarray) -> np.ndarray:
    """The holidays in late January – February that run for three days or more (the Tết break)."""
    month = holidays.astype("datetime64[M]").astype(int) % 12 + 1
    cand = holidays[np.isin(month, [1, 2])]
    keep = [d for d in cand if ((cand >= d - 3) & (cand <= d + 3)).sum() >= 3]
    return np.array(keep, dtype="datetime64[D]")


def arrivals(rng: np.random.Generator, start: dt.date, seed_end: dt.date, until: dt.date, n: int, n_valid: int,
             channels: dict[str, float]) -> Arrivals:
    """``n`` reports (``n_valid`` valid) in the seed window [start, seed_end], and as many after it, up to
    ``until``, as the continued growth gives."""
    days = np.arange(np.datetime64(start), np.datetime64(max(until, seed_end)) + 1)
    weight, t = day_weights(days, seed_end)
    seed = days <= np.datetime64(seed_end)
    n_after = 0 if until <= seed_end else round(n * weight[~seed].sum() / weight[seed].sum())
    day_idx = np.concatenate([
        rng.choice(np.flatnonzero(seed), size=n, p=weight[seed] / weight[seed].sum()),
        rng.choice(np.flatnonzero(~seed), size=n_after, p=weight[~seed] / weight[~seed].sum())
        if n_after else np.empty(0, dtype=int)])
    total = n + n_after
    hour = np.clip(np.where(rng.random(total) < 0.5, rng.normal(9.0, 1.8, total), rng.normal(15.0, 2.5, total)),
                   0, 23.99)
    local = days[day_idx].astype("datetime64[us]") + (hour * HOUR_US).astype("int64").astype("timedelta64[us]")
    received = local - VN_OFFSET
    in_seed = np.zeros(total, dtype=bool)
    in_seed[:n] = True
    valid = np.zeros(total, dtype=bool)
    valid[rng.choice(n, size=n_valid, replace=False)] = True
    if n_after:
        valid[n + np.flatnonzero(rng.random(n_after) < n_valid / n)] = True
    cat_p = np.array([CATEGORY_MIX[c][0] for c in CATEGORY_CODES])
    category = rng.choice(len(CATEGORY_CODES), size=total, p=cat_p / cat_p.sum())
    names = list(channels)
    channel = np.array(names, dtype=object)[rng.choice(len(names), size=total, p=np.array(list(channels.values())))]
    # the floods: some reports of each flood's window become inundation reports timed on its curve
    flood = np.zeros(total, dtype=bool)
    hours, w = flood_curve(start, max(until, seed_end))
    for year in np.unique(hours.astype("datetime64[Y]")):
        mine = hours.astype("datetime64[Y]") == year
        seg = np.flatnonzero((days[day_idx].astype("datetime64[Y]") == year) & valid)
        if not len(seg) or not mine.any():
            continue
        k = min(len(seg), max(1, round(FLOOD_SHARE * len(seg))))
        pick = rng.choice(seg, size=k, replace=False)
        received[pick] = draw_flood_times(rng, k, hours[mine], w[mine])
        category[pick] = CATEGORY_CODES.index("flooding")
        flood[pick] = True
    in_seed = received < (np.datetime64(seed_end) + 1).astype("datetime64[us]") - VN_OFFSET
    local_day = (received + VN_OFFSET).astype("datetime64[D]")
    order = np.argsort(received, kind="stable")
    progress = t[(local_day - days[0]).astype(int)]
    return Arrivals(received=received[order], progress=progress[order], valid=valid[order],
                    category=category[order], channel=channel[order], flood=flood[order], in_seed=in_seed[order])
