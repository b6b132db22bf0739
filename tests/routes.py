"""Engines that show a view its other route: the lake seen as an engine that keeps nothing between calls (as
the reading bench's PostgreSQL twin), so the views issue their filtered statements instead of slicing kept
whole-table answers and a test can set the two routes side by side."""

from __future__ import annotations

from typing import Any

import polars as pl

from lake import Lake


class PlainEngine:
    """Only SQL, saying nothing of keeping answers (no ``keeps_results``): a view must take its statements."""

    def __init__(self, lake: Lake) -> None:
        self._lake = lake

    def sql(self, query: str, params: Any = None) -> pl.DataFrame:  # noqa: ANN401
        return self._lake.sql(query, params)

    def sql_per_version(self, query: str) -> pl.DataFrame:
        return self._lake.sql_per_version(query)


class StatementRoute(PlainEngine):
    """The lake as an engine that keeps nothing (``keeps_results`` False); any other attribute is the lake's."""

    keeps_results = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._lake, name)
