"""Reads: polars scans of a table's snapshot, and SQL through the lake's DuckDB engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from lake.access import mask_frame
from lake.catalog import spec

T = TypeVar("T")

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from lake.engine import SqlEngine


class Reads:
    """The read half of :class:`lake.Lake` (a mixin over the lake's snapshots and its SQL engine)."""

    storage_options: Mapping[str, str]
    _engine: SqlEngine
    role: str
    # The answer of ``sql_per_version`` is kept until a table moves, so a view may slice a kept whole-table
    # result instead of issuing a filtered statement. An engine that keeps nothing between calls (the
    # PostgreSQL twin of the reading bench) says False, and the views then issue their filtered statement:
    # each engine answers a call its best way, and both routes must agree (tests/views, bench_reports).
    keeps_results = True

    if TYPE_CHECKING:  # provided by Lake
        def uri(self, name: str) -> str: ...
        def exists(self, name: str) -> bool: ...
        def _delta(self, name: str) -> DeltaTable | None: ...

    def scan(self, name: str) -> pl.LazyFrame:
        """Lazy polars scan of the table (at the lake's pin), personal columns masked for the lake's role
        and columns renamed since the table was written shown under their current names."""
        s = spec(name)
        table = self._delta(name)
        if table is None:
            return mask_frame(_empty(name).lazy(), s, self.role)
        lf = pl.scan_delta(self.uri(name), version=table.version(),
                           storage_options=dict(self.storage_options) or None)
        if s.renamed:
            have = set(lf.collect_schema().names())
            todo = {old: new for old, new in s.renamed.items() if old in have and new not in have}
            if todo:
                lf = lf.rename(todo)
        return mask_frame(lf, s, self.role)

    def read(self, name: str, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The whole table as a polars frame (columns in catalog order)."""
        lf = self.scan(name)
        if columns:
            lf = lf.select(columns)
        elif self.exists(name):  # catalog order; a column the catalog gained since the last write reads as null
            have = set(lf.collect_schema().names())
            empty = _empty(name)
            lf = lf.select([pl.col(c) if c in have else pl.lit(None, empty[c].dtype).alias(c) for c in empty.columns])
        return lf.collect()

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run DuckDB SQL over the lake's tables (named ``layer.table``) with bound parameters.

        Personal columns are masked for the lake's role (``lake.access``). Each table shows its current (or pinned) snapshot, looked up at most every ``max_staleness_s``
        (writes through this lake are seen at once); gold is held in memory per Delta version."""
        return self._engine.sql(query, params)

    def sql_per_version(self, query: str) -> pl.DataFrame:
        """``sql(query)`` for a parameterless query, answered again only when a table it names has a new
        version (the data bounds every page asks for, a table's columns): a memo per Delta version."""
        return self._engine.sql_per_version(query)

    def derived_per_version(self, query: str, make: Callable[[pl.DataFrame], T], kind: str) -> T:
        """``make(sql(query))`` made again only when a table the query names has a new version; only what
        ``make`` returns is held, not the answer (``kind`` names ``make``)."""
        return self._engine.derived_per_version(query, make, kind)


def _empty(name: str) -> pl.DataFrame:
    out = pl.from_arrow(spec(name).schema.empty_table())
    assert isinstance(out, pl.DataFrame)
    return out
