"""Masking of personal data and the roles that may see it."""

from __future__ import annotations

import pytest

from dashboards import access


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
