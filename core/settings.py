"""One place for configuration.

Environment variables with the ``HUE_IOC_`` prefix win; then one optional TOML file
(``HUE_IOC_CONFIG``, default ``./hue_ioc.toml``); then the defaults below. No path of any
particular machine lives in code: assets and reference data are found through
``HUE_IOC_ASSETS`` / ``HUE_IOC_DATA`` and then the repo-relative ``./assets`` / ``./data``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ENV_PREFIX = "HUE_IOC_"


def _toml() -> dict[str, Any]:
    path = Path(os.environ.get(f"{ENV_PREFIX}CONFIG", "hue_ioc.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            return tomllib.load(fh)
    return {}


def _get(key: str, default: Any = None) -> Any:
    """Value of setting ``key`` (lower-case name): env ``HUE_IOC_<KEY>``, then TOML, then default."""
    env = os.environ.get(ENV_PREFIX + key.upper())
    if env is not None and env != "":
        return env
    return _toml().get(key, default)


@dataclass(frozen=True)
class Settings:
    lake: str = "data/lake"
    assets: str | None = None
    data: str | None = None
    deployment: str = "local"  # local | production
    language: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    pg_dsn: str = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    score_weights: dict[str, float] = field(
        default_factory=lambda: {"on_time": 0.4, "satisfaction": 0.3, "processed": 0.2, "speed": 0.1}
    )
    extra: dict[str, Any] = field(default_factory=dict)


def settings() -> Settings:
    """Current settings (read each call: tests and CLI flags change the environment)."""
    toml = _toml()
    weights = toml.get("score_weights") or Settings().score_weights
    env_w = os.environ.get(f"{ENV_PREFIX}SCORE_WEIGHTS")
    if env_w:  # "on_time=0.4,satisfaction=0.3,..."
        weights = {k.strip(): float(v) for k, v in (p.split("=") for p in env_w.split(","))}
    return Settings(
        lake=str(_get("lake", Settings.lake)),
        assets=_get("assets"),
        data=_get("data"),
        deployment=str(_get("deployment", "local")),
        language=str(_get("language", "vi")),
        timezone=str(_get("timezone", Settings.timezone)),
        pg_dsn=str(_get("pg_dsn", Settings.pg_dsn)),
        score_weights=dict(weights),
        extra=toml,
    )


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
