"""The lake: Delta tables under one root, written with delta-rs, read with polars and DuckDB.

Nobody else touches Delta files or paths. Writes check the frame against the catalog schema;
merges are retried on commit conflicts; reads can be pinned to a version or a moment (time travel).
"""

from __future__ import annotations

import datetime as dt
import os
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
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from core.tz import parse_moment
from lake.catalog import LAYERS, TableSpec, catalog, spec
from lake.faults import after_commit
from lake.retry import retry_commit
from lake.schema import conform
from lake.watermarks import commit_properties

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
    # S3 conditional writes (If-None-Match) make each Delta commit atomic, so concurrent writers are safe
    # without a lock provider; AWS_S3_ALLOW_UNSAFE_RENAME=true (single writer only) opts out.
    if opts.get("AWS_S3_ALLOW_UNSAFE_RENAME", "").lower() != "true":
        opts.pop("AWS_S3_ALLOW_UNSAFE_RENAME", None)
        opts.setdefault("conditional_put", "etag")
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
            return
        try:
            DeltaTable.create(self.uri(s.name), schema=s.schema, mode="ignore",
                              partition_by=list(s.partition_by) or None,
                              storage_options=self.storage_options or None,
                              name=s.table, description=s.description or None)
        except Exception:  # a concurrent writer created it first
            if not DeltaTable.is_deltatable(self.uri(s.name), storage_options=self.storage_options or None):
                raise

    def append(self, name: str, data: pl.DataFrame | pa.Table, *, marks: Mapping[str, int] | None = None) -> int:
        """Append rows; returns the new version. Appends commit fine concurrently.

        ``marks``: watermarks ({input table: version}) recorded in the same commit (``lake.watermarks``)."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        self._create_if_missing(s)
        if table.num_rows == 0 and not marks:
            return self.version(name) or 0
        retry_commit(lambda: write_deltalake(
            self.uri(name), table, mode="append", partition_by=list(s.partition_by) or None,
            storage_options=self.storage_options or None, commit_properties=commit_properties(name, marks)))
        self._invalidate(name)
        after_commit(name)
        return self.version(name) or 0

    def overwrite(self, name: str, data: pl.DataFrame | pa.Table, *,
                  marks: Mapping[str, int] | None = None) -> int:
        """Replace the whole table (gold rebuilds), retried on commit conflicts; history keeps old versions.

        ``marks``: watermarks ({input table: version}) recorded in the same commit (``lake.watermarks``)."""
        self._check_writable()
        s = spec(name)
        table = conform(s, data)
        self._create_if_missing(s)
        retry_commit(lambda: write_deltalake(
            self.uri(name), table, mode="overwrite", partition_by=list(s.partition_by) or None,
            storage_options=self.storage_options or None, commit_properties=commit_properties(name, marks)))
        self._invalidate(name)
        after_commit(name)
        return self.version(name) or 0

    def merge(self, name: str, data: pl.DataFrame | pa.Table, *, retries: int = 8,
              update: bool = True, marks: Mapping[str, int] | None = None) -> dict[str, int]:
        """Upsert by the table's keys (last row wins within ``data``), retried on commit conflicts.

        With ``update=False`` existing rows are kept as they are (insert-only de-duplication).
        ``marks``: watermarks ({input table: version}) recorded in the same commit (``lake.watermarks``).
        Returns delta-rs merge metrics (num_target_rows_inserted/updated, ...)."""
        self._check_writable()
        s = spec(name)
        if not s.keys:
            raise LakeError(f"{name} has no merge keys; use append()")
        table = conform(s, data)
        if table.num_rows == 0:
            self._create_if_missing(s)
            if marks:
                self.append(name, table, marks=marks)
            return {"num_source_rows": 0}
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        frame = frame.unique(subset=list(s.keys), keep="last", maintain_order=True)
        table = conform(s, frame)
        self._create_if_missing(s)
        predicate = " AND ".join(f"t.{k} = s.{k}" for k in s.keys)  # column names from the catalog

        def attempt() -> dict[str, Any]:
            target = DeltaTable(self.uri(name), storage_options=self.storage_options or None)
            builder = target.merge(table, predicate=predicate, source_alias="s", target_alias="t",
                                   commit_properties=commit_properties(name, marks))
            if update:
                builder = builder.when_matched_update_all()
            builder = builder.when_not_matched_insert_all()
            return builder.execute()

        metrics = retry_commit(attempt, retries=retries)
        self._invalidate(name)
        if not metrics.get("num_target_files_added") and not metrics.get("num_target_files_removed"):
            if marks:  # delta-rs makes no commit for a merge that changes nothing: record the marks alone
                self.append(name, table.slice(0, 0), marks=marks)
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
            target = DeltaTable(self.uri(name), storage_options=self.storage_options or None)
            return (target.merge(source, predicate=predicate, source_alias="s", target_alias="t")
                    .when_matched_delete().execute())

        metrics = retry_commit(attempt)
        self._invalidate(name)
        after_commit(name)
        return int(metrics.get("num_target_rows_deleted", 0))

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
        else:
            lf = lf.select(spec(name).schema.names) if self.exists(name) else lf
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
