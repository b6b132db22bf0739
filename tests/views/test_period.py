import datetime as dt

import pytest

from views.period import Period


def test_month() -> None:
    p = Period.parse("2022-05")
    assert (p.start, p.end) == (dt.date(2022, 5, 1), dt.date(2022, 5, 31))
    assert p.months == ["2022-05"]
    assert p.previous().label == "2022-04"
    assert p.same_period_last_year().label == "2021-05"
    assert p.label_vi == "Tháng 05/2022"
    assert Period.parse("2022-01").previous().label == "2021-12"


def test_quarter() -> None:
    q = Period.parse("2022-Q2")
    assert (q.start, q.end) == (dt.date(2022, 4, 1), dt.date(2022, 6, 30))
    assert q.months == ["2022-04", "2022-05", "2022-06"]
    assert q.previous().label == "2022-Q1"
    assert Period.parse("2022-q1").previous().label == "2021-Q4"
    assert q.same_period_last_year().label == "2021-Q2"
    assert q.label_vi == "Quý 2/2022"
    assert Period.parse("2021-Q4").end == dt.date(2021, 12, 31)


def test_year() -> None:
    y = Period.parse("2022")
    assert (y.start, y.end, y.kind) == (dt.date(2022, 1, 1), dt.date(2022, 12, 31), "year")
    assert y.previous().label == "2021"
    assert y.same_period_last_year().label == "2021"
    assert len(y.months) == 12


def test_range() -> None:
    r = Period.parse("2022-05-01..2022-05-07")
    assert (r.start, r.end, r.days) == (dt.date(2022, 5, 1), dt.date(2022, 5, 7), 7)
    # the same length just before it, across the month boundary
    assert (r.previous().start, r.previous().end) == (dt.date(2022, 4, 24), dt.date(2022, 4, 30))
    assert r.same_period_last_year().label == "2021-05-01..2021-05-07"
    assert Period.parse(r.label) == r
    assert Period.parse("2024-02-29..2024-03-02").same_period_last_year().label == "2023-02-28..2023-03-02"
    assert r.start_ts.isoformat() == "2022-05-01T00:00:00+07:00"
    assert r.end_ts.isoformat() == "2022-05-08T00:00:00+07:00"


@pytest.mark.parametrize("bad", ["2022-13", "2022-Q5", "May 2022", "2022/05", "", "2022-05-07..2022-05-01",
                                 "2022-02-30..2022-03-01"])
def test_bad_period(bad: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(bad)
