"""The default period of every page: the last complete month of the data, on pinned dates (by hand)."""

from __future__ import annotations

import datetime as dt

import pytest

from views.period import Period


@pytest.mark.parametrize(("last", "first", "expected"), [
    (dt.date(2022, 5, 27), dt.date(2019, 5, 1), Period.month(2022, 4)),  # the seed window ends mid-May
    (dt.date(2022, 5, 31), dt.date(2019, 5, 1), Period.month(2022, 5)),  # May is complete
    (dt.date(2026, 11, 29), None, Period.month(2026, 10)),
    (dt.date(2026, 1, 15), None, Period.month(2025, 12)),  # across the new year
    (dt.date(2024, 2, 29), None, Period.month(2024, 2)),  # a leap day closes February
    (dt.date(2024, 2, 28), None, Period.month(2024, 1)),
    (dt.date(2025, 11, 20), dt.date(2025, 11, 13), Period.month(2025, 11)),  # less than a month of data
])
def test_last_complete_month(last, first, expected):
    assert Period.last_complete_month(last, first) == expected
