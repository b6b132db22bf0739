"""The dashboards' only door to the lake: ``lake.sql(query, params)`` with bound parameters.

Results are cached per (query function, arguments, Delta versions of the tables it reads): a page
re-reads a table only when its version changed. Versions themselves are looked up at most every
few seconds, so a wall refreshing every 30 s costs one version check per table per refresh.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import polars as pl
import streamlit as st

from lake import SERVICE, Lake
from lake.catalog import catalog

P = ParamSpec("P")
R = TypeVar("R")

VERSION_TTL_S = float(os.environ.get("HUE_IOC_DASHBOARD_VERSION_TTL", "3"))


@st.cache_resource(show_spinner=False)
def _open_lake(root: str) -> Lake:
    # the same freshness as the page cache: the Delta log is read at most every VERSION_TTL_S per table
    return Lake.open(root, max_staleness_s=VERSION_TTL_S, role=SERVICE)


def get_lake() -> Lake:
    """The lake of this server (HUE_IOC_LAKE or the TOML ``lake``), opened once per root."""
    from core.settings import settings

    return _open_lake(settings().lake)


def has_table(name: str) -> bool:
    """True when the table is declared in the catalog (another domain may not have shipped it yet)."""
    return name in catalog()


@st.cache_data(ttl=VERSION_TTL_S, show_spinner=False, max_entries=512)
def _version(root: str, name: str, _lake: Lake) -> int | None:
    return _lake.version(name)


def table_versions(lake: Lake, tables: Sequence[str]) -> tuple[tuple[str, int | None], ...]:
    return tuple((t, _version(lake.root, t, lake) if has_table(t) else None) for t in tables)


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def _cached_call(name: str, root: str, versions: tuple, args: tuple, kwargs: tuple,
                 _fn: Callable[..., Any], _lake: Lake) -> Any:
    return _fn(_lake, *args, **dict(kwargs))


def versioned(*tables: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Cache a query function ``fn(lake, *args)`` on the Delta versions of ``tables``.

    The undecorated function stays reachable as ``fn.raw`` (benchmarks and tests time/compare it)."""

    def deco(fn: Callable[..., R]) -> Callable[..., R]:
        qual = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(lake: Lake, *args: Any, **kwargs: Any) -> R:
            if lake.pinned:  # a time-travelled view never changes: still cache, keyed by the pin
                versions: tuple = (("as_of", repr(lake.pin)),)
            else:
                versions = table_versions(lake, tables)
            return _cached_call(qual, lake.root, versions, args, tuple(sorted(kwargs.items())),
                                _fn=fn, _lake=lake)

        wrapper.raw = fn  # type: ignore[attr-defined]
        wrapper.tables = tables  # type: ignore[attr-defined]
        return wrapper

    return deco


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def sql(lake: Lake, query: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """``lake.sql`` with bound parameters only (never format values into ``query``).

    Pages build one parameter dict per filter set; only the ``$names`` the query uses are bound
    (DuckDB refuses extra ones)."""
    used = set(_PARAM.findall(query))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    return lake.sql(query, bound or None)
