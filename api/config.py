"""API settings: partner keys, rate limits, anonymous access, CAP signing key and public URL.

Each is read from ``HUE_IOC_API_<NAME>`` first, then from the ``[api]`` table of the TOML file
(``api.keys`` is a table key → partner name there). In the environment, keys are listed as
``HUE_IOC_API_KEYS="key1=Partner A,key2=Partner B"``. Keys are secrets: nothing here prints them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from core.settings import ENV_PREFIX, settings


def _setting(name: str, table: dict[str, Any], default: Any = None) -> Any:
    env = os.environ.get(f"{ENV_PREFIX}API_{name.upper()}")
    if env not in (None, ""):
        return env
    return table.get(name, default)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def parse_keys(text: str) -> dict[str, str]:
    """``"key1=Partner A,key2=Partner B"`` → {key: partner}; an entry without a name is refused."""
    keys: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, partner = part.partition("=")
        if not sep or not key.strip() or not partner.strip():
            raise ValueError("HUE_IOC_API_KEYS: each entry must be key=partner name")
        keys[key.strip()] = partner.strip()
    return keys


@dataclass(frozen=True)
class ApiConfig:
    keys: dict[str, str] = field(default_factory=dict, repr=False)  # key -> partner name (never printed)
    allow_anonymous: bool = True
    rate_per_minute: float = 600.0  # per partner key (token bucket: a minute's worth of burst)
    anonymous_rate_per_minute: float = 60.0  # per client address
    signing_key: str | None = None  # PEM private key file: alerts are signed when set
    signing_cert: str | None = None  # PEM X.509 certificate file sent in the signature's KeyInfo
    public_url: str | None = None  # base URL partners reach us at (links in feeds); else the request's
    contact: str = "Trung tâm IOC Huế / Huế IOC — ioc@hue.gov.vn, 1900 1075"
    key_service: str = "Liên hệ IOC Huế để nhận khóa API / Contact the Huế IOC for an API key: ioc@hue.gov.vn"
    lake_staleness_s: float = 2.0

    @classmethod
    def from_settings(cls) -> ApiConfig:
        table = settings().extra.get("api") or {}
        env_keys = os.environ.get(f"{ENV_PREFIX}API_KEYS")
        keys = parse_keys(env_keys) if env_keys else {str(k): str(v) for k, v in (table.get("keys") or {}).items()}
        signing_key = _setting("signing_key", table)
        signing_cert = _setting("signing_cert", table)
        if bool(signing_key) != bool(signing_cert):
            raise ValueError("HUE_IOC_API_SIGNING_KEY and HUE_IOC_API_SIGNING_CERT must be set together")
        return cls(
            keys=keys,
            allow_anonymous=_bool(_setting("allow_anonymous", table, True)),
            rate_per_minute=float(_setting("rate_per_minute", table, cls.rate_per_minute)),
            anonymous_rate_per_minute=float(_setting("anonymous_rate_per_minute", table,
                                                     cls.anonymous_rate_per_minute)),
            signing_key=signing_key,
            signing_cert=signing_cert,
            public_url=_setting("public_url", table),
            contact=str(_setting("contact", table, cls.contact)),
            key_service=str(_setting("key_service", table, cls.key_service)),
        )
