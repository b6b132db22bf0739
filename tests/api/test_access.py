"""Partner keys (header or query parameter), anonymous access, token-bucket limits answering 429 with
Retry-After, an access log that never shows a key, and the `hue-ioc api` command's defaults."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
import requests

from api.app import create_app
from api.config import ApiConfig
from api.ratelimit import RateLimiter
from lake import Lake
from tests.api.helpers import serve

KEY = "k-9c1d2e-partner-b"
PARTNER = "Đối tác B"
SERVICES = "/open311/v2/services.json"


def test_keys_by_header_or_query_and_the_log_masks_them(api_lake: Lake, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hue_ioc.api.access")
    config = ApiConfig(keys={KEY: PARTNER}, rate_per_minute=1000, anonymous_rate_per_minute=1000)
    with serve(create_app(api_lake, config)) as base:
        assert requests.get(base + SERVICES, headers={"X-API-Key": KEY}, timeout=30).status_code == 200
        assert requests.get(base + SERVICES, params={"api_key": KEY, "lang": "en"}, timeout=30).status_code == 200
        assert requests.get(base + SERVICES, timeout=30).status_code == 200  # anonymous, public rate
        wrong = requests.get(base + SERVICES, headers={"X-API-Key": "not-a-key"}, timeout=30)
        assert wrong.status_code == 401 and wrong.json()[0]["code"] == 401
        wrong_xml = requests.get(base + "/cap/atom.xml", params={"api_key": "not-a-key"}, timeout=30)
        assert wrong_xml.status_code == 401
        assert ET.fromstring(wrong_xml.content).findtext("error/code") == "401"
    lines = [r.getMessage() for r in caplog.records if r.name == "hue_ioc.api.access"]
    assert len(lines) == 5
    assert KEY not in caplog.text and "not-a-key" not in caplog.text
    assert "?api_key=***&lang=en " in lines[1]
    assert f"partner={PARTNER}" in lines[0] and f"partner={PARTNER}" in lines[1]
    assert "partner=-" in lines[2]
    assert KEY not in repr(config)


def test_rate_limits_answer_429_with_retry_after(api_lake: Lake) -> None:
    config = ApiConfig(keys={KEY: PARTNER}, rate_per_minute=2, anonymous_rate_per_minute=3)
    with serve(create_app(api_lake, config)) as base:
        keyed = [requests.get(base + SERVICES, headers={"X-API-Key": KEY}, timeout=30) for _ in range(3)]
        assert [r.status_code for r in keyed] == [200, 200, 429]
        # refilling 2 a minute, the next token is about 30 s away
        assert 1 <= int(keyed[2].headers["Retry-After"]) <= 30
        assert keyed[2].json() == [{"code": 429, "description": keyed[2].json()[0]["description"]}]
        anonymous = [requests.get(base + "/open311/v2/services.xml", timeout=30) for _ in range(4)]
        assert [r.status_code for r in anonymous] == [200, 200, 200, 429]  # its own bucket, a lower rate
        assert 1 <= int(anonymous[3].headers["Retry-After"]) <= 20
        assert ET.fromstring(anonymous[3].content).findtext("error/code") == "429"


def test_anonymous_access_can_be_refused(api_lake: Lake) -> None:
    config = ApiConfig(keys={KEY: PARTNER}, allow_anonymous=False)
    with serve(create_app(api_lake, config)) as base:
        assert requests.get(base + SERVICES, timeout=30).status_code == 401
        assert requests.get(base + SERVICES, headers={"X-API-Key": KEY}, timeout=30).status_code == 200
        doc = requests.get(base + "/openapi.json", timeout=30).json()
    security = doc["paths"]["/open311/v2/requests.{fmt}"]["get"]["security"]
    assert {} not in security and {"ApiKeyHeader": []} in security


def test_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])
    assert [limiter.take("a", 60) for _ in range(60)] == [0.0] * 60  # a minute's worth of burst
    assert limiter.take("a", 60) == pytest.approx(1.0)
    assert limiter.take("b", 60) == 0.0  # buckets are per caller
    now[0] = 2.5
    assert [limiter.take("a", 60) for _ in range(2)] == [0.0, 0.0]
    assert limiter.take("a", 60) == pytest.approx(0.5)


def test_keys_and_signing_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUE_IOC_API_KEYS", "abc=Đối tác A, def=Viettel Huế")
    monkeypatch.setenv("HUE_IOC_API_ANONYMOUS_RATE_PER_MINUTE", "12")
    cfg = ApiConfig.from_settings()
    assert cfg.keys == {"abc": "Đối tác A", "def": "Viettel Huế"}
    assert cfg.anonymous_rate_per_minute == 12.0 and cfg.allow_anonymous
    monkeypatch.setenv("HUE_IOC_API_KEYS", "abc")
    with pytest.raises(ValueError, match="key=partner"):
        ApiConfig.from_settings()
    monkeypatch.setenv("HUE_IOC_API_KEYS", "abc=A")
    monkeypatch.setenv("HUE_IOC_API_SIGNING_KEY", "/somewhere/key.pem")
    with pytest.raises(ValueError, match="together"):
        ApiConfig.from_settings()


def test_the_api_command_listens_on_loopback_by_default() -> None:
    from hue_ioc.cli import build_parser

    args = build_parser().parse_args(["api"])
    assert (args.host, args.port) == ("127.0.0.1", 8311)
    args = build_parser().parse_args(["api", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)
