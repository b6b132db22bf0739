"""What a view derives once from a result the lake keeps per Delta version (``lake.sql_per_version``).

The memo hands back the same frame object until a table it names moves, so that object stands for "this
version": a derivation is made again only when the object changes. One slot per purpose, so a derivation
of an old version is dropped as soon as the table moves (a big one must not linger, the dashboard server
stays under 1 GB)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import polars as pl

T = TypeVar("T")


def keeps(lake: Any) -> bool:  # noqa: ANN401 - a Lake or an engine standing in for it (the PostgreSQL twin)
    """Whether the lake keeps a per-version result between calls (``lake.reads.Reads.keeps_results``): only
    then may a view slice a kept whole-table answer; otherwise it issues its filtered statement."""
    return bool(getattr(lake, "keeps_results", False))


class Kept(Generic[T]):
    """``make(frame)`` made once per kept frame object, the newest only."""

    def __init__(self) -> None:
        self._slot: tuple[pl.DataFrame, T] | None = None

    def of(self, frame: pl.DataFrame, make: Callable[[pl.DataFrame], T]) -> T:
        slot = self._slot  # one read: another thread may replace it meanwhile (then both made the same)
        if slot is not None and slot[0] is frame:
            return slot[1]
        out = make(frame)
        self._slot = (frame, out)
        return out


def runs(column: pl.Series) -> dict[Any, tuple[int, int]]:
    """Per value of a sorted column, its first and end row (nulls included as a value)."""
    rle = column.rle().struct.unnest()
    ends = rle["len"].cum_sum().to_list()
    return {v: (e - n, e) for v, n, e in zip(rle["value"].to_list(), rle["len"].to_list(), ends, strict=True)}
