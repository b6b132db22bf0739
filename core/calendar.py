"""Working days on the Vietnamese calendar (Tết and Hùng Kings are lunar: from `holidays`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import numpy as np

from core.tz import VN_TZ

# Deadlines in working days end at the close of office hours of the last day.
END_OF_DAY = dt.time(17, 0)


@lru_cache(maxsize=8)
def vn_holidays(first_year: int = 2018, last_year: int = 2030) -> np.ndarray:
    """Public holidays of Vietnam as numpy datetime64[D] (sorted)."""
    days = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


def is_working_day(day: dt.date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=vn_holidays()))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """Deadline ``days`` working days after ``start`` (aware datetime): 17:00 Vietnam time of that day.

    The day of receipt does not count; weekends and public holidays are skipped."""
    out = add_working_days_vec(np.array([start.astimezone(VN_TZ).date()], dtype="datetime64[D]"),
                               np.array([days]))
    day = out[0].astype(dt.date)
    return dt.datetime.combine(day, END_OF_DAY, VN_TZ)


def add_working_days_vec(local_days: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Vectorised: local calendar days (datetime64[D]) + N working days → datetime64[D]."""
    return np.busday_offset(local_days.astype("datetime64[D]"), days, roll="forward", holidays=vn_holidays())
