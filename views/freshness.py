"""How fresh each live source is: the newest data of cameras, gauges, citizen reports and received CAP
warnings, its age, and a state (green, amber past ``amber_s``, red past ``red_s``; ``none`` when the lake
holds nothing of that source). Screens put "Camera: 4 giây trước" beside their figures from this; the words
come from the label catalog by source key.

Which moment counts as a source's newest data:
- camera: the latest write of a violation (``detected_at``) or a count minute (``updated_at``) — when the
  IOC last heard from any camera, since a quiet street writes no violation for a while but still counts;
- gauge: the newest reading's own time (``observed_at``): a logger that resends an old reading is stale;
- reports: the newest change in the citizen app (``updated_at`` of silver.reports);
- warnings: the newest received CAP warning's ingest time (``ingested_at``).

A source whose pipeline run failed (a row of ``silver.pipeline_failures``, written by the Dagster run-failure
sensor, naming one of the source's tables) after the last write of that table is in state ``failed``: the
screens say "run failed" whatever the age of its data, until the table is written again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from lake import Lake, catalog


@dataclass(frozen=True)
class Source:
    key: str
    queries: tuple[str, ...]  # each returns one moment (NULL when empty); the newest of them counts
    amber_s: float  # older than this: amber
    red_s: float  # older than this: red
    tables: tuple[str, ...] = ()  # the lake tables its pipeline writes (a failed run names them)


SOURCES = (
    Source("camera", ("SELECT max(detected_at) FROM silver.violations",
                      "SELECT max(updated_at) FROM silver.traffic_counts WHERE updated_at >= $since"), 60, 300,
           ("silver.violations", "silver.traffic_counts")),
    Source("gauge", ("SELECT max(observed_at) FROM silver.gauge_readings",), 1800, 3 * 3600,
           ("silver.gauge_readings",)),
    Source("reports", ("SELECT max(updated_at) FROM silver.reports",), 300, 1800, ("silver.reports",)),
    Source("warnings", ("SELECT max(ingested_at) FROM silver.warnings WHERE direction = 'received'",),
           3600, 6 * 3600, ("silver.warnings",)),
)
# A query with ``$since`` is asked first for what was written since ``now - RECENT``: the files' statistics
# of that column then skip every row group but the newest (billions of count rows, any partitioning; the
# moment can be in any month, as an old video processed today writes old minutes). Only when that finds
# nothing is the whole column read. Either way the answer is the newest moment of the table.
RECENT = dt.timedelta(days=1)
EVER = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
FAILURES = "silver.pipeline_failures"
SCHEMA = {"source": pl.String, "newest_at": pl.Datetime("us", "UTC"), "age_s": pl.Float64, "state": pl.String,
          "failed_job": pl.String, "failed_at": pl.Datetime("us", "UTC")}


def state_of(age_s: float | None, amber_s: float, red_s: float) -> str:
    if age_s is None:
        return "none"
    return "red" if age_s > red_s else "amber" if age_s > amber_s else "green"


def _last_write(lake: Lake, table: str) -> dt.datetime | None:
    history = lake.history(table, limit=1)
    return dt.datetime.fromtimestamp(history[0]["timestamp"] / 1000, dt.UTC) if history else None


def open_failures(lake: Lake) -> dict[str, tuple[str, dt.datetime]]:
    """Per lake table: (job, when) of the newest failed run that named it and came after the table's last
    write (a table written since has recovered)."""
    if not lake.exists(FAILURES):
        return {}
    rows = lake.sql(f"SELECT job_name, tables, failed_at FROM {FAILURES} ORDER BY failed_at")
    newest: dict[str, tuple[str, dt.datetime]] = {}
    for job, tables, at in rows.iter_rows():
        for table in json.loads(tables or "[]"):
            newest[table] = (job, at)
    out = {}
    for table, (job, at) in newest.items():
        written = _last_write(lake, table) if table in catalog() else None
        if written is None or at > written:
            out[table] = (job, at)
    return out


def newest_of(lake: Lake, query: str, now: dt.datetime) -> dt.datetime | None:
    """The moment ``query`` returns; a query with ``$since`` looks at the recent rows first (``RECENT``)."""
    if "$since" not in query:
        return lake.sql(query).item()
    got = lake.sql(query, {"since": now - RECENT}).item()
    return got if got is not None else lake.sql(query, {"since": EVER}).item()


def freshness(lake: Lake, now: dt.datetime | None = None,
              thresholds: dict[str, tuple[float, float]] | None = None) -> pl.DataFrame:
    """One row per source: source, newest_at (UTC), age_s (seconds before ``now``, never negative), state
    (``failed`` while a failed run of one of its tables is not yet followed by a write of it), and for a
    failed source the job and when it failed.

    ``thresholds`` overrides (amber_s, red_s) per source key."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    failures = open_failures(lake)
    rows = []
    for s in SOURCES:
        moments = [newest_of(lake, q, now) for q in s.queries]
        newest = max((m for m in moments if m is not None), default=None)
        age = None if newest is None else max(0.0, (now - newest).total_seconds())
        amber, red = (thresholds or {}).get(s.key, (s.amber_s, s.red_s))
        failed = max((failures[t] for t in s.tables if t in failures), key=lambda f: f[1], default=None)
        rows.append({"source": s.key, "newest_at": newest, "age_s": age,
                     "state": "failed" if failed else state_of(age, amber, red),
                     "failed_job": failed[0] if failed else None, "failed_at": failed[1] if failed else None})
    return pl.DataFrame(rows, schema=SCHEMA)


# "Dữ liệu đến <time>": the newest event each screen's data reflects (the data's own clock, never the wall
# clock or a build time). Reports: the as_of stamp gold.unit_performance carries (the newest report update
# the gold build saw; gold.kpi_daily and gold.unit_transfers are written with it in one snapshot); floods:
# gold.flood_status.as_of, else the newest gauge reading; violations: the newest detection or review.
DATA_TIME_QUERIES: dict[str, tuple[str, ...]] = {
    "reports": ("SELECT max(as_of) FROM gold.unit_performance", "SELECT max(updated_at) FROM silver.reports"),
    "floods": ("SELECT max(as_of) FROM gold.flood_status", "SELECT max(observed_at) FROM silver.gauge_readings"),
    "violations": ("SELECT max(greatest(detected_at, coalesce(reviewed_at, detected_at))) FROM silver.violations",),
}
DATA_TIME_TABLES = ("gold.unit_performance", "silver.reports", "gold.flood_status", "silver.gauge_readings",
                    "silver.violations")


def data_time(lake: Lake, kind: str) -> dt.datetime | None:
    """The newest event the ``kind`` of data (reports | floods | violations) reflects; the first query of
    the kind that has an answer wins (gold's own stamp before silver); None when the lake holds none."""
    for q in DATA_TIME_QUERIES[kind]:
        table = q.rsplit("FROM ", 1)[1].split()[0]
        if not lake.exists(table):
            continue
        got = lake.sql(q).item()
        if got is not None:
            return got if got.tzinfo else got.replace(tzinfo=dt.UTC)
    return None
