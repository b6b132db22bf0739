"""The one formatter: every expected string below is written by hand (NBSP = no-break space U+00A0)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from core import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "decimals", "vi", "en"), [
    (1234567, 0, "1.234.567", "1,234,567"),
    (58000, 0, "58.000", "58,000"),
    (1234.5, 1, "1.234,5", "1,234.5"),
    (1234.56, 2, "1.234,56", "1,234.56"),
    (-1234567, 0, "-1.234.567", "-1,234,567"),
    (-0.5, 1, "-0,5", "-0.5"),
    (0, 0, "0", "0"),
    (2.5, 0, "3", "3"),        # half away from zero, not to even
    (-2.5, 0, "-3", "-3"),
    (0.125, 2, "0,13", "0.13"),  # 0.125 is exact in binary: school rounding gives 0.13
    (1.005, 2, "1,01", "1.01"),  # the decimal a person sees (1.005), not the float just below it
    (-0.04, 1, "0,0", "0.0"),    # rounds to zero: no sign
    (np.int64(12345), 0, "12.345", "12,345"),
    (np.float64(0.5), 1, "0,5", "0.5"),
    (Decimal("9876.5"), 1, "9.876,5", "9,876.5"),
])
def test_num(value: object, decimals: int, vi: str, en: str) -> None:
    assert fmt.num(value, decimals) == vi  # type: ignore[arg-type]
    assert fmt.num(value, decimals, "en") == en  # type: ignore[arg-type]


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), np.float64("nan")])
def test_missing_is_a_dash(missing: object) -> None:
    for f in (fmt.num, fmt.pct, fmt.signed_num, fmt.signed_pct, fmt.signed_points):
        assert f(missing) == "—"  # type: ignore[operator]
    assert fmt.change_points(missing, 0.5) == "—"  # type: ignore[arg-type]
    assert fmt.change_count(3, missing) == "—"  # type: ignore[arg-type]
    assert fmt.date(None) == fmt.datetime(None) == fmt.month(None) == "—"


@pytest.mark.parametrize(("rate", "decimals", "vi", "en"), [
    (0.511, 1, f"51,1{NBSP}%", "51.1%"),
    (0.975, 1, f"97,5{NBSP}%", "97.5%"),
    (0.977, 1, f"97,7{NBSP}%", "97.7%"),
    (1.0, 1, f"100,0{NBSP}%", "100.0%"),
    (0.5115, 1, f"51,2{NBSP}%", "51.2%"),  # 51.15 rounds up
    (0.0125, 1, f"1,3{NBSP}%", "1.3%"),
    (0.995, 0, f"100{NBSP}%", "100%"),
    (0.124, 0, f"12{NBSP}%", "12%"),
    (-0.25, 1, f"-25,0{NBSP}%", "-25.0%"),
    (12.3456, 2, f"1.234,56{NBSP}%", "1,234.56%"),
])
def test_pct(rate: float, decimals: int, vi: str, en: str) -> None:
    assert fmt.pct(rate, decimals) == vi
    assert fmt.pct(rate, decimals, "en") == en


def test_signed_changes() -> None:
    assert fmt.signed_num(12) == "+12"
    assert fmt.signed_num(-1234) == "-1.234"
    assert fmt.signed_num(-1234.5, 1, "en") == "-1,234.5"
    assert fmt.signed_num(0) == "±0"
    assert fmt.signed_num(-0.4) == "±0"  # rounds to zero
    assert fmt.signed_points(0.012) == f"+1,2{NBSP}điểm{NBSP}%"
    assert fmt.signed_points(-0.012, "en") == "-1.2 pp"
    assert fmt.signed_pct(-0.143) == f"-14,3{NBSP}%"
    assert fmt.signed_pct(0.123, "en") == "+12.3%"
    assert fmt.signed_pct(0.0) == f"±0,0{NBSP}%"


def test_change_between_periods() -> None:
    assert fmt.change_points(0.55, 0.5) == f"+5,0{NBSP}điểm{NBSP}%"
    assert fmt.change_points(0.5, 0.55) == f"-5,0{NBSP}điểm{NBSP}%"
    assert fmt.change_points(0.5, 0.55, "en") == "-5.0 pp"
    assert fmt.change_count(110, 100) == f"+10,0{NBSP}%"
    assert fmt.change_count(90, 120, "en") == "-25.0%"
    assert fmt.change_count(3, 0) == "+3"  # from zero: the plain difference
    assert fmt.change_count(0, 0) == "±0"


def test_dates_in_vietnam_time() -> None:
    assert fmt.date(dt.date(2022, 5, 27)) == "27/05/2022"
    assert fmt.date(dt.date(2022, 5, 27), "en") == "27/05/2022"
    # 20:00 UTC is already the next day in Huế (UTC+7)
    assert fmt.date(dt.datetime(2022, 5, 27, 20, 0, tzinfo=dt.UTC)) == "28/05/2022"
    assert fmt.datetime(dt.datetime(2022, 5, 27, 7, 5, tzinfo=dt.UTC)) == "27/05/2022 14:05"
    assert fmt.datetime(dt.datetime(2022, 5, 31, 20, 30, tzinfo=dt.UTC)) == "01/06/2022 03:30"
    # a datetime without a zone is UTC, as the lake stores it
    assert fmt.datetime(dt.datetime(2022, 5, 31, 20, 30)) == "01/06/2022 03:30"
    plus7 = dt.timezone(dt.timedelta(hours=7))
    assert fmt.datetime(dt.datetime(2022, 1, 1, 0, 0, tzinfo=plus7)) == "01/01/2022 00:00"
    assert fmt.month("2022-05") == "05/2022"
