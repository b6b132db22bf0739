"""Working-day deadlines on hand cases: the answer read off the official calendar, not from `holidays`."""

from __future__ import annotations

import datetime as dt

import numpy as np

from core.calendar import (
    END_OF_DAY,
    VN_TZ,
    add_working_days,
    add_working_days_vec,
    is_working_day,
    vn_holidays,
)

UTC = dt.UTC


def vn(y: int, m: int, d: int, h: int = 17) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=VN_TZ)


def test_end_of_office_hours():
    assert END_OF_DAY == dt.time(17, 0)
    due = add_working_days(vn(2022, 5, 23, 9), 1)  # Monday 09:00 + 1 → Tuesday 17:00 Vietnam time
    assert due == vn(2022, 5, 24)
    assert due.utcoffset() == dt.timedelta(hours=7)
    assert due.astimezone(UTC) == dt.datetime(2022, 5, 24, 10, tzinfo=UTC)


def test_the_day_of_receipt_is_the_vietnam_day_not_the_utc_day():
    # 18:00 UTC Monday 23 May 2022 is 01:00 Tuesday 24 May in Huế: one working day later is Wednesday.
    # Read in UTC it would be Tuesday, 7 hours (a whole day) early.
    assert add_working_days(dt.datetime(2022, 5, 23, 18, tzinfo=UTC), 1) == vn(2022, 5, 25)
    # 16:00 UTC Monday is 23:00 Monday in Huế: Tuesday
    assert add_working_days(dt.datetime(2022, 5, 23, 16, tzinfo=UTC), 1) == vn(2022, 5, 24)


def test_weekend_receipt_counts_from_the_next_working_day():
    # Received Saturday 28 May 2022: treated as received on Monday 30 May, so 1 working day → Tuesday 31 May
    # (rolling backward to Friday would give Monday).
    assert add_working_days(vn(2022, 5, 28, 10), 1) == vn(2022, 5, 31)
    # zero working days from a working day: the same day's close of office
    assert add_working_days(vn(2022, 5, 27, 8), 0) == vn(2022, 5, 27)
    assert add_working_days(vn(2022, 5, 28, 8), 0) == vn(2022, 5, 30)


def test_national_day_and_reunification_day():
    # 2 September 2022 (Friday) and 1 September (Thursday, the extra day off that year); 30 April – 1 May
    assert not is_working_day(dt.date(2022, 9, 2))
    assert not is_working_day(dt.date(2022, 9, 1))
    assert add_working_days(vn(2022, 8, 31, 9), 1) == vn(2022, 9, 5)
    assert not is_working_day(dt.date(2023, 5, 1))  # Monday
    assert is_working_day(dt.date(2023, 5, 4))  # Thursday


def test_calendar_covers_2018_to_2030():
    # Tết Mậu Tuất: 14–20 February 2018 off (Wednesday 14th is the first day)
    assert not is_working_day(dt.date(2018, 2, 14))
    assert add_working_days(vn(2018, 2, 13, 9), 1) == vn(2018, 2, 21)
    # Tết 2030 (lunar new year on Saturday 2 February): Monday 4 February is a holiday
    assert not is_working_day(dt.date(2030, 2, 4))
    days = vn_holidays()
    assert days.dtype == np.dtype("datetime64[D]")
    assert np.all(days[1:] > days[:-1])  # sorted, no duplicates
    assert days[0] == np.datetime64("2018-01-01") and days[-1].astype(dt.date).year == 2030


def test_vectorised_matches_the_calendar():
    start = np.array(["2022-01-28", "2022-05-28", "2022-05-23"], dtype="datetime64[D]")
    out = add_working_days_vec(start, np.array([3, 1, 5]))
    # Tết 2022 (31 Jan – 4 Feb) skipped; Saturday rolls to Monday then +1; a plain week
    assert out.tolist() == [dt.date(2022, 2, 9), dt.date(2022, 5, 31), dt.date(2022, 5, 30)]
    # datetimes are cut to their day
    assert add_working_days_vec(np.array(["2022-05-23T23:00"], dtype="datetime64[m]"), np.array([1])).tolist() \
        == [dt.date(2022, 5, 24)]


def test_a_datetime_counts_by_its_calendar_day():
    # a datetime is a date to Python (and to the type checker): its day decides, whatever the hour.
    # Friday 2 September 2022 at 08:30 is National Day; Thursday 4 May 2023 at 23:59 a working day
    assert not is_working_day(dt.datetime(2022, 9, 2, 8, 30))
    assert is_working_day(dt.datetime(2023, 5, 4, 23, 59))
