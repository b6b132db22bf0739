"""The lake: Delta tables under one root, written with delta-rs, read with polars and DuckDB.

Nobody else touches Delta files or paths. Writes check the frame against the catalog schema;
merges are retried on commit conflicts; reads can be pinned to a version or a moment (time travel).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
from deltalake import DeltaTable, Field, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

from core.tz import parse_moment
from lake.catalog import LAYERS, TableSpec, catalog, spec
from lake.schema import conform

AsOf = int | dt.datetime | dt.date | str | Mapping[str, int] | None
_TABLE_REF = re.compile(r"\b(bronze|silver|gold)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)


class LakeError(RuntimeError):
    pass


def _storage_options_from_env(root: str) -> dict[str, str]:
    """Object-store options for s3:// roots from the standard AWS_* variables (plus HUE_IOC_S3_*)."""
    if not root.startswith("s3://"):
        return {}
    opts: dict[str, str] = {}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                "AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_S3_ALLOW_UNSAFE_RENAME"):
        val = os.environ.get(f"HUE_IOC_S3_{key.removeprefix('AWS_')}") or os.environ.get(key)
        if val:
            opts[key] = val
    opts.setdefault("AWS_REGION", "us-east-1")
    if opts.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        opts.setdefault("AWS_ALLOW_HTTP", "true")
    # Without a lock provider delta-rs refuses S3 writes; the IOC runs a single writer per table.
    opts.setdefault("AWS_S3_ALLOW_UNSAFE_RENAME", "true")
    return opts


@dataclass
class _ViewState:
    version: int | None
    checked: float = 0.0  # monotonic time of the last look at the Delta log


class Lake:
    """A lake rooted at a local folder or an ``s3://`` URI.

    >>> lake = Lake.open()                       # HUE_IOC_LAKE or ./data/lake
    >>> lake.sql("select count(*) n from silver.reports")
    >>> lake.scan("gold.unit_performance").filter(...).collect()
    >>> old = lake.as_of("2022-05-31")           # every read pinned to that moment
    """

    # Tables smaller than this are copied into DuckDB memory when their version changes: a query then
    # skips parquet decoding entirely (gold tables are small and read constantly by the dashboards).
    CACHE_BYTES = 48 * 1024 * 1024

    def __init__(self, root: str, storage_options: Mapping[str, str] | None = None,
                 as_of: AsOf = None, max_staleness_s: float = 0.0) -> None:
        self.root = root.rstrip("/")
        self.is_local = "://" not in self.root or self.root.startswith("file://")
        if self.is_local:
            self.root = str(Path(self.root.removeprefix("file://")).resolve())
        self.storage_options = dict(storage_options or _storage_options_from_env(self.root))
        self._as_of = as_of
        # 0 = look at the Delta log before every query; a dashboard may accept a second of staleness
        self.max_staleness_s = max_staleness_s
        self._con: duckdb.DuckDBPyConnection | None = None
        self._views: dict[str, _ViewState] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None,
             storage_options: Mapping[str, str] | None = None, max_staleness_s: float = 0.0) -> Lake:
        """Open the lake at ``root`` (default: HUE_IOC_LAKE, then ./data/lake).

        ``max_staleness_s``: how old SQL's picture of a table may be before the Delta log is read again
        (writes through this object are always seen at once)."""
        if root is None:
            from core.settings import settings

            root = settings().lake
        root = str(root)
        if "://" not in root:
            Path(root).mkdir(parents=True, exist_ok=True)
        return cls(root, storage_options, max_staleness_s=max_staleness_s)

    def as_of(self, when: AsOf) -> Lake:
        """A read-only view of the lake at a moment, a version number or ``{table: version}``.

        A moment is a datetime, a date or an ISO string: a date (``"2022-06-01"``) means the end of that
        day in Vietnam time, a time without a zone is UTC. A table that did not exist yet reads as empty.
        Every read of the view (sql, read, scan, versions) sees that snapshot, so a report built from it
        later gives the same numbers even after new data arrived."""
        return Lake(self.root, self.storage_options, as_of=when, max_staleness_s=self.max_staleness_s)

    @property
    def pinned(self) -> bool:
        return self._as_of is not None

    @property
    def pin(self) -> AsOf:
        """What this lake is pinned to (``as_of``'s argument), None when it reads the newest data."""
        return self._as_of

    def uri(self, name: str) -> str:
        """Where a table is stored (for delta-rs tools; the rest of the code goes through this API)."""
        return f"{self.root}/{spec(name).path}"

    # ------------------------------------------------------------------ metadata
    def _delta(self, name: str, as_of: AsOf = None) -> DeltaTable | None:
        """The DeltaTable of ``name`` at the lake's pin (or ``as_of``); None when it does not exist then."""
        when = self._as_of if as_of is None else as_of
        try:
            table = DeltaTable(self.uri(name), storage_options=self.storage_options or None)
        except TableNotFoundError:
            return None
        if when is None:
            return table
        if isinstance(when, Mapping):
            if name not in when:
                return table
            when = when[name]
            if when is None:
                return None
        try:
            if isinstance(when, int):
                table.load_as_version(when)
            else:
                moment = parse_moment(when)
                first = min(h["timestamp"] for h in table.history())  # ms since epoch
                if moment.timestamp() * 1000 < first:
                    return None  # the table did not exist yet
                table.load_as_version(moment)
        except Exception as exc:  # noqa: BLE001 - delta-rs raises several kinds here
            raise LakeError(f"{name}: cannot time-travel to {when!r}: {exc}") from exc
        return table

    def exists(self, name: str) -> bool:
        """Whether the table exists (at the view's moment, for a pinned view)."""
        return self._delta(name) is not None

    def version(self, name: str) -> int | None:
        """The table's Delta version (at the view's moment); None when it does not exist."""
        table = self._delta(name)
        return None if table is None else table.version()

    def versions(self, names: Sequence[str] | None = None) -> dict[str, int | None]:
        """Current (or pinned) version of each table: what a report stamps to be reproducible."""
        return {n: self.version(n) for n in (names or sorted(catalog()))}

    def history(self, name: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The table's commits, newest first: version, timestamp (ms), operation and its metrics."""
        table = self._delta(name, as_of={})
        return [] if table is None else table.history(limit)

    def tables(self) -> pl.DataFrame:
        """Every table with its layer, description, keys, columns and current version."""
        rows = []
        for name, s in sorted(catalog().items()):
            rows.append({
                "table": name,
                "layer": s.layer,
                "description": s.description,
                "keys": ", ".join(s.keys),
                "columns": ", ".join(f"{f.name} {f.type}" for f in s.schema),
                "version": self.version(name),
            })
        return pl.DataFrame(rows)

    # ------------------------------------------------------------------ writing
    def _check_writable(self) -> None:
        if self._as_of is not None:
            raise LakeError("this lake view is pinned with as_of(); it is read-only")

    def _create_if_missing(self, s: TableSpec) -> None:
        if DeltaTable.is_deltatable(self.uri(s.name), storage_options=self.storage_options or None):
            self._add_new_columns(s)
            return
        try:
            DeltaTable.create(self.uri(s.name), schema=s.schema, mode="ignore",
                              partition_by=list(s.partition_by) or None,
                              storage_options=self.storage_options or None,
                              name=s.table, description=s.description or None)
        except Exception:  # a concurrent writer created it first
            if not DeltaTable.is_deltatable(self.uri(s.name), storage_options=self.storage_options or None):
                raise

    def _add_new_columns(self, s: TableSpec) -> None:
        """Columns the catalog gained since the table was written (nullable, added at the end) are added
        to the stored table before a write, so an older lake takes the new schema."""
        table = DeltaTable(self.uri(s.name), storage_options=self.storage_options or None)
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
                        storage_options=self.storage_options or None)
        self._invalidate(name)
        return self.version(name) or 0

    def overwrite(self, name: str, data: pl.DataFrame | pa.Table) -> int:
        """Replace the whole table (gold rebuilds); history keeps the old versions."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        self._create_if_missing(s)
        write_deltalake(self.uri(name), table, mode="overwrite", partition_by=list(s.partition_by) or None,
                        storage_options=self.storage_options or None)
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
        if table.num_rows == 0:
            self._create_if_missing(s)
            return {"num_source_rows": 0}
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.unique(subset=list(s.keys), keep="last", maintain_order=True)
        table = conform(s, frame)
        self._create_if_missing(s)
        predicate = " AND ".join(f"t.{k} = s.{k}" for k in s.keys)
        delay = 0.05
        for attempt in range(retries + 1):
            try:
                target = DeltaTable(self.uri(name), storage_options=self.storage_options or None)
                if target.version() == 0 and not target.file_uris():
                    pass  # empty table: merge still works and keeps one code path
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

    def compact(self, name: str) -> dict[str, Any]:
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return {}
        out = table.optimize.compact()
        self._invalidate(name)
        return out

    def vacuum(self, name: str, retention_hours: int = 168, dry_run: bool = False) -> list[str]:
        """Remove files no longer referenced and older than ``retention_hours`` (time travel stops there)."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return []
        return table.vacuum(retention_hours=retention_hours, dry_run=dry_run,
                            enforce_retention_duration=False)

    # ------------------------------------------------------------------ reading
    def _empty(self, name: str) -> pl.DataFrame:
        out = pl.from_arrow(spec(name).schema.empty_table())
        assert isinstance(out, pl.DataFrame)
        return out

    def scan(self, name: str) -> pl.LazyFrame:
        """Lazy polars scan of the table (at the lake's pin)."""
        table = self._delta(name)
        if table is None:
            return self._empty(name).lazy()
        return pl.scan_delta(self.uri(name), version=table.version(),
                             storage_options=self.storage_options or None)

    def read(self, name: str, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The whole table as a polars frame (columns in catalog order)."""
        lf = self.scan(name)
        if columns:
            lf = lf.select(columns)
        elif self.exists(name):  # catalog order; a column the catalog gained since the last write reads as null
            have = set(lf.collect_schema().names())
            empty = self._empty(name)
            lf = lf.select([pl.col(c) if c in have else pl.lit(None, empty[c].dtype).alias(c) for c in empty.columns])
        return lf.collect()

    # ------------------------------------------------------------------ SQL
    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            con = duckdb.connect(":memory:", config={"threads": 2})
            for layer in LAYERS:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
            con.execute("CREATE SCHEMA IF NOT EXISTS _empty")
            con.execute("CREATE SCHEMA IF NOT EXISTS _remote")
            self._con = con
        return self._con

    def _invalidate(self, name: str) -> None:
        self._views.pop(name, None)

    def _refresh_view(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        s = spec(name)
        state = self._views.get(name)
        now = time.monotonic()
        if state is not None and (self._as_of is not None or now - state.checked < self.max_staleness_s):
            return  # a pinned snapshot never changes; within the staleness window, trust the last look
        table = self._delta(name)
        version = None if table is None else table.version()
        if state is not None and state.version == version and version is not None:
            state.checked = now
            return
        qname = f"{s.layer}.{s.table}"
        files = [] if table is None else table.file_uris()
        cache = False
        if files and self.is_local and s.layer != "bronze":  # raw payloads are scanned, not cached
            try:
                size = sum(Path(f.removeprefix("file://")).stat().st_size for f in files)
                cache = size < self.CACHE_BYTES
            except OSError:
                cache = False
        if not files:
            empty = s.schema.empty_table()  # noqa: F841 - read by DuckDB's replacement scan
            con.execute(f"CREATE OR REPLACE TABLE _empty.{s.layer}__{s.table} AS SELECT * FROM empty")
            con.execute(f"CREATE OR REPLACE VIEW {qname} AS SELECT * FROM _empty.{s.layer}__{s.table}")
        elif self.is_local:
            file_list = ", ".join("'" + f.removeprefix("file://").replace("'", "''") + "'" for f in files)
            hive = "true" if s.partition_by else "false"
            casts = ""
            if s.partition_by:
                # partition values live in the paths, not in the files: cast them back to their types
                parts = []
                for col in s.partition_by:
                    duck_type = _duck_type(s.schema.field(col).type)
                    parts.append(f"CAST({col} AS {duck_type}) AS {col}")
                casts = f" REPLACE ({', '.join(parts)})"
            source = (f"SELECT * {casts} FROM read_parquet([{file_list}], hive_partitioning={hive}, "
                      f"union_by_name=true)")
            if cache:
                con.execute("CREATE SCHEMA IF NOT EXISTS _cache")
                con.execute(f"CREATE OR REPLACE TABLE _cache.{s.layer}__{s.table} AS {source}")
                con.execute(f"CREATE OR REPLACE VIEW {qname} AS SELECT * FROM _cache.{s.layer}__{s.table}")
            else:
                con.execute(f"CREATE OR REPLACE VIEW {qname} AS {source}")
        else:
            # DuckDB cannot reach object stores here (no httpfs): read through delta-rs/polars and copy.
            arrow = pl.scan_delta(self.uri(name), version=version,  # noqa: F841
                                  storage_options=self.storage_options or None).collect().to_arrow()
            con.execute(f"CREATE OR REPLACE TABLE _remote.{s.layer}__{s.table} AS SELECT * FROM arrow")
            con.execute(f"CREATE OR REPLACE VIEW {qname} AS SELECT * FROM _remote.{s.layer}__{s.table}")
        self._views[name] = _ViewState(version, now)

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run DuckDB SQL over the lake's tables (named ``layer.table``) with bound parameters.

        Views point at each table's current (or pinned) snapshot: ``read_parquet(file_uris)``,
        never a glob (after a merge a glob double-counts)."""
        known = catalog()
        with self._lock:
            con = self._connection()
            for layer, table in {(m.group(1).lower(), m.group(2).lower()) for m in _TABLE_REF.finditer(query)}:
                name = f"{layer}.{table}"
                if name in known:
                    self._refresh_view(con, name)
            cur = con.cursor()
        try:
            rel = cur.sql(query, params=params)
            if rel is None:  # a statement without a result set
                return pl.DataFrame()
            out = rel.pl()
            # DuckDB labels UTC as "Etc/UTC"; the lake's frames say "UTC" so that they compare and join
            fix = [pl.col(c).dt.convert_time_zone("UTC") for c, t in out.schema.items()
                   if isinstance(t, pl.Datetime) and t.time_zone not in (None, "UTC")]
            return out.with_columns(fix) if fix else out
        finally:
            cur.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self._views.clear()

    def __repr__(self) -> str:
        pin = f", as_of={self._as_of!r}" if self._as_of is not None else ""
        return f"Lake({self.root!r}{pin})"

    # ------------------------------------------------------------------ files beside the tables
    def artifact_uri(self, kind: str, name: str) -> str:
        """URI of a file stored beside the tables (evidence crops, publications)."""
        return f"{self.root}/{kind}/{name}"

    def put_artifact(self, kind: str, name: str, data: bytes) -> str:
        uri = self.artifact_uri(kind, name)
        if self.is_local:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        else:
            import pyarrow.fs as pafs

            fs, path = pafs.FileSystem.from_uri(uri)
            with fs.open_output_stream(path) as out:
                out.write(data)
        return uri

    def get_artifact(self, uri: str) -> bytes:
        if "://" not in uri or uri.startswith("file://"):
            return Path(uri.removeprefix("file://")).read_bytes()
        import pyarrow.fs as pafs

        fs, path = pafs.FileSystem.from_uri(uri)
        with fs.open_input_stream(path) as inp:
            return inp.read()


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_integer(t):
        return "BIGINT"
    if pa.types.is_floating(t):
        return "DOUBLE"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    return "VARCHAR"
