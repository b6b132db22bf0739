"""Vietnamese formats, the string catalog, masking and roles."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards import access, fmt
from dashboards.strings import S, t


def test_vietnamese_numbers_percentages_dates() -> None:
    assert fmt.num(1234567) == "1.234.567"
    assert fmt.num(1234.5, 1) == "1.234,5"
    assert fmt.pct(0.511) == "51,1 %"
    assert fmt.pct(0.977, 1, "en") == "97.7%"
    assert fmt.num(1234567, lang="en") == "1,234,567"
    assert fmt.date(dt.date(2022, 5, 27)) == "27/05/2022"
    # 20:00 UTC is already the next day in Huế
    assert fmt.date(dt.datetime(2022, 5, 27, 20, 0, tzinfo=dt.UTC)) == "28/05/2022"
    assert fmt.datetime(dt.datetime(2022, 5, 27, 7, 5, tzinfo=dt.UTC)) == "27/05/2022 14:05"
    assert fmt.signed_points(0.012) == "+1,2 điểm %"
    assert fmt.signed_pct(-0.143) == "-14,3 %"
    assert fmt.pct(None) == fmt.DASH and fmt.num(float("nan")) == fmt.DASH


def test_catalog_complete_and_vietnamese_first() -> None:
    for key, pair in S.items():
        assert len(pair) == 2 and all(pair), key
    assert t("page_overview", lang="vi") == "Tổng quan"
    assert t("page_overview", lang="en") == "Overview"
    assert t("n_reports", lang="vi", n="3") == "3 phản ánh"
    with pytest.raises(KeyError):
        t("no_such_key")


def test_masking() -> None:
    assert access.mask_phone("0905 123 456") == "090****456"
    assert access.mask_name("Nguyễn Văn An") == "N*** V*** A***"
    assert access.mask_plate("75A-123.45") == "75A-***.**"
    assert access.mask_plate("75-B1 234.56") == "75-B1 ***.**"
    assert "123" not in access.mask_plate("75A12345")


def test_roles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUE_IOC_ROLE", raising=False)
    monkeypatch.setenv("HUE_IOC_CONFIG", "/nonexistent.toml")
    assert access.configured_role() == "leader"
    monkeypatch.setenv("HUE_IOC_ROLE", "operator")
    assert access.configured_role() == "operator"
    monkeypatch.setenv("HUE_IOC_ROLE", "root")  # unknown → the safe default
    assert access.configured_role() == "leader"
    toml = {"dashboard": {"roles": {"operators": ["op@hue.gov.vn"], "walls": ["wall@hue.gov.vn"]}}}
    assert access.role_from_claims({"email": "OP@hue.gov.vn"}, toml) == "operator"
    assert access.role_from_claims({"email": "wall@hue.gov.vn"}, toml) == "wall"
    assert access.role_from_claims({"email": "x@y", "groups": ["staff", "operator"]}) == "operator"
    assert access.role_from_claims({"email": "x@y"}, toml) == "leader"
    assert access.may_see_personal_data("operator") and not access.may_see_personal_data("leader")
    assert not access.may_see_personal_data("wall")
