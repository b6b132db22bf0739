import datetime as dt

import pytest

from publications.period import Period


def test_month() -> None:
    p = Period.parse("2022-05")
    assert (p.start, p.end) == (dt.date(2022, 5, 1), dt.date(2022, 5, 31))
    assert p.months == ["2022-05"]
    assert p.previous().label == "2022-04"
    assert p.year_ago().label == "2021-05"
    assert p.label_vi == "Tháng 05/2022"
    assert Period.parse("2022-01").previous().label == "2021-12"


def test_quarter() -> None:
    q = Period.parse("2022-Q2")
    assert (q.start, q.end) == (dt.date(2022, 4, 1), dt.date(2022, 6, 30))
    assert q.months == ["2022-04", "2022-05", "2022-06"]
    assert q.previous().label == "2022-Q1"
    assert Period.parse("2022-q1").previous().label == "2021-Q4"
    assert q.year_ago().label == "2021-Q2"
    assert q.label_vi == "Quý 2/2022"
    assert Period.parse("2021-Q4").end == dt.date(2021, 12, 31)


@pytest.mark.parametrize("bad", ["2022-13", "2022-Q5", "May 2022", "2022/05", ""])
def test_bad_period(bad: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(bad)
