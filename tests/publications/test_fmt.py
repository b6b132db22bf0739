import datetime as dt

from publications import fmt


def test_vietnamese_numbers() -> None:
    assert fmt.fmt_int(58000) == "58.000"
    assert fmt.fmt_int(None) == "—"
    assert fmt.fmt_pct(0.975) == "97,5\u00a0%"
    assert fmt.fmt_pct(None) == "—"
    assert fmt.fmt_num(1234.56, 2) == "1.234,56"
    assert fmt.fmt_change_rate(0.55, 0.5) == "+5,0\u00a0điểm\u00a0%"
    assert fmt.fmt_change_rate(0.5, 0.55) == "−5,0\u00a0điểm\u00a0%"
    assert fmt.fmt_change_count(110, 100) == "+10,0\u00a0%"
    assert fmt.fmt_change_count(3, 0) == "+3"
    assert fmt.fmt_change_count(3, None) == "—"


def test_vietnam_time() -> None:
    t = dt.datetime(2022, 5, 31, 20, 30, tzinfo=dt.UTC)
    assert fmt.fmt_datetime(t) == "01/06/2022 03:30"
    assert fmt.fmt_date(t) == "01/06/2022"
