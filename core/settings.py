"""One place for configuration, read and validated once.

Environment variables with the ``HUE_IOC_`` prefix win; then one optional TOML file (``HUE_IOC_CONFIG``,
default ``./hue_ioc.toml``); then the defaults below. Every value is checked against the ``Settings`` model:
an unknown TOML key, an unknown ``HUE_IOC_*`` variable, a deployment other than ``local``/``production`` or
score weights that do not sum to 1 stop the program with one line naming the setting and where it came from.

No path of any particular machine lives in code: assets and reference data are found through
``HUE_IOC_ASSETS`` / ``HUE_IOC_DATA`` and then the repo-relative ``./assets`` / ``./data``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

ENV_PREFIX = "HUE_IOC_"
WEIGHT_PARTS = ("on_time", "satisfaction", "processed", "speed")
DEFAULT_WEIGHTS = {"on_time": 0.4, "satisfaction": 0.3, "processed": 0.2, "speed": 0.1}

# Read straight from the environment by the module named, never from TOML; declared here so that a
# misspelt HUE_IOC_ variable is refused instead of silently ignored.
ENV_ONLY = {
    "config": "core.settings: path of the TOML file",
    "dashboard_wall": "dashboards.access: wall mode, set by `hue-ioc dashboard --wall`",
    "wall_pages": "dashboards wall page: pages to rotate, comma separated",
    "wall_seconds": "dashboards wall page: seconds per page",
    "dashboard_version_ttl": "dashboards.data: seconds between Delta version checks",
    "cameras": "hue_ioc.defs.cameras: camera configuration file",
    "camera_inbox": "hue_ioc.defs.cameras: folder where new videos arrive",
    "cap_inbox": "hue_ioc.defs.disasters: CAP inbox folders",
    "gauge_inbox": "hue_ioc.defs.disasters: gauge inbox folders",
    "cap_feeds": "hue_ioc.defs.disasters: CAP feed URLs",
}
TABLES = ("dashboard", "api")  # TOML tables, no environment variable of their own
# Families read elsewhere: S3 options (lake.store), the camera fleet's celery broker, backend and queue
# (hue_ioc.defs.cameras), benchmark knobs (bench/), test-only switches (tests/; the fault suite's
# HUE_IOC_TEST_KILL_AT in lake.faults and HUE_IOC_TEST_LEASE_TTL_S in lake.lease).
ENV_PREFIXES_ELSEWHERE = ("HUE_IOC_S3_", "HUE_IOC_CELERY_", "HUE_IOC_BENCH_", "HUE_IOC_TEST_",
                          "HUE_IOC_UPDATE_DOCS_SCREENSHOT")


class SettingsError(ValueError):
    """A setting is unknown or has a value out of its allowed range; the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DashboardRoles(_Strict):
    """E-mail lists of the ``[dashboard.roles]`` TOML table (OIDC logins)."""

    operators: list[str] = []
    leaders: list[str] = []
    walls: list[str] = []


class DashboardSettings(_Strict):
    roles: DashboardRoles = DashboardRoles()
    wall_pages: list[str] | None = None
    wall_seconds: int | None = Field(None, ge=1, le=3600)
    freshness: dict[str, tuple[float, float]] = {}  # source → (amber after s, red after s); views.freshness


class ApiSettings(_Strict):
    """The ``[api]`` TOML table; ``api.config`` reads it (and its ``HUE_IOC_API_<NAME>`` variables, which win)."""

    keys: dict[str, str] = Field(default_factory=dict, repr=False)  # key → partner name; secrets
    allow_anonymous: bool = True
    rate_per_minute: float = Field(600.0, gt=0)
    anonymous_rate_per_minute: float = Field(60.0, gt=0)
    signing_key: str | None = None
    signing_cert: str | None = None
    public_url: str | None = None
    contact: str | None = None
    key_service: str | None = None


class Settings(_Strict):
    lake: str = Field("data/lake", min_length=1)
    assets: str | None = None
    data: str | None = None
    deployment: Literal["local", "production"] = "local"
    language: Literal["vi", "en"] = "vi"
    pg_dsn: str = Field("host=127.0.0.1 port=5432 dbname=test user=postgres", min_length=1, repr=False)
    pg_schema: str = Field("public", min_length=1, max_length=63)  # the app's schema (production source)
    pg_mapping: str | None = None  # YAML source contract (tables, columns, values); None: postgres.sql's layout
    max_reject_rate: float = Field(0.02, ge=0, le=1)  # a load rejecting more than this share fails its check
    reconcile_hours: float = Field(24.0, gt=0)  # how often the source's keys are reconciled (deletions)
    score_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    role: str | None = None  # dashboards.access reads it; an unknown role falls back to the safe ``leader``
    # who reads the lake through the Lake API when a caller names no role (lake.access): analysts see
    # personal data masked; the IOC's own processes name role="service" themselves
    lake_role: Literal["wall", "leader", "analyst", "operator", "service"] = "analyst"
    open311_url: str = ""
    open311_path: str = ""
    open311_tz: str = "UTC"  # zone of the feed's times without an offset (NYC 311: America/New_York)
    open311_jurisdiction: str = "hue"  # a feed of another city keeps its points outside Huế, flagged
    open311_mapping: str | None = None  # CSV mapping table (service code / agency → category / unit)
    cap_trust_store: str | None = None  # PEM file or folder: certificates whose CAP signatures are trusted
    cap_signature_policy: Literal["record", "refuse_invalid", "require_verified"] = "refuse_invalid"
    earliest_plausible: dt.date = dt.date(2000, 1, 1)  # an ingested time before this day is refused
    dashboard: DashboardSettings = DashboardSettings()
    api: ApiSettings = ApiSettings()
    # environment only (see ENV_ONLY)
    config: str | None = None
    dashboard_wall: bool = False
    wall_pages: str | None = None
    wall_seconds: int | None = Field(None, ge=1, le=3600)
    dashboard_version_ttl: float | None = Field(None, ge=0, le=3600)
    cameras: str | None = None
    camera_inbox: str | None = None
    cap_inbox: str | None = None
    gauge_inbox: str | None = None
    cap_feeds: str | None = None
    mqtt_url: str | None = None  # hue-ioc live: mqtt://host:port of the broker (none: no broker)

    _toml: dict[str, Any] = PrivateAttr(default_factory=dict)

    @field_validator("score_weights")
    @classmethod
    def _weights(cls, w: dict[str, float]) -> dict[str, float]:
        if unknown := sorted(set(w) - set(WEIGHT_PARTS)):
            raise ValueError(f"unknown part {', '.join(unknown)}; the parts are {', '.join(WEIGHT_PARTS)}")
        if missing := [p for p in WEIGHT_PARTS if p not in w]:
            raise ValueError(f"missing part {', '.join(missing)} (write 0 to leave a part out)")
        if bad := [k for k, v in w.items() if not math.isfinite(v) or v < 0]:
            raise ValueError(f"weight of {', '.join(bad)} must be a number ≥ 0")
        if not math.isclose(sum(w.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"weights sum to {sum(w.values()):g}; they must sum to 1")
        return w

    @property
    def extra(self) -> dict[str, Any]:
        """The TOML document as read (already validated against this model)."""
        return self._toml


SECRET_ENV = ("HUE_IOC_PG_DSN",)  # read by Dagster resources through dg.EnvVar: never in their config


def mask_dsn(text: str, dsn: str | None = None) -> str:
    """``text`` with every password of a libpq DSN (key=value or URI form) replaced by ``***``.

    With ``dsn`` given, its password is also masked wherever it appears verbatim (e.g. inside a driver's
    error message)."""
    import re

    out = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", text, flags=re.IGNORECASE)
    out = re.sub(r"(postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@", r"\1***@", out, flags=re.IGNORECASE)
    if dsn:
        secret = _dsn_password(dsn)
        if secret and len(secret) >= 3:
            out = out.replace(secret, "***")
    return out


def _dsn_password(dsn: str) -> str | None:
    import re

    m = re.search(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", dsn, flags=re.IGNORECASE)
    if m:
        v = m.group(1)
        return v[1:-1].replace("\\'", "'") if v.startswith("'") else v
    m = re.search(r"postgres(?:ql)?://[^:/@\s]*:([^@\s]*)@", dsn, flags=re.IGNORECASE)
    if m:
        from urllib.parse import unquote

        return unquote(m.group(1))
    return None


def _env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _parse_weights(text: str) -> dict[str, float]:
    """``on_time=0.4,satisfaction=0.3,processed=0.2,speed=0.1``."""
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise SettingsError(f"setting score_weights (env {_env_name('score_weights')}): {part.strip()!r} is "
                                "not part=number; write e.g. on_time=0.4,satisfaction=0.3,processed=0.2,speed=0.1"
                                ) from None
    return out


def _parse_toml(text: bytes, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"settings file {path}: not valid TOML ({exc})") from None


def _load(env: tuple[tuple[str, str], ...], path: Path, text: bytes) -> Settings:
    toml = _parse_toml(text, path)
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    for key, value in toml.items():
        if key == "pg_dsn" and isinstance(value, str) and _dsn_password(value):
            raise SettingsError(f"setting pg_dsn (TOML key in {path}): holds a password; secrets come from the "
                                "environment only (HUE_IOC_PG_DSN, or PGPASSWORD beside a DSN without one)")
        if key in ENV_ONLY:
            raise SettingsError(f"setting {key} (TOML key in {path}): read from the environment only, "
                                f"as {_env_name(key)}")
        values[key], source[key] = value, f"TOML key {key} in {path}"
    fields = Settings.model_fields
    for name, value in env:
        field = name.removeprefix(ENV_PREFIX).lower()
        if field.startswith("api_") and field.removeprefix("api_") in ApiSettings.model_fields:
            continue  # api.config reads these itself
        if field not in fields or field in TABLES:
            if name.startswith(ENV_PREFIXES_ELSEWHERE):
                continue
            known = ", ".join([*(_env_name(f) for f in fields if f not in TABLES),
                               *(_env_name(f"api_{f}") for f in ApiSettings.model_fields)])
            raise SettingsError(f"unknown environment variable {name}; known: {known}")
        if value == "":
            continue  # set but empty: as if unset
        values[field] = _parse_weights(value) if field == "score_weights" else value
        source[field] = f"env {name}"
    try:
        s = Settings(**values)
    except ValidationError as exc:
        raise SettingsError(_explain(exc, source, path)) from None
    s._toml = toml
    return s


def _explain(exc: ValidationError, source: dict[str, str], path: Path) -> str:
    """The first problem as one line: setting, where it came from, the value and what is allowed."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    name = ".".join(loc)
    if err["type"] == "extra_forbidden":
        # only TOML can bring an unknown key: unknown environment variables are refused before
        known = ", ".join(f for f in Settings.model_fields if f not in ENV_ONLY)
        return f"unknown setting {name} (TOML key in {path}); known keys: {known}"
    where = source.get(loc[0], "default")
    if where.startswith("TOML") and len(loc) > 1:
        where = f"TOML key {name} in {path}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    shown = "(secret, not shown)" if loc[0] == "pg_dsn" or name.startswith(("api.keys", "api.signing")) \
        else repr(err["input"])
    return f"setting {name} ({where}): {shown} refused: {msg}"


def settings() -> Settings:
    """Current settings, validated again only when a ``HUE_IOC_`` variable or the TOML file has changed."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX)))
    path = Path(os.environ.get(f"{ENV_PREFIX}CONFIG") or "hue_ioc.toml")
    text = path.read_bytes() if path.is_file() else b""  # the file's bytes are the cache key: no stale read
    return _cached(env, str(path.resolve()), text)


@lru_cache(maxsize=16)
def _cached(env: tuple[tuple[str, str], ...], path: str, text: bytes) -> Settings:
    return _load(env, Path(path), text)


def assets_dir() -> Path | None:
    """Folder of models and videos: HUE_IOC_ASSETS, then ./assets; None when neither exists."""
    s = settings()
    for cand in (s.assets, "assets"):
        if cand and Path(cand).is_dir():
            return Path(cand).resolve()
    return None


def data_dir() -> Path | None:
    """Folder of reference data (boundaries, hydro, CAP, Open311 samples).

    HUE_IOC_DATA, then the ``data`` folder beside the assets folder (shared/assets → shared/data),
    then ./reference-data. None when none exists.
    """
    s = settings()
    cands: list[Path] = []
    if s.data:
        cands.append(Path(s.data))
    a = assets_dir()
    if a is not None:
        cands.append(a.parent / "data")
    cands.append(Path("reference-data"))
    for c in cands:
        if c.is_dir() and (c / "SOURCES.md").exists() or (s.data and c == Path(s.data) and c.is_dir()):
            return c.resolve()
    return None


def asset_path(relative: str) -> Path:
    """Path of one asset file, with a clear error that says how to get it."""
    base = assets_dir()
    if base is not None and (base / relative).exists():
        return base / relative
    raise FileNotFoundError(
        f"asset not found: {relative}. Set HUE_IOC_ASSETS to the assets folder "
        f"(CI uses ../shared/assets) or run `hue-ioc assets fetch`."
    )


def data_path(relative: str) -> Path:
    base = data_dir()
    if base is not None and (base / relative).exists():
        return base / relative
    raise FileNotFoundError(
        f"reference data not found: {relative}. Set HUE_IOC_DATA (or HUE_IOC_ASSETS beside a data folder)."
    )


@lru_cache(maxsize=1)
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
