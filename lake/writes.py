"""Schema-checked writes: append, overwrite, merge and delete by key, each retried on commit conflicts.

Each write may carry watermarks (``marks``, see ``lake.watermarks``) in the same commit, and reports the
commit to ``lake.faults`` (the crash tests' kill points). No write takes a predicate written by a caller:
rows to delete travel as data (``delete_keys``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, Field, write_deltalake

from lake.catalog import TableSpec, spec
from lake.errors import LakeError
from lake.faults import after_commit
from lake.retry import retry_commit
from lake.schema import conform
from lake.watermarks import commit_properties

if TYPE_CHECKING:
    from lake.timetravel import AsOf


class Writes:
    """The write half of :class:`lake.Lake` (a mixin: it uses the lake's location and read state)."""

    _as_of: AsOf
    storage_options: Mapping[str, str]
    role: str
    masked: bool

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
        if self.masked:
            raise LakeError(f"this lake is read as role {self.role!r}, which sees personal data masked, so it is "
                            "read-only; writers open it with role='service' (lake.access)")

    def _create_if_missing(self, s: TableSpec, add_columns: bool = True) -> None:
        if DeltaTable.is_deltatable(self.uri(s.name), storage_options=self._options()):
            self._rename_old_columns(s)
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

    def _stored_partitions(self, s: TableSpec) -> list[str] | None:
        """The partition columns the stored table has (a lake written before the catalog partitioned a
        table keeps its layout until :meth:`repartition`); None for an unpartitioned table."""
        if not s.partition_by:
            return None
        table = DeltaTable(self.uri(s.name), storage_options=self._options())
        return list(table.metadata().partition_columns) or None

    def _sorted(self, s: TableSpec, table: pa.Table) -> pa.Table:
        if not s.sort_by or table.num_rows < 2:
            return table
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return conform(s, frame.sort(list(s.sort_by), maintain_order=True))

    def _rename_old_columns(self, s: TableSpec) -> None:
        """A table written before a column took its current name (``TableSpec.renamed``) is rewritten once
        with the new name, before the first write that needs it: a new version, the same rows; history keeps
        the old one. Readers rename on the fly until then (``lake.reads``, ``lake.engine``)."""
        if not s.renamed:
            return
        table = DeltaTable(self.uri(s.name), storage_options=self._options())
        have = set(table.schema().to_arrow().names)
        todo = {old: new for old, new in s.renamed.items() if old in have and new not in have}
        if not todo:
            return
        renamed = pl.scan_delta(self.uri(s.name), version=table.version(), storage_options=self._options()).rename(todo)
        data = conform(s, renamed.select([c for c in renamed.collect_schema().names() if c in s.schema.names]).collect())
        retry_commit(lambda: write_deltalake(
            self.uri(s.name), data, mode="overwrite", schema_mode="overwrite",
            partition_by=list(s.partition_by) or None, storage_options=self._options()))
        self._invalidate(s.name)

    def _add_new_columns(self, s: TableSpec) -> None:
        """Columns the catalog gained since the table was written (nullable, added at the end) are added
        to the stored table before a write, so an older lake takes the new schema."""
        table = DeltaTable(self.uri(s.name), storage_options=self._options())
        have = set(table.schema().to_arrow().names)
        new = [f for f in s.schema if f.name not in have and f.nullable]
        if new:
            table.alter.add_columns([Field.from_arrow(f) for f in new])
            self._invalidate(s.name)

    def append(self, name: str, data: pl.DataFrame | pa.Table, *, marks: Mapping[str, int] | None = None,
               cursors: Mapping[str, str] | None = None) -> int:
        """Append rows; returns the new version. Appends commit fine concurrently.

        ``marks``: watermarks ({input table: version}) recorded in the same commit (``lake.watermarks``);
        ``cursors``: the source cursors the rows were read with ({source: cursor}), also in that commit."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        self._create_if_missing(s)
        if table.num_rows == 0 and not marks and not cursors:
            return self.version(name) or 0
        table = self._sorted(s, table)
        parts = self._stored_partitions(s)
        retry_commit(lambda: write_deltalake(
            self.uri(name), table, mode="append", partition_by=parts,
            storage_options=self._options(), commit_properties=commit_properties(name, marks, cursors)))
        self._invalidate(name)
        after_commit(name)
        return self.version(name) or 0

    def overwrite(self, name: str, data: pl.DataFrame | pa.Table, *,
                  marks: Mapping[str, int] | None = None) -> int:
        """Replace the whole table (gold rebuilds), retried on commit conflicts; history keeps the old
        versions. The table takes the catalog's schema, also when the catalog changed since the last write
        (a gold table gained a column). ``marks``: watermarks recorded in the same commit."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        # an overwrite replaces the schema in catalog order; adding columns first would leave them at the end
        self._create_if_missing(s, add_columns=False)
        table = self._sorted(s, table)
        retry_commit(lambda: write_deltalake(
            self.uri(name), table, mode="overwrite", schema_mode="overwrite",
            partition_by=list(s.partition_by) or None, storage_options=self._options(),
            commit_properties=commit_properties(name, marks)))
        self._invalidate(name)
        after_commit(name)
        return self.version(name) or 0

    def merge(self, name: str, data: pl.DataFrame | pa.Table, *, retries: int = 8,
              update: bool = True, marks: Mapping[str, int] | None = None,
              cursors: Mapping[str, str] | None = None) -> dict[str, int]:
        """Upsert by the table's keys (last row wins within ``data``), retried on commit conflicts.

        With ``update=False`` existing rows are kept as they are (insert-only de-duplication).
        ``marks``: watermarks ({input table: version}) recorded in the same commit (``lake.watermarks``);
        ``cursors``: source cursors ({source: cursor}) recorded in it too. Returns delta-rs merge metrics (num_target_rows_inserted/updated, ...)."""
        self._check_writable()
        s = spec(name)
        if not s.keys:
            raise LakeError(f"{name} has no merge keys; use append()")
        table = conform(s, data)
        self._create_if_missing(s)
        if table.num_rows == 0:
            if marks or cursors:
                self.append(name, table, marks=marks, cursors=cursors)
            return {"num_source_rows": 0}
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        table = self._sorted(s, conform(s, frame.unique(subset=list(s.keys), keep="last", maintain_order=True)))
        # column names from the catalog; on a partitioned table the partition (a function of the keys)
        # joins the predicate, so the merge reads only the partitions the rows fall in
        parts = [c for c in self._stored_partitions(s) or [] if c in s.month_of]
        predicate = " AND ".join(f"t.{k} = s.{k}" for k in (*parts, *s.keys))

        def attempt() -> dict[str, Any]:
            target = DeltaTable(self.uri(name), storage_options=self._options())
            builder = target.merge(table, predicate=predicate, source_alias="s", target_alias="t",
                                   commit_properties=commit_properties(name, marks, cursors))
            if update:
                builder = builder.when_matched_update_all()
            return builder.when_not_matched_insert_all().execute()

        metrics = retry_commit(attempt, retries=retries)
        self._invalidate(name)
        if not metrics.get("num_target_files_added") and not metrics.get("num_target_files_removed"):
            if marks or cursors:  # delta-rs makes no commit for a merge that changes nothing: record them alone
                self.append(name, table.slice(0, 0), marks=marks, cursors=cursors)
            return {k: v for k, v in metrics.items() if isinstance(v, int)}
        after_commit(name)
        return {k: v for k, v in metrics.items() if isinstance(v, int)}

    def delete_keys(self, name: str, keys: pl.DataFrame) -> int:
        """Delete the rows whose key columns equal a row of ``keys`` (a frame of the table's columns).

        The values travel as data (a merge source), never inside a predicate string, so any station
        code or id is safe. Retried on commit conflicts; returns the number deleted."""
        self._check_writable()
        if keys.is_empty() or self._delta(name) is None:
            return 0
        s = spec(name)
        cols = list(keys.columns)
        unknown = [c for c in cols if c not in s.schema.names]
        if unknown:
            raise LakeError(f"{name}: no columns {unknown}")
        source = keys.unique().to_arrow().cast(pa.schema([s.schema.field(c) for c in cols]))
        predicate = " AND ".join(f"t.{c} = s.{c}" for c in cols)  # column names checked against the catalog

        def attempt() -> dict[str, Any]:
            target = DeltaTable(self.uri(name), storage_options=self._options())
            return (target.merge(source, predicate=predicate, source_alias="s", target_alias="t")
                    .when_matched_delete().execute())

        metrics = retry_commit(attempt)
        self._invalidate(name)
        after_commit(name)
        return int(metrics.get("num_target_rows_deleted", 0))

    def repartition(self, name: str, batch_rows: int = 1_000_000) -> bool:
        """Rewrite a table stored without the catalog's partitioning into it (the upgrade of a lake written
        before the catalog partitioned the table); False when there is nothing to do. The rows stream
        through in batches (never the whole table in memory) and become one new version; earlier versions
        stay readable (``as_of``) until vacuum removes their files."""
        self._check_writable()
        s = spec(name)
        table = self._delta(name)
        if table is None or not s.partition_by or self._stored_partitions(s) == list(s.partition_by):
            return False
        self._add_new_columns(s)
        table = DeltaTable(self.uri(name), storage_options=self._options())
        source = table.to_pyarrow_dataset().to_batches(batch_size=batch_rows)
        batches = (b for batch in source if batch.num_rows
                   for b in conform(s, pa.Table.from_batches([batch])).to_batches())
        reader = pa.RecordBatchReader.from_batches(s.schema, batches)
        retry_commit(lambda: write_deltalake(
            self.uri(name), reader, mode="overwrite", schema_mode="overwrite", partition_by=list(s.partition_by),
            storage_options=self._options()), retries=0)
        self._invalidate(name)
        after_commit(name)
        return True
