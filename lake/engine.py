"""SQL over the lake: DuckDB with gold kept resident in memory per Delta version.

Why: a gold query is tiny; what costs is around it (reading the Delta log, decoding parquet, handing work
to another thread). So:
- each table a query names is looked at again only when its picture is older than ``max_staleness_s``
  (never for a pinned lake), and only a new Delta version reloads it;
- gold tables, small silver tables (< ``RESIDENT_BYTES`` on disk) and every table of a remote lake are
  *resident*: DuckDB in-memory tables sorted by their keys (zone maps skip the row groups a period filter
  excludes), loaded once per version; larger silver tables and bronze are views over
  ``read_parquet(<the snapshot's files>)``, never a glob (after a merge a glob double-counts);
- two databases: a query whose tables are all resident and small (< ``FAST_BYTES``: the gold of the 3-year
  lake, reference tables) runs in ``fast``, which has one thread, so the query runs start to end in the
  calling thread with no hand-off to a worker (measured on this shared 2-core machine: 3-4× lower p50 for
  gold queries); every other query runs in ``wide`` on ``threads`` threads (period scans over millions of
  gold rows, large silver), which holds its own resident copy of the tables such queries name;
- a *reader* lake (``Lake.open(consistent=True)``, see ``lake.snapshots``) hands the engine its consistent
  sets (``pins``: {table: version}, the versions a writer recorded together). Those tables are looked at
  together: when the recorded set moves, every picture of a table in it is looked at again before it is
  used, and a query naming such tables runs again when the set moved or a table was swapped in while it
  ran, so one result never mixes two sets (no half-applied batch);
- a parameterless query whose answer changes only with the data (``sql_per_version``: the data bounds every
  page shows, a table's columns) is kept with the versions of the tables it names and runs again only when
  one of them moved; ``derived_per_version`` keeps only what a view makes of such an answer (its arrays);
- each query text is parsed once (DuckDB binds a prepared statement again at every run with its values, so
  the parsed statement is what can be kept) and runs on a cursor taken from a pool for the call: Streamlit's
  threads never share a cursor.
"""

from __future__ import annotations

import re
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl
import pyarrow as pa
from deltalake import DeltaTable

from lake.catalog import LAYERS, TableSpec, catalog, spec

_TABLE_REF = re.compile(r"\b(bronze|silver|gold)\.([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
T = TypeVar("T")
_PARSED_MAX = 1024  # distinct query texts kept parsed (views build a handful per filter combination)
_SMALL = 256  # results with fewer rows are built from Python rows (see SqlEngine._run)
_clock = time.monotonic  # the staleness clock (tests replace it to step time without sleeping)
_ARROW_ONLY = object()  # a query whose result goes through a relation to Arrow (large, or refused as rows)
# DuckDB's reminder that Arrow after execute() copies the rows: only ``_from_arrow`` does that, once per query
# whose small result grew (module-wide: warnings.catch_warnings is not thread-safe, and the server reads in threads)
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


@dataclass
class _Picture:
    """A table's snapshot as last looked up: its version, files, where it lives, which databases hold it."""

    version: int | None
    files: list[str]
    columns: frozenset[str]  # the stored columns (a table written before a rename has the old name)
    resident: bool  # an in-memory table (else a view over its files)
    fast: bool  # resident and small enough for the one-thread database
    checked: float  # _clock() of the last look at the Delta log
    loaded: set[str] = field(default_factory=set)  # databases holding this version


@dataclass(frozen=True)
class _Parsed:
    statement: duckdb.Statement | None  # None: several statements, run as text
    tables: tuple[str, ...]  # the lake tables the query names


class _Database:
    """One DuckDB in-memory database and its pool of cursors."""

    def __init__(self, name: str, threads: int) -> None:
        self.name = name
        self.con = duckdb.connect(":memory:", config={"threads": threads})
        # UTC, not the machine's zone: the same SQL gives the same dates on every machine, and timestamps
        # come out labelled "UTC" like the lake's frames
        self.con.execute("SET GLOBAL TimeZone = 'UTC'")  # GLOBAL: cursors do not inherit a session's
        for layer in LAYERS:
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
        # loads run on a cursor of their own (under the engine's lock): ``con`` itself only makes cursors
        self.ddl = self.con.cursor()
        self.generation = 0  # counts the table swaps (a query over a consistent set checks none happened)
        self._idle: list[duckdb.DuckDBPyConnection] = []  # list.pop/append are atomic: no lock on the hot path
        self._all: list[duckdb.DuckDBPyConnection] = []
        self._lock = threading.Lock()

    def checkout(self) -> duckdb.DuckDBPyConnection:
        try:
            return self._idle.pop()
        except IndexError:
            with self._lock:  # the database's own connection is never used by two threads at once
                cur = self.con.cursor()
                self._all.append(cur)
            return cur

    def checkin(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._idle.append(cur)

    def close(self) -> None:
        with self._lock:
            for cur in self._all:
                cur.close()
            self._all.clear()
            self._idle.clear()
            self.ddl.close()
            self.con.close()


class SqlEngine:
    """DuckDB over a lake's tables (the module's docstring says what is resident and when it refreshes)."""

    RESIDENT_BYTES = 48 * 1024 * 1024
    FAST_BYTES = 4 * 1024 * 1024

    def __init__(self, snapshot: Callable[[str, Mapping[str, int] | None], DeltaTable | None],
                 remote_read: Callable[[str, int], pa.Table] | None, *, pinned: bool,
                 max_staleness_s: float, threads: int = 2,
                 masks: Callable[[TableSpec], Mapping[str, str]] | None = None,
                 pins: Callable[[], Mapping[str, int]] | None = None) -> None:
        self._snapshot = snapshot  # the table's DeltaTable at the lake's pin (or the given sets), None: absent
        self._masks = masks  # per table, the personal columns the reader sees masked (lake.access)
        self._pins = pins  # a reader's consistent sets, looked up anew ({table: version}); None: not a reader
        self._pinset: Mapping[str, int] = {}  # the sets the pictures were last looked at with
        self._pin_generation = 0  # counts the moves of the sets
        self._pinning = False  # looking the sets up (under the lock)
        self._remote_read = remote_read  # object stores: DuckDB cannot read them here, delta-rs can
        self._pinned = pinned
        self.max_staleness_s = max_staleness_s
        self._threads = threads
        self._dbs: dict[str, _Database] = {}
        self._pictures: dict[str, _Picture] = {}
        self._parsed: dict[str, _Parsed] = {}
        # per query: (result types, polars schema) of a small result, or _ARROW_ONLY (large, or refused as rows)
        self._schemas: dict[str, tuple[tuple[str, ...], pl.Schema] | object] = {}
        self._memo: dict[tuple[str, str], tuple[tuple[int | None, ...], Any]] = {}  # (kind, query) → kept
        self._lock = threading.RLock()  # DDL, table pictures, the parse cache

    def _database(self, name: str) -> _Database:
        db = self._dbs.get(name)
        if db is None:
            with self._lock:
                db = self._dbs.get(name)
                if db is None:
                    db = self._dbs[name] = _Database(name, 1 if name == "fast" else self._threads)
        return db

    # ------------------------------------------------------------------ pictures of the tables
    def invalidate(self, name: str) -> None:
        """A write through this lake: look at the table's Delta log before the next query."""
        picture = self._pictures.get(name)
        if picture is not None:
            picture.checked = float("-inf")

    def _is_stale(self, picture: _Picture | None, now: float) -> bool:
        return picture is None or (not self._pinned and now - picture.checked >= self.max_staleness_s)

    def _look(self, names: Sequence[str]) -> list[_Picture]:
        """The pictures of ``names``, looked up again where older than the staleness allows."""
        now = _clock()
        if any(self._is_stale(self._pictures.get(n), now) for n in names):
            with self._lock:  # one thread looks; the others wait and then find the pictures fresh
                if self._pins is not None and not self._pinning and (
                        not self._pinset or any(n in self._pinset for n in names)):
                    self._pinning = True  # the look-up is a query (of gold.snapshots): not again inside it
                    try:
                        self._move_pins(self._pins())
                    finally:
                        self._pinning = False
                for name in names:
                    old = self._pictures.get(name)
                    if not self._is_stale(old, _clock()):
                        continue
                    table = self._snapshot(name, self._pinset if self._pins is not None else None)
                    version = None if table is None else table.version()
                    if old is not None and old.version == version:
                        old.checked = _clock()
                        continue
                    files = [] if table is None else table.file_uris()
                    columns = frozenset(() if table is None else table.schema().to_arrow().names)
                    layer = spec(name).layer
                    size = _size(files) if self._remote_read is None else None
                    resident = (size is None or layer == "gold"
                                or (layer == "silver" and size < self.RESIDENT_BYTES))
                    fast = resident and size is not None and size < self.FAST_BYTES
                    self._pictures[name] = _Picture(version, files, columns, resident, fast, _clock())
        return [self._pictures[n] for n in names]

    def _move_pins(self, pins: Mapping[str, int]) -> None:
        """The consistent sets moved: every table in the old or new sets is looked at again before use."""
        if dict(pins) == dict(self._pinset):
            return
        for name in set(pins) | set(self._pinset):
            picture = self._pictures.get(name)
            if picture is not None:
                picture.checked = float("-inf")
        self._pinset = dict(pins)
        self._pin_generation += 1

    def _ready(self, db: _Database, names: Sequence[str], pictures: Sequence[_Picture]) -> None:
        if all(db.name in p.loaded for p in pictures):
            return
        with self._lock:
            for name in names:
                picture = self._pictures[name]  # the newest: another thread may have looked since
                if db.name not in picture.loaded:
                    self._load(db, spec(name), picture)
                    picture.loaded.add(db.name)

    def _load(self, db: _Database, s: TableSpec, picture: _Picture) -> None:
        """Swap the database's picture of a table in one transaction: readers see the old or the new."""
        con = db.ddl
        arrow = schema = None
        if not picture.files:
            arrow = s.schema.empty_table()
        elif self._remote_read is not None:
            assert picture.version is not None
            arrow = self._remote_read(s.name, picture.version)
        resident = picture.resident or arrow is not None
        qname = f"{s.layer}.{s.table}"
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = $l "
                           "AND table_name = $t", {"l": s.layer, "t": s.table}).fetchall()
        if arrow is not None:
            con.register("_lake_load", arrow)
            source = "SELECT * FROM _lake_load"
        else:
            # a view over files of one schema reads them without union_by_name, which would open every
            # file's footer at each query and so read the partitions a filter on them excludes
            schema = None if resident else _common_schema(picture.files)
            source = _parquet_source(s, picture.files, union=schema is None)
        source = self._shown(s, picture, source, arrow, schema)
        order = f" ORDER BY {', '.join(s.keys)}" if s.keys else ""  # column names from the catalog
        con.execute("BEGIN TRANSACTION")
        try:
            if kind and kind[0][0] == "VIEW" and resident:
                con.execute(f"DROP VIEW {qname}")
            elif kind and kind[0][0] != "VIEW" and not resident:
                con.execute(f"DROP TABLE {qname}")
            if resident:
                con.execute(f"CREATE OR REPLACE TABLE {qname} AS {source}{order}")
            else:
                con.execute(f"CREATE OR REPLACE VIEW {qname} AS {source}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            db.generation += 1
            if arrow is not None:
                con.unregister("_lake_load")

    def _shown(self, s: TableSpec, picture: _Picture, source: str, arrow: pa.Table | None,
               schema: pa.Schema | None = None) -> str:
        """``source`` as the reader sees it: old column names under their current ones, personal columns
        masked for the reader's role (DuckDB expressions that give what ``lake.access``'s masks give)."""
        from lake.access import sql_mask

        have = set(arrow.column_names) if arrow is not None else set(picture.columns)
        renames = {old: new for old, new in s.renamed.items() if old in have and new not in have}
        if renames:
            have = (have - set(renames)) | set(renames.values())
            source = (f"SELECT * RENAME ({', '.join(f'{o} AS {n}' for o, n in renames.items())}) "
                      f"FROM ({source})")  # column names from the catalog
        # a month column (``TableSpec.month_of``) neither in the partition paths nor in every file (``schema``:
        # the files' common one) is computed from its timestamp: files written before the table had it hold
        # none, so a filter on it stays exact (and a stored one keeps its row-group statistics)
        derived = {c: src for c, src in s.month_of.items() if src in have
                   and (arrow is not None or not any(f"/{c}=" in f for f in picture.files[:1]))
                   and (schema is None or c not in schema.names)}
        if derived:
            # COLUMNS(lambda): the stored column is dropped whether or not the files hold it
            names = ", ".join(f"'{c}'" for c in derived)
            exprs = "".join(f", CAST(date_trunc('month', {src}) AS DATE) AS {c}" for c, src in derived.items())
            source = f"SELECT COLUMNS(lambda c: c NOT IN ({names})){exprs} FROM ({source})"  # names from the catalog
            have |= set(derived)
        masks = self._masks(s) if self._masks is not None else {}
        repl = {c: sql_mask(c, how) for c, how in masks.items() if c in have}
        if repl:
            source = f"SELECT * REPLACE ({', '.join(f'{e} AS {c}' for c, e in repl.items())}) FROM ({source})"
        return source

    # ------------------------------------------------------------------ queries
    def _parse(self, cur: duckdb.DuckDBPyConnection, query: str) -> _Parsed:
        parsed = self._parsed.get(query)
        if parsed is not None:
            return parsed
        known = catalog()
        names = {f"{m.group(1)}.{m.group(2)}".lower() for m in _TABLE_REF.finditer(query)}
        statements = cur.extract_statements(query)
        parsed = _Parsed(statements[0] if len(statements) == 1 else None,
                         tuple(sorted(n for n in names if n in known)))
        with self._lock:
            if len(self._parsed) >= _PARSED_MAX:
                self._parsed.pop(next(iter(self._parsed)))
            self._parsed[query] = parsed
        return parsed

    def _parsed_query(self, query: str) -> _Parsed:
        """The query's parsed statement and tables, parsed on first use."""
        parsed = self._parsed.get(query)
        if parsed is None:
            db = self._database("fast")
            cur = db.checkout()
            try:
                parsed = self._parse(cur, query)
            finally:
                db.checkin(cur)
        return parsed

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
        parsed = self._parsed_query(query)
        for _ in range(8):
            pin_generation = self._pin_generation  # before looking: a move from here on runs the query again
            pictures = self._look(parsed.tables)
            db = self._database("fast" if all(p.fast for p in pictures) else "wide")
            self._ready(db, parsed.tables, pictures)
            generation = db.generation
            cur = db.checkout()
            try:
                out = self._run(cur, parsed, query, params)
            finally:
                db.checkin(cur)
            if (self._pins is None or not any(t in self._pinset for t in parsed.tables)
                    or (pin_generation == self._pin_generation and generation == db.generation)):
                return out
            # the consistent set moved, or a table was swapped in, while this ran: run it again
        return out

    def sql_per_version(self, query: str) -> pl.DataFrame:
        """``sql(query)`` kept until a table it names has another version (looked up as every query looks:
        at most once per staleness). For parameterless questions of the data itself (bounds, columns)."""
        return self.derived_per_version(query, _same, "")

    def derived_per_version(self, query: str, make: Callable[[pl.DataFrame], T], kind: str) -> T:
        """``make(sql(query))`` kept until a table the query names has another version; only what ``make``
        returns is held (``kind`` names ``make``: one query may feed several). The views' numpy arrays of a
        kept answer: at 5 M reports the answer itself is often the larger part, and is let go."""
        parsed = self._parsed_query(query)
        versions = tuple(p.version for p in self._look(parsed.tables))
        key = (kind, query)
        kept = self._memo.get(key)
        if kept is not None and kept[0] == versions:
            return kept[1]
        out = make(self.sql(query))
        # the versions looked up before the run: a table that moved meanwhile is seen as moved next time
        with self._lock:
            if len(self._memo) >= _PARSED_MAX:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = (versions, out)
        return out

    def _run(self, cur: duckdb.DuckDBPyConnection, parsed: _Parsed, query: str,
             params: Sequence[Any] | Mapping[str, Any] | None) -> pl.DataFrame:
        """The result as polars, by the cheaper of two routes (measured, DuckDB 2.0):

        - a result whose schema is known and that was small (under ``_SMALL`` rows) last time is built from
          ``fetchmany`` rows with that schema: Arrow after ``execute`` would cost a second pass over the rows;
        - any other (the first run of a query, a large or Arrow-only result) goes through a relation,
          ``cur.sql(...).to_arrow_table()``, which writes Arrow once. Through ``execute`` DuckDB copies the rows
          once more: 5 M rows took 0.28 s and 630 MB peak that way against 0.21 s and 430 MB."""
        statement = parsed.statement if parsed.statement is not None else query
        known = self._schemas.get(query)
        if isinstance(known, tuple):
            cur.execute(statement, params)
            description = cur.description
            if description is None:
                return pl.DataFrame()
            if known[0] == _types(description):
                rows = cur.fetchmany(_SMALL)
                try:
                    head = pl.DataFrame(rows, schema=known[1], orient="row")
                except Exception:  # noqa: BLE001 - a value polars will not take from Python rows: Arrow from now on
                    self._learn(query, _ARROW_ONLY)
                    cur.abort()  # the rest of this result: the relation runs it again
                    return self._by_relation(cur, statement, query, params)
                if len(rows) < _SMALL:
                    return head
                self._learn(query, _ARROW_ONLY)  # large now: the relation next time
                return pl.concat([head, _from_arrow(cur)])
            cur.abort()  # the schema moved (a table's columns changed): learn it again
        return self._by_relation(cur, statement, query, params)

    def _by_relation(self, cur: duckdb.DuckDBPyConnection, statement: Any, query: str,  # noqa: ANN401
                     params: Sequence[Any] | Mapping[str, Any] | None) -> pl.DataFrame:
        rel = cur.sql(statement, params=params)
        if rel is None:  # a statement without a result set
            return pl.DataFrame()
        out = pl.from_arrow(rel.to_arrow_table(), rechunk=False)
        assert isinstance(out, pl.DataFrame)
        if self._schemas.get(query) is not _ARROW_ONLY:
            self._learn(query, (_types(rel.description), out.schema) if out.height < _SMALL else _ARROW_ONLY)
        return out

    def _learn(self, query: str, route: tuple[tuple[str, ...], pl.Schema] | object) -> None:
        with self._lock:
            if query not in self._schemas and len(self._schemas) >= _PARSED_MAX:
                self._schemas.pop(next(iter(self._schemas)))
            self._schemas[query] = route

    def close(self) -> None:
        with self._lock:
            for db in self._dbs.values():
                db.close()
            self._dbs.clear()
            self._pictures.clear()
            self._memo.clear()


def _same(frame: pl.DataFrame) -> pl.DataFrame:
    return frame


def _from_arrow(cur: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The rest of an executed result (a query whose small result grew: the relation takes it next time)."""
    out = pl.from_arrow(cur.to_arrow_table(), rechunk=False)
    assert isinstance(out, pl.DataFrame)
    return out


def _types(description: Sequence[tuple[Any, ...]]) -> tuple[str, ...]:
    return tuple(str(d[1]) for d in description)


def _size(files: Sequence[str]) -> int:
    try:
        return sum(Path(f.removeprefix("file://")).stat().st_size for f in files)
    except OSError:
        return 1 << 62  # unknown: treat as large, keep it a view


def _quote(text: str) -> str:
    """A SQL string literal. Only for the file paths of a snapshot (from the Delta log): DuckDB refuses
    parameters in a view's definition, and a view is what keeps a large table out of memory."""
    return "'" + text.replace("'", "''") + "'"


def _common_schema(files: Sequence[str]) -> pa.Schema | None:
    """The files' schema when every file has the same columns and types, else None (footers only; once
    per table version)."""
    import pyarrow.parquet as pq

    try:
        schemas = {pq.read_schema(f.removeprefix("file://")).remove_metadata() for f in files}
    except OSError:
        return None
    return schemas.pop() if len(schemas) == 1 else None


def _parquet_source(s: TableSpec, files: Sequence[str], union: bool = True) -> str:
    file_list = ", ".join(_quote(f.removeprefix("file://")) for f in files)
    replace = ""
    # partition values live in the paths, not in the files (a version written before the table was
    # partitioned has none): cast them back to their types
    parts = [c for c in s.partition_by if files and f"/{c}=" in files[0]]
    if parts:
        casts = ", ".join(f"CAST({c} AS {_duck_type(s.schema.field(c).type)}) AS {c}" for c in parts)
        replace = f" REPLACE ({casts})"
    hive = "true" if parts else "false"
    return (f"SELECT *{replace} FROM read_parquet([{file_list}], hive_partitioning={hive}, "
            f"union_by_name={'true' if union else 'false'})")


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
