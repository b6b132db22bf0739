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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from lake import Lake


@dataclass(frozen=True)
class Source:
    key: str
    queries: tuple[str, ...]  # each returns one moment (NULL when empty); the newest of them counts
    amber_s: float  # older than this: amber
    red_s: float  # older than this: red


SOURCES = (
    Source("camera", ("SELECT max(detected_at) FROM silver.violations",
                      "SELECT max(updated_at) FROM silver.traffic_counts"), 60, 300),
    Source("gauge", ("SELECT max(observed_at) FROM silver.gauge_readings",), 1800, 3 * 3600),
    Source("reports", ("SELECT max(updated_at) FROM silver.reports",), 300, 1800),
    Source("warnings", ("SELECT max(ingested_at) FROM silver.warnings WHERE direction = 'received'",),
           3600, 6 * 3600),
)
SCHEMA = {"source": pl.String, "newest_at": pl.Datetime("us", "UTC"), "age_s": pl.Float64, "state": pl.String}


def state_of(age_s: float | None, amber_s: float, red_s: float) -> str:
    if age_s is None:
        return "none"
    return "red" if age_s > red_s else "amber" if age_s > amber_s else "green"


def freshness(lake: Lake, now: dt.datetime | None = None,
              thresholds: dict[str, tuple[float, float]] | None = None) -> pl.DataFrame:
    """One row per source: source, newest_at (UTC), age_s (seconds before ``now``, never negative), state.

    ``thresholds`` overrides (amber_s, red_s) per source key."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    rows = []
    for s in SOURCES:
        moments = [lake.sql(q).item() for q in s.queries]
        newest = max((m for m in moments if m is not None), default=None)
        age = None if newest is None else max(0.0, (now - newest).total_seconds())
        amber, red = (thresholds or {}).get(s.key, (s.amber_s, s.red_s))
        rows.append({"source": s.key, "newest_at": newest, "age_s": age, "state": state_of(age, amber, red)})
    return pl.DataFrame(rows, schema=SCHEMA)
