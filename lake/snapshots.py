"""Consistent sets: readers see tables that must agree at versions their writer finished together.

A job that writes several tables (silver reports and events; gold and the silver it came from) records,
after its last commit, one ``gold.snapshots`` row: the group name and ``{table: version}``. A reader
pins those tables to the record, so it never sees a half-applied batch (events whose report is not
written yet, gold of the previous build beside the new silver):

>>> record(lake, "reports", ["silver.reports", "silver.report_events", "gold.kpi_daily"], writer="sync")
>>> view = consistent(lake, "reports")        # a read-only Lake pinned to the last record
>>> view.sql("select count(*) from silver.report_events")

Tables outside the record read their newest version. A lake without a record reads as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from lake.store import Lake

TABLE = "gold.snapshots"


def record(lake: Lake, group: str, tables: Sequence[str], writer: str | None = None) -> dict[str, int]:
    """Record the current versions of ``tables`` as one consistent set of ``group``; returns them.

    Call it while holding the group's lease (``lake.lease``), after the last write of the set."""
    versions = {t: v for t, v in lake.versions(list(tables)).items() if v is not None}
    last = latest(lake, group)
    seq = 1 if last is None else last[0] + 1
    row = pl.DataFrame({"snapshot_id": [f"{group}:{seq}"], "group": [group], "sequence": [seq],
                        "versions": [json.dumps(versions, sort_keys=True)],
                        "written_at": [dt.datetime.now(dt.UTC)],
                        "writer": [writer or " ".join(sys.argv[:2])[:200]]})
    lake.merge(TABLE, row, update=False)
    return versions


def latest(lake: Lake, group: str) -> tuple[int, dict[str, int]] | None:
    """The newest record of ``group``: (sequence, {table: version}), or None."""
    if not lake.exists(TABLE):
        return None
    rows = lake.sql('SELECT sequence, versions FROM gold.snapshots WHERE "group" = $g '
                    "ORDER BY sequence DESC LIMIT 1", {"g": group})
    if rows.is_empty():
        return None
    return int(rows["sequence"][0]), json.loads(rows["versions"][0])


def consistent(lake: Lake, group: str) -> Lake:
    """``lake`` pinned to the newest consistent set of ``group`` (the lake itself when none exists)."""
    last = latest(lake, group)
    if last is None:
        return lake
    return lake.as_of(last[1])
