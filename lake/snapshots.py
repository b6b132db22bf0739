"""Consistent sets: readers see tables that must agree at versions their writer finished together.

A job that writes several tables (silver reports and events; gold and the silver it came from) records,
after its last commit, one ``gold.snapshots`` row: the group name and ``{table: version}``. A reader
pins those tables to the record, so it never sees a half-applied batch (events whose report is not
written yet, gold of the previous build beside the new silver):

>>> record(lake, "reports", ["silver.reports", "silver.report_events", "gold.kpi_daily"], writer="sync")
>>> view = consistent(lake, "reports")        # a read-only Lake pinned to the last record
>>> view.sql("select count(*) from silver.report_events")

Tables outside the record read their newest version. A lake without a record reads as it is.

Screens, the API and publications do not call this per view: they open a *reader* lake
(``Lake.open(consistent=True)`` or :func:`reader`), whose every read of a table named in the newest record of
a group in :data:`GROUPS` (``sql``, ``read``, ``scan``, ``version``) is at the recorded version, looked up
again as often as the lake looks at the Delta logs (``max_staleness_s``). Pinned to a moment
(``reader.as_of("2022-06-01")``), it reads the newest record written by then. Writers keep a plain lake: they
must see the newest versions.
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
GROUPS = ("reports",)  # the groups a reader lake (``Lake.open(consistent=True)``) is pinned to


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


def pins(lake: Lake, groups: Sequence[str] = GROUPS) -> dict[str, int]:
    """{table: version} of the newest record of each of ``groups`` at the lake's pin (empty: no record).

    Read through the lake's SQL engine (``gold.snapshots`` is resident there, reloaded per Delta version)."""
    rows = lake.sql('SELECT "group", versions FROM gold.snapshots WHERE list_contains($groups, "group") '
                    'QUALIFY row_number() OVER (PARTITION BY "group" ORDER BY sequence DESC) = 1 '
                    'ORDER BY "group"', {"groups": list(groups)})
    out: dict[str, int] = {}
    for text in rows["versions"]:
        out.update({t: int(v) for t, v in json.loads(text).items()})
    return out


def reader(lake: Lake) -> Lake:
    """``lake`` as a reader: every table of a recorded consistent set at its recorded version (read-only
    use; see the module's docstring)."""
    return lake.reading_consistent()
