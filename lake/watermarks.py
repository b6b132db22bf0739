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

Rows of an input added after a version: :func:`rows_since`, compared by the input's merge keys, so each
row is new exactly once whatever files the commits rewrote. When the files of the watermark's version
were vacuumed, every row counts as new (safe for consumers that upsert by key). Pinned lakes
(``lake.as_of``) read the watermark recorded at that version.
"""

from __future__ import annotations

import logging
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


def commit_properties(output: str, marks: Mapping[str, int] | None) -> CommitProperties | None:
    """The Delta commit properties that record ``marks`` ({input table: version}) on ``output``."""
    if not marks:
        return None
    return CommitProperties(app_transactions=[Transaction(app_id(output, src), int(v))
                                              for src, v in sorted(marks.items())])


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
