"""The citizen app's operational PostgreSQL as a :class:`ReportSource`, and a fast loader into it.

What is read is described by a mapping (``pipelines.sources.mapping``; default ``postgres_default.yaml`` =
the layout of ``postgres.sql``: ``hues_reports``, ``hues_report_events`` and the reference tables
``hues_units``, ``hues_categories``). ``PostgresReportSource(dsn, schema, mapping).fetch(since)`` returns the
reports and events written since the watermark; ``reference()`` the units and categories (loaded into the
lake before the facts); ``keys(table)`` every key now in the app (the periodic deletion reconciliation);
``check()`` one line per problem of connection, tables, columns and mapping. ``seed_postgres(dsn, schema,
records)`` loads canonical records into the default layout with COPY (``seed_postgres_frames`` for frames).

Change capture
--------------
``txid`` (when the app's tables carry ``_txid`` and the ``hues_touch`` trigger of ``postgres.sql``): the
cursor is a transaction-id bound, not a clock. A ``(updated_at, id) > cursor`` scan misses rows whose
transaction commits after a fetch has already moved past their ``updated_at`` (``now()`` is the
transaction's *start*; backfills write historical values). Every row carries ``_txid``, the id of the
transaction that last wrote it (xid8, never wraps; column default on insert, trigger on update). A fetch:

1. in its own statement, takes a snapshot's ``xmax`` and the ids of the transactions still running *in this
   database* (``pg_stat_activity.backend_xid``, prepared transactions). The bound ``hi`` is the smallest of
   them, or ``xmax`` when none runs: every transaction of this database below ``hi`` has finished;
2. then, in a REPEATABLE READ transaction, reads rows with ``lo <= _txid < hi`` (``lo`` = the previous
   ``hi``). Ranges do not overlap, so a change is read once, in its latest version. Watermark ``pgxid:<hi>``.
   A stored bound above the server's next id (a restore elsewhere) reads everything again.

``keyset`` (the app's database may not be altered): rows whose updated-at column is at or after the newest
value seen minus an overlap window (``overlap_seconds``), per table; watermark ``pgts:<reports>|<events>``.
The overlap re-reads the last changes so that a transaction committing a little late is still caught; what
it re-reads again is the same payload (same key and version), which bronze already holds (its raw id is a
hash of source, key and payload) and adds nothing. The contract for the app: set the updated-at column on
every insert and update (``source check`` counts rows where it is NULL), and commit within the window.

Deletions are not visible to either cursor: ``keys()`` serves the periodic key reconciliation
(``pipelines.reports.bronze.reconcile_deletions``), whose policy is stated there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from core.settings import mask_dsn
from pipelines.sources.base import (
    EVENT_KEYS,
    REPORT_KEYS,
    REPORT_OPTIONAL_KEYS,
    RawRecord,
    SourceBatch,
)
from pipelines.sources.mapping import CANONICAL, FACTS, REFERENCE, SourceMapping, TableMap, load_mapping

DDL = Path(__file__).with_name("postgres.sql")
WATERMARK_PREFIX = "pgxid:"
KEYSET_PREFIX = "pgts:"
TXID_COLUMN = "_txid"

REPORT_COLUMNS: tuple[str, ...] = REPORT_KEYS + REPORT_OPTIONAL_KEYS

_TIMESTAMPS = frozenset({"received_at", "updated_at", "deadline_at", "resolved_at", "expected_datetime", "at"})
_TEXT = frozenset({"report_id", "event_id", "unit_id", "to_unit_id", "category_code", "admin_unit_code",
                   "source", "channel", "status", "event_type", "rating", "process_type", "unit_type", "sector",
                   "title", "description", "invalid_reason", "reporter_name", "reporter_phone", "note",
                   "name", "name_vi", "name_en"})
_TZ_TYPES = ("timestamp with time zone",)
_NAIVE_TYPES = ("timestamp without time zone",)
_ISO = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
_BOUND_SQL = """
with snap as (select pg_current_snapshot() as s),
running as (
    select a.backend_xid::text::bigint as x32 from pg_stat_activity a
     where a.datname = current_database() and a.backend_xid is not null and a.pid <> pg_backend_pid()
    union all
    select p.transaction::text::bigint from pg_prepared_xacts p where p.database = current_database()
)
select pg_snapshot_xmax(snap.s)::text::bigint as xmax,
       (select min(x::text::bigint) from pg_snapshot_xip(snap.s) as x
         where (x::text::bigint % 4294967296) in (select x32 from running)) as oldest_running
  from snap
"""
_COLUMNS_SQL = """
select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
 where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm', 'f')
"""
REF_SCHEMAS = {
    "units": {"unit_id": pl.String, "name": pl.String, "unit_type": pl.String, "sector": pl.String,
              "admin_unit_code": pl.String, "joined_on": pl.Date, "source": pl.String},
    "categories": {"category_code": pl.String, "name_vi": pl.String, "name_en": pl.String,
                   "process_type": pl.String, "deadline_hours": pl.Int32, "deadline_working_days": pl.Int32,
                   "source": pl.String},
}


class SourceError(RuntimeError):
    """The source cannot be read (connection, a missing table or column); the message has no password."""


def parse_watermark(since: str | None) -> int:
    if not since:
        return 0
    if not since.startswith(WATERMARK_PREFIX) or not since[len(WATERMARK_PREFIX):].isdigit():
        raise ValueError(f"not a PostgreSQL source watermark: {since!r} (expected '{WATERMARK_PREFIX}<n>')")
    return int(since[len(WATERMARK_PREFIX):])


def parse_keyset(since: str | None) -> dict[str, str | None]:
    """``pgts:<reports>|<events>`` → the newest updated-at seen per fact table (None: nothing yet)."""
    if not since:
        return dict.fromkeys(FACTS)
    if not since.startswith(KEYSET_PREFIX) or since.count("|") != 1:
        raise ValueError(f"not a PostgreSQL source watermark: {since!r} "
                         f"(expected '{KEYSET_PREFIX}<reports>|<events>')")
    parts = since[len(KEYSET_PREFIX):].split("|")
    return {t: (p or None) for t, p in zip(FACTS, parts, strict=True)}


def create_schema(conn: psycopg.Connection, schema: str) -> None:
    """Create ``schema`` and the app's tables in it (idempotent)."""
    with conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("set local search_path to {}").format(sql.Identifier(schema)))
        conn.execute(DDL.read_text(encoding="utf-8"))


@dataclass
class PostgresReportSource:
    """Reports and events of the citizen app's database, read incrementally (see the module docstring)."""

    dsn: str = field(repr=False)
    schema: str = "public"
    mapping: SourceMapping = field(default_factory=load_mapping)
    connect_timeout: int = 10
    name: str = "postgres"

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.dsn, autocommit=True, connect_timeout=self.connect_timeout,
                                   options="-c timezone=UTC")
        except psycopg.Error as exc:
            raise SourceError(f"PostgreSQL source ({mask_dsn(self.dsn)}): cannot connect: "
                              f"{mask_dsn(str(exc).strip(), self.dsn)}") from None

    def describe(self) -> str:
        """Where this source reads, without the password."""
        return f"{mask_dsn(self.dsn)} schema {self.schema}"

    def bound(self, conn: psycopg.Connection) -> tuple[int, int]:
        """(xmax, hi): the next transaction id and the exclusive upper bound of what may be read now."""
        row = conn.execute(_BOUND_SQL).fetchone()
        assert row is not None
        xmax, oldest = int(row[0]), row[1]
        return xmax, min(xmax, int(oldest)) if oldest is not None else xmax

    # -- the database as it is
    def layout(self, conn: psycopg.Connection) -> dict[str, dict[str, str]]:
        """table → column → type, of the tables in ``schema``."""
        out: dict[str, dict[str, str]] = {}
        for table, column, typ in conn.execute(_COLUMNS_SQL, (self.schema,)).fetchall():
            out.setdefault(table, {})[column] = typ
        return out

    def capture_mode(self, layout: dict[str, dict[str, str]]) -> str:
        """``txid`` or ``keyset``, as the mapping asks (``auto``: txid when both fact tables carry _txid)."""
        mode = self.mapping.change_capture
        if mode != "auto":
            return mode
        has = all(TXID_COLUMN in layout.get(self.mapping.tables[t].table, {}) for t in FACTS)
        return "txid" if has else "keyset"

    def _need(self, layout: dict[str, dict[str, str]], tm: TableMap) -> dict[str, str]:
        cols = layout.get(tm.table)
        if cols is None:
            raise SourceError(f"PostgreSQL source: table {self.schema}.{tm.table} ({tm.name}) does not exist "
                              "(run `hue-ioc source check`)")
        missing = [c for c in tm.source_columns() if c not in cols]
        if missing:
            raise SourceError(f"PostgreSQL source: table {self.schema}.{tm.table} has no column "
                              f"{', '.join(missing)} (run `hue-ioc source check`)")
        return cols

    def _expr(self, canonical: str, column: str | None, typ: str) -> sql.Composable:
        alias = sql.Identifier(canonical)
        if column is None:
            return sql.SQL("null as {}").format(alias)
        col = sql.Identifier(column)
        if canonical in _TIMESTAMPS or canonical == "joined_on":
            if typ in _TZ_TYPES:
                return sql.SQL("to_char({} at time zone 'UTC', {}) as {}").format(col, sql.Literal(_ISO), alias)
            if typ in _NAIVE_TYPES:  # the app's local time: give it its zone
                return sql.SQL("to_char(({} at time zone {}) at time zone 'UTC', {}) as {}").format(
                    col, sql.Literal(self.mapping.timezone), sql.Literal(_ISO), alias)
            return sql.SQL("{}::text as {}").format(col, alias)
        if canonical in _TEXT:
            return sql.SQL("{}::text as {}").format(col, alias)
        return sql.SQL("{} as {}").format(col, alias)

    def _select(self, tm: TableMap, types: dict[str, str], where: sql.Composable, order: sql.Composable
                ) -> tuple[sql.Composed, list[str]]:
        canon = CANONICAL[tm.name][0]
        exprs = [self._expr(c, tm.columns.get(c), types.get(tm.columns.get(c) or "", "")) for c in canon]
        q = sql.SQL("select {} from {}.{} where {} order by {}").format(
            sql.SQL(", ").join(exprs), sql.Identifier(self.schema), sql.Identifier(tm.table), where, order)
        return q, list(canon)

    def _records(self, kind: str, tm: TableMap, names: list[str], rows: list[tuple[Any, ...]]) -> list[RawRecord]:
        out = []
        for row in rows:
            payload = {c: self.mapping.recode(c, v) for c, v in zip(names, row, strict=True)}
            if kind == "report":
                payload = {k: payload[k] for k in REPORT_COLUMNS}
                if payload["source"] is None:
                    payload["source"] = self.name
            else:
                payload = {k: payload[k] for k in EVENT_KEYS}
            out.append(RawRecord(kind, self.name, payload[tm.key], payload))
        return out

    # -- reading
    def fetch(self, since: str | None = None) -> SourceBatch:
        with self._connect() as conn:
            layout = self.layout(conn)
            maps = {t: self.mapping.tables[t] for t in FACTS}
            types = {t: self._need(layout, tm) for t, tm in maps.items()}
            mode = self.capture_mode(layout)
            if mode == "txid":
                if since and since.startswith(KEYSET_PREFIX):
                    since = None  # the cursor changed kind: read everything again (bronze adds nothing twice)
                return self._fetch_txid(conn, maps, types, since)
            if since and since.startswith(WATERMARK_PREFIX):
                since = None
            return self._fetch_keyset(conn, maps, types, since)

    def _fetch_txid(self, conn: psycopg.Connection, maps: dict[str, TableMap], types: dict[str, dict[str, str]],
                    since: str | None) -> SourceBatch:
        lo = parse_watermark(since)
        xmax, hi = self.bound(conn)  # statement 1, its own (autocommit) transaction
        if lo > xmax:  # the bound is from another server's history (restore): read everything again
            lo = 0
        txid = sql.Identifier(TXID_COLUMN)
        where = sql.SQL("{0} >= %s::text::xid8 and {0} < %s::text::xid8").format(txid)
        records: list[RawRecord] = []
        with conn.transaction():
            conn.execute("set transaction isolation level repeatable read, read only")
            with conn.cursor() as cur:
                for table, kind in (("reports", "report"), ("events", "event")):
                    tm = maps[table]
                    order = sql.SQL("{}, {}").format(txid, sql.Identifier(tm.columns[tm.key] or tm.key))
                    q, names = self._select(tm, types[table], where, order)
                    cur.execute(q, (str(lo), str(hi)))
                    records += self._records(kind, tm, names, cur.fetchall())
        # Rows are passed on as stored (no vocabulary checks): the pipeline validates them into silver.
        return SourceBatch(records=records, rejects=[], watermark=f"{WATERMARK_PREFIX}{max(hi, lo)}")

    def _fetch_keyset(self, conn: psycopg.Connection, maps: dict[str, TableMap],
                      types: dict[str, dict[str, str]], since: str | None) -> SourceBatch:
        marks = parse_keyset(since)
        overlap = dt.timedelta(seconds=self.mapping.overlap_seconds)
        records: list[RawRecord] = []
        new_marks: dict[str, str | None] = {}
        with conn.transaction():
            conn.execute("set transaction isolation level repeatable read, read only")
            with conn.cursor() as cur:
                for table, kind in (("reports", "report"), ("events", "event")):
                    tm = maps[table]
                    vcol = tm.columns[tm.version] if tm.version else None
                    if vcol is None:
                        raise SourceError(f"PostgreSQL source: keyset change capture needs an updated-at column "
                                          f"for {tm.name} (mapping 'version')")
                    vtype = types[table].get(vcol, "")
                    if vtype not in _TZ_TYPES + _NAIVE_TYPES:
                        raise SourceError(f"PostgreSQL source: {self.schema}.{tm.table}.{vcol} is {vtype}, "
                                          "not a timestamp: it cannot serve as the keyset cursor")
                    v = sql.Identifier(vcol)
                    cast = sql.SQL("timestamptz" if vtype in _TZ_TYPES else "timestamp")
                    mark = marks[table]
                    if mark is None:
                        where: sql.Composable = sql.SQL("true")
                        params: tuple[Any, ...] = ()
                    else:
                        where = sql.SQL("{} >= %s::text::{} - %s").format(v, cast)
                        params = (mark, overlap)
                    order = sql.SQL("{}, {}").format(v, sql.Identifier(tm.columns[tm.key] or tm.key))
                    q, names = self._select(tm, types[table], where, order)
                    cur.execute(q, params)
                    records += self._records(kind, tm, names, cur.fetchall())
                    top = cur.execute(sql.SQL("select max({})::text from {}.{}").format(
                        v, sql.Identifier(self.schema), sql.Identifier(tm.table))).fetchone()
                    new_marks[table] = (top[0] if top else None) or mark
        watermark = KEYSET_PREFIX + "|".join(new_marks[t] or "" for t in FACTS)
        return SourceBatch(records=records, rejects=[], watermark=watermark)

    def reference(self) -> dict[str, pl.DataFrame]:
        """The reference tables the mapping names (units, categories), whole, in silver's shape."""
        out: dict[str, pl.DataFrame] = {}
        wanted = [t for t in REFERENCE if t in self.mapping.tables]
        if not wanted:
            return out
        with self._connect() as conn:
            layout = self.layout(conn)
            for t in wanted:
                tm = self.mapping.tables[t]
                types = self._need(layout, tm)
                q, names = self._select(tm, types, sql.SQL("true"),
                                        sql.Identifier(tm.columns[tm.key] or tm.key))
                rows = conn.execute(q).fetchall()
                data = [{c: self.mapping.recode(c, v) for c, v in zip(names, r, strict=True)} for r in rows]
                schema = REF_SCHEMAS[t]
                frame = pl.DataFrame([{**d, "source": self.name} for d in data],
                                     schema={k: pl.String if k in ("joined_on",) else v for k, v in schema.items()}
                                     ) if data else pl.DataFrame(schema=schema)
                if "joined_on" in frame.columns and frame.schema["joined_on"] == pl.String:
                    frame = frame.with_columns(pl.col("joined_on").str.slice(0, 10).str.to_date(strict=False))
                out[t] = frame.select(list(schema)).cast(schema)
        return out

    def keys(self, table: str) -> set[str]:
        """Every key of a fact table now in the app (``reports`` or ``events``), recoded as read."""
        tm = self.mapping.tables[table]
        with self._connect() as conn:
            self._need(self.layout(conn), tm)
            col = tm.columns[tm.key]
            rows = conn.execute(sql.SQL("select {}::text from {}.{}").format(
                sql.Identifier(col or tm.key), sql.Identifier(self.schema), sql.Identifier(tm.table))).fetchall()
        return {r[0] for r in rows}

    # -- the contract, checked up front
    def check(self) -> list[str]:
        """One line per problem with the connection, the tables, the columns and the mapping ([] = ready)."""
        try:
            conn = self._connect()
        except SourceError as exc:
            return [str(exc)]
        problems: list[str] = []
        with conn:
            layout = self.layout(conn)
            if not layout and not conn.execute("select 1 from pg_namespace where nspname = %s",
                                               (self.schema,)).fetchone():
                return [f"schema {self.schema} does not exist (`hue-ioc source init` creates the default layout)"]
            for name in CANONICAL:
                tm = self.mapping.tables.get(name)
                if tm is None:
                    if name in REFERENCE:
                        problems.append(f"mapping {self.mapping.origin}: reference table {name} is not mapped: "
                                        f"its codes cannot be loaded from the source")
                    continue
                cols = layout.get(tm.table)
                if cols is None:
                    problems.append(f"table {self.schema}.{tm.table} ({name}) does not exist")
                    continue
                for canonical, column in tm.columns.items():
                    if column is not None and column not in cols:
                        problems.append(f"table {self.schema}.{tm.table}: column {column} (mapped to {name}."
                                        f"{canonical}) does not exist")
            mode = self.capture_mode(layout) if all(
                self.mapping.tables[t].table in layout for t in FACTS) else None
            for t in FACTS:
                tm = self.mapping.tables[t]
                cols = layout.get(tm.table)
                if cols is None:
                    continue
                if mode == "txid" and TXID_COLUMN not in cols:
                    problems.append(f"table {self.schema}.{tm.table}: change_capture txid needs column "
                                    f"{TXID_COLUMN} (postgres.sql), or set change_capture: keyset")
                if mode == "keyset":
                    vcol = tm.columns[tm.version] if tm.version else None
                    if vcol is None:
                        problems.append(f"mapping {self.mapping.origin}: tables.{t}.version: keyset change "
                                        "capture needs an updated-at column")
                    elif vcol in cols:
                        if cols[vcol] not in _TZ_TYPES + _NAIVE_TYPES:
                            problems.append(f"table {self.schema}.{tm.table}: column {vcol} is {cols[vcol]}, not "
                                            "a timestamp: it cannot serve as the keyset cursor")
                        else:
                            n = conn.execute(sql.SQL("select count(*) from {}.{} where {} is null").format(
                                sql.Identifier(self.schema), sql.Identifier(tm.table),
                                sql.Identifier(vcol))).fetchone()
                            if n and n[0]:
                                problems.append(f"table {self.schema}.{tm.table}: {n[0]} rows with {vcol} NULL "
                                                "(keyset change capture cannot see them)")
        return problems


# ---------------------------------------------------------------------------------------------------------
# Loading canonical records (the bench loads the simulator's data this way)


@dataclass(frozen=True)
class SeedResult:
    reports: int  # rows inserted or changed
    events: int
    skipped: int  # records of another kind


def _copy(cur: psycopg.Cursor, table: sql.Composable, cols: sql.Composable,
          data: list[tuple[Any, ...]] | bytes) -> None:
    if isinstance(data, bytes):  # CSV text from polars, no header
        with cur.copy(sql.SQL("copy {} ({}) from stdin (format csv)").format(table, cols)) as cp:
            for i in range(0, len(data), 1 << 20):
                cp.write(data[i:i + (1 << 20)])
        return
    with cur.copy(sql.SQL("copy {} ({}) from stdin").format(table, cols)) as cp:
        for r in data:
            cp.write_row(r)


def _load(cur: psycopg.Cursor, schema: str, table: str, key: str, columns: Sequence[str],
          data: list[tuple[Any, ...]] | bytes, n: int) -> int:
    """COPY ``n`` rows (unique by ``key``) into ``schema.table``: straight in when the table is empty, else
    through a staging table and an upsert that leaves identical rows alone."""
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    if not n:
        return 0
    cur.execute(sql.SQL("lock table {} in share row exclusive mode").format(target))  # one loader at a time
    cur.execute(sql.SQL("select exists (select 1 from {})").format(target))
    row = cur.fetchone()
    if row is not None and not row[0]:
        _copy(cur, target, cols, data)
        return n
    stage = sql.Identifier(f"_stage_{table}")
    cur.execute(sql.SQL("create temp table {} (like {} including defaults) on commit drop").format(stage, target))
    cur.execute(sql.SQL("alter table {} drop column _txid").format(stage))
    _copy(cur, stage, cols, data)
    updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
                                 for c in columns if c != key)
    changed = sql.SQL(" or ").join(sql.SQL("t.{0} is distinct from excluded.{0}").format(sql.Identifier(c))
                                   for c in columns if c != key)
    # Unchanged rows are not rewritten (the incremental reader would read them again).
    cur.execute(sql.SQL(
        "insert into {target} as t ({cols}) select {cols} from {stage} "
        "on conflict ({key}) do update set {updates} where {changed}").format(
            target=target, cols=cols, key=sql.Identifier(key), stage=stage, updates=updates, changed=changed))
    return cur.rowcount


def _version(updated_at: Any) -> dt.datetime:
    try:
        out = dt.datetime.fromisoformat(str(updated_at))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return out if out.tzinfo else out.replace(tzinfo=dt.UTC)


def seed_postgres(dsn: str, schema: str, records: Iterable[RawRecord]) -> SeedResult:
    """Load canonical report/event records into ``schema`` (created if needed) with COPY, in one transaction.

    The app keeps one row per report: of several versions of a report the one with the latest
    ``updated_at`` wins (ties: the later record); of an event id, the later record. Upsert by report_id /
    event_id; identical rows are left untouched so the incremental reader does not see them again. A
    report without ``updated_at`` gets now(); events' ``updated_at`` is the time they were written here.
    """
    reports: dict[Any, tuple[Any, ...]] = {}
    versions: dict[Any, dt.datetime] = {}
    events: dict[Any, tuple[Any, ...]] = {}
    skipped = 0
    now = dt.datetime.now(dt.UTC).isoformat()
    i_updated = REPORT_COLUMNS.index("updated_at")
    for rec in records:
        p = rec.payload
        if rec.kind == "report":
            row = tuple(p.get(c) for c in REPORT_COLUMNS)
            if row[i_updated] is None:
                row = row[:i_updated] + (now,) + row[i_updated + 1:]
            rid, version = row[0], _version(row[i_updated])
            if rid not in versions or version >= versions[rid]:
                reports[rid], versions[rid] = row, version
        elif rec.kind == "event":
            events[p.get("event_id")] = tuple(p.get(c) for c in EVENT_KEYS)
        else:
            skipped += 1
    return _seed(dsn, schema, list(reports.values()), len(reports), list(events.values()), len(events), skipped)


def _seed(dsn: str, schema: str, reports: list[tuple[Any, ...]] | bytes, n_reports: int,
          events: list[tuple[Any, ...]] | bytes, n_events: int, skipped: int = 0) -> SeedResult:
    with psycopg.connect(dsn, options="-c timezone=UTC") as conn:
        create_schema(conn, schema)
        with conn.transaction(), conn.cursor() as cur:
            done_reports = _load(cur, schema, "hues_reports", "report_id", REPORT_COLUMNS, reports, n_reports)
            done_events = _load(cur, schema, "hues_report_events", "event_id", EVENT_KEYS, events, n_events)
    return SeedResult(done_reports, done_events, skipped)


def _csv(frame: pl.DataFrame | None, columns: Sequence[str], key: str, version: str | None) -> tuple[bytes, int]:
    if frame is None or frame.is_empty():
        return b"", 0
    exprs = []
    for c in columns:
        dtype = frame.schema.get(c)
        if dtype is None:
            exprs.append(pl.lit(None, dtype=pl.String).alias(c))
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is None:
                raise ValueError(f"column {c} has naive datetimes: give them a time zone")
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f%:z").alias(c))
        else:
            exprs.append(pl.col(c))
    out = frame.with_row_index("_n")
    if version is not None and version in frame.columns:
        out = out.sort([version, "_n"], nulls_last=False)
    out = out.unique(subset=[key], keep="last", maintain_order=True).select(exprs)
    if version is not None:
        out = out.with_columns(pl.col(version).fill_null(dt.datetime.now(dt.UTC).isoformat()))
    return out.write_csv(include_header=False, null_value="", quote_style="non_numeric").encode(), out.height


def seed_postgres_frames(dsn: str, schema: str, reports: pl.DataFrame | None = None,
                         events: pl.DataFrame | None = None) -> SeedResult:
    """:func:`seed_postgres` for polars frames with the canonical columns (e.g. the simulator's), via CSV COPY.

    Columns beyond the canonical ones are ignored, missing ones are NULL; datetimes must carry a time zone.
    The same rules: the latest ``updated_at`` of a report wins, the last row of an event id.
    """
    rep, n_rep = _csv(reports, REPORT_COLUMNS, "report_id", "updated_at")
    ev, n_ev = _csv(events, EVENT_KEYS, "event_id", None)
    return _seed(dsn, schema, rep, n_rep, ev, n_ev)


def seed_reference(dsn: str, schema: str, units: pl.DataFrame | None = None,
                   categories: pl.DataFrame | None = None) -> SeedResult:
    """Load units / categories (silver's columns, e.g. the simulator's roster) into the default layout's
    reference tables (upsert by code; identical rows left alone)."""
    n_units = n_cats = 0
    with psycopg.connect(dsn, options="-c timezone=UTC") as conn:
        create_schema(conn, schema)
        with conn.transaction(), conn.cursor() as cur:
            for frame, table, key, cols in (
                    (units, "hues_units", "unit_id", CANONICAL["units"][0]),
                    (categories, "hues_categories", "category_code", CANONICAL["categories"][0])):
                if frame is None or frame.is_empty():
                    continue
                rows = [tuple(r) for r in frame.select([pl.col(c) if c in frame.columns else pl.lit(None).alias(c)
                                                        for c in cols]).unique(key, keep="last").iter_rows()]
                n = _upsert_rows(cur, schema, table, key, cols, rows)
                if table == "hues_units":
                    n_units = n
                else:
                    n_cats = n
    return SeedResult(n_units, n_cats, 0)


def _upsert_rows(cur: psycopg.Cursor, schema: str, table: str, key: str, columns: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> int:
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    updates = sql.SQL(", ").join(sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in columns if c != key)
    changed = sql.SQL(" or ").join(sql.SQL("t.{0} is distinct from excluded.{0}").format(sql.Identifier(c))
                                   for c in columns if c != key)
    marks = sql.SQL(", ").join(sql.Placeholder() for _ in columns)
    cur.executemany(sql.SQL("insert into {} as t ({}) values ({}) on conflict ({}) do update set {} where {}").format(
        target, cols, marks, sql.Identifier(key), updates, changed), rows)
    return len(rows)
