"""What a view derives from an answer kept per Delta version (``lake.sql_per_version``): numpy arrays, sorted
runs, indexes; made once per kept frame, since the memo hands back the same frame object until a table moves.

Written once here for every view that slices kept answers. Per kind of derivation only the newest frame is
held, so an old version's arrays (and the old answer they point at) go as soon as a new version is derived: at
5 M reports one kind holds up to a couple of hundred MB, and the live ingest makes a version a minute. Two
lakes read in turn (the current one and one pinned to a date) derive again at each turn."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import polars as pl

_KEPT: dict[str, tuple[pl.DataFrame, Any]] = {}  # kind → (kept frame, what was derived from it)
_LOCK = threading.Lock()


def derived(kind: str, frame: pl.DataFrame, make: Callable[[pl.DataFrame], Any]) -> Any:
    """``make(frame)``, made once per frame object and ``kind`` (a name for ``make``)."""
    held = _KEPT.get(kind)
    if held is not None and held[0] is frame:
        return held[1]
    out = make(frame)
    with _LOCK:
        _KEPT[kind] = (frame, out)
    return out
