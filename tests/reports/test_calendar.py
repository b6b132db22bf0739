"""Working-day deadlines on the Vietnamese calendar, Tết included."""

import datetime as dt
from zoneinfo import ZoneInfo

from core.calendar import add_working_days, is_working_day

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_deadline_skips_tet_2022():
    # Friday 28 Jan 2022 + 3 working days: Tết holidays 31 Jan–4 Feb and the weekends are skipped
    assert add_working_days(dt.datetime(2022, 1, 28, 9, tzinfo=VN), 3) == dt.datetime(2022, 2, 9, 17, tzinfo=VN)


def test_deadline_skips_lunar_hung_kings_observed():
    # Hùng Kings' day 2022 fell on Sunday 10 April and was observed on Monday 11 April
    assert add_working_days(dt.datetime(2022, 4, 8, 9, tzinfo=VN), 1) == dt.datetime(2022, 4, 12, 17, tzinfo=VN)


def test_ordinary_week():
    assert add_working_days(dt.datetime(2022, 5, 23, 9, tzinfo=VN), 5) == dt.datetime(2022, 5, 30, 17, tzinfo=VN)
    assert not is_working_day(dt.date(2022, 2, 1))  # Tết
    assert not is_working_day(dt.date(2022, 5, 28))  # Saturday
    assert is_working_day(dt.date(2022, 5, 27))
