"""Schema-checked writes: append, overwrite, merge (retried on commit conflicts) and delete."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, Field, write_deltalake
from deltalake.exceptions import CommitFailedError

from lake.catalog import TableSpec, spec
from lake.errors import LakeError
from lake.schema import conform

if TYPE_CHECKING:
    from lake.timetravel import AsOf


class Writes:
    """The write half of :class:`lake.Lake` (a mixin: it uses the lake's location and read state)."""

    _as_of: AsOf
    storage_options: Mapping[str, str]

    if TYPE_CHECKING:  # provided by Lake
        def uri(self, name: str) -> str: ...
        def version(self, name: str) -> int | None: ...
        def _delta(self, name: str) -> DeltaTable | None: ...
        def _invalidate(self, name: str) -> None: ...

    def _options(self) -> dict[str, str] | None:
        return dict(self.storage_options) or None

    def _check_writable(self) -> None:
        if self._as_of is not None:
            raise LakeError("this lake view is pinned with as_of(); it is read-only")

    def _create_if_missing(self, s: TableSpec, add_columns: bool = True) -> None:
        if DeltaTable.is_deltatable(self.uri(s.name), storage_options=self._options()):
            if add_columns:
                self._add_new_columns(s)
            return
        try:
            DeltaTable.create(self.uri(s.name), schema=s.schema, mode="ignore",
                              partition_by=list(s.partition_by) or None, storage_options=self._options(),
                              name=s.table, description=s.description or None)
        except Exception:  # a concurrent writer created it first
            if not DeltaTable.is_deltatable(self.uri(s.name), storage_options=self._options()):
                raise

    def _add_new_columns(self, s: TableSpec) -> None:
        """Columns the catalog gained since the table was written (nullable, added at the end) are added
        to the stored table before a write, so an older lake takes the new schema."""
        table = DeltaTable(self.uri(s.name), storage_options=self._options())
        have = set(table.schema().to_arrow().names)
        new = [f for f in s.schema if f.name not in have and f.nullable]
        if new:
            table.alter.add_columns([Field.from_arrow(f) for f in new])
            self._invalidate(s.name)

    def append(self, name: str, data: pl.DataFrame | pa.Table) -> int:
        """Append rows; returns the new version. Appends commit fine concurrently."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        self._create_if_missing(s)
        if table.num_rows == 0:
            return self.version(name) or 0
        write_deltalake(self.uri(name), table, mode="append", partition_by=list(s.partition_by) or None,
                        storage_options=self._options())
        self._invalidate(name)
        return self.version(name) or 0

    def overwrite(self, name: str, data: pl.DataFrame | pa.Table) -> int:
        """Replace the whole table (gold rebuilds); history keeps the old versions. The table takes the
        catalog's schema, also when the catalog changed since the last write (a gold table gained a column)."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        # an overwrite replaces the schema in catalog order; adding columns first would leave them at the end
        self._create_if_missing(s, add_columns=False)
        write_deltalake(self.uri(name), table, mode="overwrite", schema_mode="overwrite",
                        partition_by=list(s.partition_by) or None, storage_options=self._options())
        self._invalidate(name)
        return self.version(name) or 0

    def merge(self, name: str, data: pl.DataFrame | pa.Table, *, retries: int = 8,
              update: bool = True, delete_unmatched: str | None = None) -> dict[str, int]:
        """Upsert by the table's keys (last row wins within ``data``), retried on commit conflicts.

        With ``update=False`` existing rows are kept as they are (insert-only de-duplication).
        ``delete_unmatched``: a predicate on the target (alias ``t``); rows matching it that are not in
        ``data`` are deleted, so ``data`` becomes the whole of that slice (e.g. one source's snapshot).
        Returns delta-rs merge metrics (num_target_rows_inserted/updated, ...)."""
        self._check_writable()
        s = spec(name)
        if not s.keys:
            raise LakeError(f"{name} has no merge keys; use append()")
        table = conform(s, data)
        self._create_if_missing(s)
        if table.num_rows == 0:
            return {"num_source_rows": 0}
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        table = conform(s, frame.unique(subset=list(s.keys), keep="last", maintain_order=True))
        predicate = " AND ".join(f"t.{k} = s.{k}" for k in s.keys)  # column names from the catalog
        delay = 0.05
        for attempt in range(retries + 1):
            try:
                target = DeltaTable(self.uri(name), storage_options=self._options())
                builder = target.merge(table, predicate=predicate, source_alias="s", target_alias="t")
                if update:
                    builder = builder.when_matched_update_all()
                builder = builder.when_not_matched_insert_all()
                if delete_unmatched:
                    builder = builder.when_not_matched_by_source_delete(predicate=delete_unmatched)
                metrics = builder.execute()
                self._invalidate(name)
                return {k: v for k, v in metrics.items() if isinstance(v, int)}
            except CommitFailedError:
                if attempt == retries:
                    raise
                time.sleep(delay + random.random() * delay)
                delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def delete(self, name: str, predicate: str) -> int:
        """Delete rows matching a Delta SQL predicate; returns the number deleted."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return 0
        metrics = table.delete(predicate)
        self._invalidate(name)
        return int(metrics.get("num_deleted_rows", 0))
