"""The citizen app's operational PostgreSQL as a :class:`ReportSource`, and a fast loader into it.

Tables (DDL in ``postgres.sql``): ``hues_reports`` and ``hues_report_events``, each with ``updated_at``.
``PostgresReportSource(dsn, schema).fetch(since)`` returns every report and event written since the
watermark, each change exactly once; ``seed_postgres(dsn, schema, records)`` loads canonical records with
COPY (psycopg 3), idempotently (``seed_postgres_frames`` for polars frames such as the simulator's).

Why the cursor is a transaction-id bound and not ``updated_at``
----------------------------------------------------------------
A ``(updated_at, id) > cursor`` scan misses rows whose transaction commits after a fetch has already moved
the cursor past their ``updated_at``: ``now()`` is the transaction's *start*, a long transaction (or a
backfill that writes historical ``updated_at`` values, like ``seed_postgres`` loading the simulator's data)
commits rows "in the past". An upper bound of ``now() - lag`` only narrows that window to transactions
longer than the lag and cannot help with backdated values at all.

Instead every row carries ``_txid``, the id of the transaction that last wrote it (xid8: 64-bit, never
wraps; column default on insert, trigger on update, so the app cannot get it wrong). A fetch:

1. in its own statement, takes a snapshot's ``xmax`` (the first unassigned transaction id) and the ids of
   the transactions still running *in this database* (``pg_stat_activity.backend_xid`` and prepared
   transactions; ids of other databases never write these tables). The bound ``hi`` is the smallest of
   them, or ``xmax`` when none is running. Every transaction of this database with an id below ``hi`` has
   finished by the time that statement read the activity list;
2. then, in a REPEATABLE READ transaction started after it, reads rows with ``lo <= _txid < hi``
   (``lo`` = the previous ``hi``). All their writers are finished, so committed rows are visible; a
   transaction still running, however old its ``updated_at``, has an id ``>= hi`` and is read by a later
   fetch. Ranges do not overlap, so a change is read once; a row rewritten since is read in its latest
   version (a reader of current state needs nothing else).

``backend_xid`` is visible to any role (no pg_read_all_stats needed). The watermark is ``pgxid:<hi>``. A long-open write transaction delays what is read after it (never loses
it). When the stored bound is above the server's next id (the database was restored elsewhere), the
source reads everything again (bronze dedups by payload hash). Deleted rows are not tracked: the app does
not delete reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from psycopg import sql

from pipelines.sources.base import (
    EVENT_KEYS,
    REPORT_KEYS,
    REPORT_OPTIONAL_KEYS,
    RawRecord,
    SourceBatch,
)

DDL = Path(__file__).with_name("postgres.sql")
WATERMARK_PREFIX = "pgxid:"

REPORT_COLUMNS: tuple[str, ...] = REPORT_KEYS + REPORT_OPTIONAL_KEYS

_TIMESTAMPS = frozenset({"received_at", "updated_at", "deadline_at", "resolved_at", "expected_datetime", "at"})
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


def parse_watermark(since: str | None) -> int:
    if not since:
        return 0
    if not since.startswith(WATERMARK_PREFIX) or not since[len(WATERMARK_PREFIX):].isdigit():
        raise ValueError(f"not a PostgreSQL source watermark: {since!r} (expected '{WATERMARK_PREFIX}<n>')")
    return int(since[len(WATERMARK_PREFIX):])


def create_schema(conn: psycopg.Connection, schema: str) -> None:
    """Create ``schema`` and the app's tables in it (idempotent)."""
    with conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("set local search_path to {}").format(sql.Identifier(schema)))
        conn.execute(DDL.read_text(encoding="utf-8"))


@dataclass
class PostgresReportSource:
    """Reports and events of the citizen app's database, read incrementally (see the module docstring)."""

    dsn: str
    schema: str = "public"
    connect_timeout: int = 10
    name: str = "postgres"

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn, autocommit=True, connect_timeout=self.connect_timeout,
                               options="-c timezone=UTC")

    def bound(self, conn: psycopg.Connection) -> tuple[int, int]:
        """(xmax, hi): the next transaction id and the exclusive upper bound of what may be read now."""
        row = conn.execute(_BOUND_SQL).fetchone()
        assert row is not None
        xmax, oldest = int(row[0]), row[1]
        return xmax, min(xmax, int(oldest)) if oldest is not None else xmax

    def _select(self, table: str, columns: Sequence[str], key: str) -> sql.Composed:
        # Timestamps leave the server as ISO-8601 text in UTC: nothing to convert row by row here.
        cols = sql.SQL(", ").join(
            sql.SQL("to_char({0} at time zone 'UTC', {1}) as {0}").format(sql.Identifier(c), sql.Literal(_ISO))
            if c in _TIMESTAMPS else sql.Identifier(c) for c in columns)
        return sql.SQL("select {} from {}.{} where _txid >= %s::text::xid8 and _txid < %s::text::xid8 "
                       "order by _txid, {}").format(cols, sql.Identifier(self.schema), sql.Identifier(table),
                                                   sql.Identifier(key))

    def fetch(self, since: str | None = None) -> SourceBatch:
        lo = parse_watermark(since)
        with self._connect() as conn:
            xmax, hi = self.bound(conn)  # statement 1, its own (autocommit) transaction
            if lo > xmax:  # the bound is from another server's history (restore): read everything again
                lo = 0
            with conn.transaction():
                conn.execute("set transaction isolation level repeatable read, read only")
                with conn.cursor() as cur:
                    cur.execute(self._select("hues_reports", REPORT_COLUMNS, "report_id"), (str(lo), str(hi)))
                    reports = cur.fetchall()
                    cur.execute(self._select("hues_report_events", EVENT_KEYS, "event_id"), (str(lo), str(hi)))
                    events = cur.fetchall()
        # Rows are passed on as stored (no vocabulary checks): the pipeline validates them into silver.
        records = []
        i_source = REPORT_COLUMNS.index("source")
        for row in reports:
            payload = dict(zip(REPORT_COLUMNS, row, strict=True))
            if row[i_source] is None:
                payload["source"] = self.name
            records.append(RawRecord("report", self.name, row[0], payload))
        for row in events:
            records.append(RawRecord("event", self.name, row[0], dict(zip(EVENT_KEYS, row, strict=True))))
        return SourceBatch(records=records, rejects=[], watermark=f"{WATERMARK_PREFIX}{max(hi, lo)}")


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
