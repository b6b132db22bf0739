"""Simulated time: numpy datetime64[us] in UTC; Vietnam is UTC+7 all year (no daylight saving)."""

from __future__ import annotations

import datetime as dt

import numpy as np

HOUR_US = 3_600_000_000
VN_OFFSET = np.timedelta64(7, "h")
# the window Hue-S's published figures cover (the seed window): the simulator's default, the calibration's reference
PUBLISHED_START, PUBLISHED_END = dt.date(2019, 5, 1), dt.date(2022, 5, 27)


def hours(x: np.ndarray) -> np.ndarray:
    """Durations in hours (floats) → timedelta64[us]."""
    return (x * HOUR_US).astype("int64").astype("timedelta64[us]")


def horizon(end: dt.date) -> np.datetime64:
    """The last simulated moment: one second before midnight after ``end``, Vietnam time, in UTC."""
    return (np.datetime64(end) + 1).astype("datetime64[us]") - VN_OFFSET - np.timedelta64(1, "s")
