"""Watermarks: how far each consumer has read each of its inputs, stored in the consumer's own table.

A watermark is the version of an input table (e.g. ``bronze.reports_raw`` version 41) whose rows an
output table (e.g. ``silver.reports``) reflects. It is written as a Delta application transaction
(``txn`` action, app id ``"<output><-<input>"``) in the SAME commit as the output rows, so output and
progress can never disagree: a process killed before the commit leaves the old watermark and the old
rows; killed after, both are new. Any later run (a rerun, a sync beside a rebuild, another process)
reads the watermark and processes exactly the input rows committed after it.

The API, for every consumer (reports sync, the MQTT live ingest, ...):

>>> mark = watermark(lake, "silver.reports", "bronze.reports_raw")      # int, or None = never
>>> lake.merge("silver.reports", rows, marks={"bronze.reports_raw": 42})  # rows and mark, one commit
>>> watermarks(lake, "silver.reports", ["bronze.reports_raw", "bronze.report_events_raw"])

A *source cursor* is the same idea for what lies outside the lake: the opaque resume point of a feed (a
PostgreSQL transaction id, an Open311 timestamp). It travels in the commit of the rows it was read with
(``cursors={source: cursor}``: commit metadata ``hue_ioc.cursor.<source>`` plus an app transaction
``cursor:<source>`` whose version stamps that commit), so a process killed before the commit fetches the
same rows again from the old cursor, and one killed after resumes after them: never a row skipped, never a
batch fetched again after its commit.

>>> lake.merge("bronze.report_events_raw", rows, update=False, cursors={"postgres": "pgxid:812"})
>>> source_cursor(lake, "bronze.report_events_raw", "postgres")          # ("pgxid:812", stamp)

Rows of an input added after a version: :func:`rows_since`, compared by the input's merge keys, so each
row is new exactly once whatever files the commits rewrote. When the files of the watermark's version
were vacuumed, every row counts as new (safe for consumers that upsert by key). Pinned lakes
(``lake.as_of``) read the watermark recorded at that version.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import polars as pl
from deltalake import CommitProperties, Transaction

from lake.catalog import spec

if TYPE_CHECKING:
    from lake.store import Lake

log = logging.getLogger(__name__)


def app_id(output: str, source: str) -> str:
    return f"{output}<-{source}"


CURSOR_META = "hue_ioc.cursor."  # commit metadata key prefix: + source name → the source's cursor
STAMP_META = "hue_ioc.cursor_stamp."  # + source name → the stamp of that cursor (= its app transaction's version)
_HISTORY_PAGES = (32, 512, None)  # commits looked at, newest first, before the whole history


def cursor_app_id(source: str) -> str:
    return f"cursor:{source}"


def commit_properties(output: str, marks: Mapping[str, int] | None,
                      cursors: Mapping[str, str] | None = None) -> CommitProperties | None:
    """The Delta commit properties that record ``marks`` ({input table: version}) on ``output``, and the
    source ``cursors`` ({source name: cursor}) the commit's rows were read with."""
    if not marks and not cursors:
        return None
    txns = [Transaction(app_id(output, src), int(v)) for src, v in sorted((marks or {}).items())]
    meta: dict[str, str] = {}
    if cursors:
        stamp = time.time_ns() // 1000  # µs: increases from one commit of a source to its next
        for src, cur in sorted(cursors.items()):
            txns.append(Transaction(cursor_app_id(src), stamp))
            meta[CURSOR_META + src] = str(cur)
            meta[STAMP_META + src] = str(stamp)
    return CommitProperties(app_transactions=txns, custom_metadata=meta or None)


def cursor_stamp(lake: Lake, table: str, source: str) -> int | None:
    """The stamp of ``source``'s newest cursor in ``table`` (from the table's state: cheap); None: never."""
    delta = lake._delta(table)
    return None if delta is None else delta.transaction_version(cursor_app_id(source))


def source_cursor(lake: Lake, table: str, source: str) -> tuple[str | None, int | None]:
    """(cursor, stamp) of the newest commit of ``table`` that carried ``source``'s cursor; (None, None)
    when none did. The cursor is None with a stamp when that commit's record is gone from the log (logs
    older than the table's log retention are cleaned): the caller keeps a copy (``pipelines.reports.bronze``)."""
    stamp = cursor_stamp(lake, table, source)
    if stamp is None:
        return None, None
    key, want = CURSOR_META + source, str(stamp)
    for limit in _HISTORY_PAGES:
        commits = lake.history(table, limit)
        for commit in commits:
            if commit.get(STAMP_META + source) == want and key in commit:
                return str(commit[key]), stamp
        if limit is None or len(commits) < limit:
            break
    log.warning("%s: the commit of %s's cursor (stamp %s) is no longer in the log", table, source, stamp)
    return None, stamp


def watermark(lake: Lake, output: str, source: str) -> int | None:
    """The version of ``source`` that ``output`` reflects; None when ``output`` never recorded one."""
    table = lake._delta(output)
    if table is None:
        return None
    return table.transaction_version(app_id(output, source))


def watermarks(lake: Lake, output: str, sources: Sequence[str]) -> dict[str, int | None]:
    return {s: watermark(lake, output, s) for s in sources}


def rows_since(lake: Lake, source: str, since: int | None, upto: int) -> pl.DataFrame:
    """Rows of ``source`` at version ``upto`` that were not in it at version ``since`` (all when None).

    Compared by the table's keys, so a row is new exactly once whatever files the commits rewrote."""
    at = lake.as_of({source: upto})
    if since is None or since < 0:
        return at.read(source)
    keys = list(spec(source).keys)
    try:
        before = lake.as_of({source: since}).read(source, columns=keys)
    except (OSError, pl.exceptions.ComputeError) as exc:
        # the files of that version were vacuumed: every row counts as new (consumers upsert by key)
        log.warning("%s at version %s is no longer readable (%s): reading all of it", source, since, exc)
        return at.read(source)
    fresh = at.read(source, columns=keys).join(before, on=keys, how="anti")
    return at.scan(source).join(fresh.lazy(), on=keys, how="semi").select(spec(source).schema.names).collect()
