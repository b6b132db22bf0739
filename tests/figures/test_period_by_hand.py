"""Every ``Period`` kind with its names, extent and comparisons written out by hand (with
tests/views/test_period.py: the tests mutmut runs against views/period.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from views.period import Period

D = dt.date


@pytest.mark.parametrize(("text", "index", "label", "vi", "en"), [
    ("2022-05", 5, "2022-05", "Tháng 05/2022", "May 2022"),
    ("2022-12", 12, "2022-12", "Tháng 12/2022", "December 2022"),
    ("2022-Q1", 1, "2022-Q1", "Quý 1/2022", "Q1 2022"),
    ("2022-Q3", 3, "2022-Q3", "Quý 3/2022", "Q3 2022"),
    ("2022-Q4", 4, "2022-Q4", "Quý 4/2022", "Q4 2022"),
    ("2021", 1, "2021", "Năm 2021", "Year 2021"),
    ("2022-03-09..2022-04-02", 0, "2022-03-09..2022-04-02", "Từ 09/03/2022 đến 02/04/2022",
     "09 Mar 2022 to 02 Apr 2022"),
], ids=["may", "december", "q1", "q3", "q4", "year", "range"])
def test_names(text: str, index: int, label: str, vi: str, en: str) -> None:
    p = Period.parse(text)
    assert (p.index, p.label, p.label_vi, p.label_en) == (index, label, vi, en)
    assert Period.parse(p.label) == p


def test_extent_of_each_kind() -> None:
    assert (Period.month(2024, 2).start, Period.month(2024, 2).end) == (D(2024, 2, 1), D(2024, 2, 29))
    assert (Period.month(2023, 12).start, Period.month(2023, 12).end) == (D(2023, 12, 1), D(2023, 12, 31))
    assert (Period.quarter(2022, 3).start, Period.quarter(2022, 3).end) == (D(2022, 7, 1), D(2022, 9, 30))
    assert (Period.quarter(2022, 4).start, Period.quarter(2022, 4).end) == (D(2022, 10, 1), D(2022, 12, 31))
    assert Period.year(2024).days == 366 and Period.month(2022, 2).days == 28
    assert Period.range(D(2022, 5, 3), D(2022, 5, 3)).days == 1
    assert Period.parse("  2022-05 ").label == "2022-05"
    assert Period.parse("2021-11-01..2022-02-28").months == [
        "2021-11", "2021-12", "2022-01", "2022-02"]
    assert Period.year(2022).months[0] == "2022-01" and Period.year(2022).months[-1] == "2022-12"
    q = Period.quarter(2022, 2)
    assert q.start_ts == dt.datetime(2022, 3, 31, 17, tzinfo=dt.UTC)
    assert q.end_ts == dt.datetime(2022, 6, 30, 17, tzinfo=dt.UTC)


def test_comparisons_of_each_kind() -> None:
    assert Period.month(2022, 3).previous() == Period.month(2022, 2)
    assert Period.quarter(2022, 1).previous() == Period.quarter(2021, 4)
    assert Period.quarter(2022, 3).previous() == Period.quarter(2022, 2)
    assert Period.year(2022).previous() == Period.year(2021)
    assert Period.month(2022, 3).same_period_last_year() == Period.month(2021, 3)
    assert Period.quarter(2022, 3).same_period_last_year() == Period.quarter(2021, 3)
    assert Period.year(2022).same_period_last_year() == Period.year(2021)
    r = Period.range(D(2022, 1, 1), D(2022, 1, 10))
    assert r.previous() == Period.range(D(2021, 12, 22), D(2021, 12, 31))
    assert r.same_period_last_year() == Period.range(D(2021, 1, 1), D(2021, 1, 10))
    assert Period.range(D(2024, 2, 29), D(2024, 2, 29)).same_period_last_year() == Period.range(
        D(2023, 2, 28), D(2023, 2, 28))
    assert Period.range(D(2023, 3, 1), D(2024, 2, 29)).same_period_last_year() == Period.range(
        D(2022, 3, 1), D(2023, 2, 28))


@pytest.mark.parametrize(("last", "first", "want"), [
    (D(2022, 5, 31), None, "2022-05"),  # the last day closes May
    (D(2022, 5, 30), None, "2022-04"),  # May's tail is still open
    (D(2022, 1, 15), None, "2021-12"),  # across the year
    (D(2022, 5, 30), D(2022, 4, 2), "2022-05"),  # April not whole: the data started after it began
    (D(2022, 5, 30), D(2022, 4, 1), "2022-04"),  # data from April's first day: April is whole
    (D(2022, 5, 30), D(2022, 3, 1), "2022-04"),
    (D(2022, 12, 31), D(2022, 12, 5), "2022-12"),
], ids=["closed", "open_tail", "new_year", "short_data", "first_day", "long_data", "december"])
def test_last_complete_month(last: dt.date, first: dt.date | None, want: str) -> None:
    got = Period.last_complete_month(last, first)
    assert (got.kind, got.label) == ("month", want)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: Period.month(2022, 0), "tháng không hợp lệ / invalid month: 2022-00"),
    (lambda: Period.month(2022, 13), "tháng không hợp lệ / invalid month: 2022-13"),
    (lambda: Period.quarter(2022, 0), "quý không hợp lệ / invalid quarter: 2022-Q0"),
    (lambda: Period.quarter(2022, 5), "quý không hợp lệ / invalid quarter: 2022-Q5"),
    (lambda: Period("week", D(2022, 1, 1), D(2022, 1, 2)), "loại kỳ không hợp lệ / invalid period kind 'week'"),
    (lambda: Period.range(D(2022, 1, 2), D(2022, 1, 1)),
     "kỳ kết thúc trước khi bắt đầu / period ends before it starts: 2022-01-02..2022-01-01"),
    (lambda: Period.parse("2022-02-30..2022-03-01"), "ngày không hợp lệ / invalid date in '2022-02-30..2022-03-01'"),
    (lambda: Period.parse("2022/05"), "kỳ báo cáo không hợp lệ / invalid period '2022/05': use YYYY-MM, YYYY-Qn, "
                                      "YYYY or YYYY-MM-DD..YYYY-MM-DD"),
], ids=["month0", "month13", "quarter0", "quarter5", "kind", "reversed", "bad_day", "bad_text"])
def test_refusals_say_why(call, message: str) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == message


def test_a_period_of_one_day_and_its_edges_are_accepted() -> None:
    one = Period.range(D(2022, 5, 3), D(2022, 5, 3))
    assert one.previous() == Period.range(D(2022, 5, 2), D(2022, 5, 2))
    assert Period.month(2022, 1).start == D(2022, 1, 1) and Period.month(2022, 12).end == D(2022, 12, 31)
    assert Period.quarter(2022, 1).start == D(2022, 1, 1)
