"""The sources the live service polls: the citizen app's PostgreSQL (every few seconds) and CAP feeds (every
minute). Both reuse the batch pipeline's incremental steps; both are idempotent (bronze keys, CAP de-dup)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from lake import Lake
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import feed_documents
from pipelines.disasters.warning_drafts import draft_relays
from pipelines.reports.bronze import WATERMARKS, ingest_batch, source_watermarks
from pipelines.reports.build import build_gold, sync_silver
from pipelines.sources.postgres import PostgresReportSource

POSTGRES = "postgres"


@dataclass
class PostgresPoll:
    reports: int = 0  # report versions new in bronze
    events: int = 0
    batch_id: str | None = None


def poll_postgres(lake: Lake, source: PostgresReportSource) -> PostgresPoll:
    """Reports and events changed since the watermark → bronze → the silver reports they touch.

    The resume point is the one the hourly Dagster sync keeps (``pipelines.reports.bronze``): a change read by
    either is not read again by the other. It is saved after the silver commit: a crash in between reads the
    same changes again, which bronze (keyed by a hash of the payload) and silver (merge by report id) absorb."""
    batch = source.fetch(source_watermarks(lake).get(POSTGRES))
    out = PostgresPoll()
    if batch.records or batch.rejects:
        ing = ingest_batch(lake, batch, prefix=POSTGRES)
        out = PostgresPoll(ing.reports_inserted, ing.events_inserted, ing.batch_id)
        if out.reports or out.events:
            sync_silver(lake)  # from silver's watermark: this batch and any a crash left
    marks = source_watermarks(lake)
    if batch.watermark and batch.watermark != marks.get(POSTGRES):
        lake.put_artifact(*WATERMARKS, json.dumps(marks | {POSTGRES: batch.watermark}).encode())
    return out


def refresh_report_gold(lake: Lake) -> dict[str, int]:
    """gold.unit_performance, kpi_daily and unit_transfers from silver (the reports pipeline has no per-day
    step: the service calls this on its slower schedule, only after silver changed)."""
    return build_gold(lake)


def poll_cap_feeds(lake: Lake, feeds: list[str]) -> dict[str, int]:
    """Every CAP document the feeds link to → silver.warnings (de-duplicated); one that concerns Huế drafts a relay
    for an operator to approve."""
    out = {"inserted": 0, "rejected": 0, "relays_drafted": 0}
    for url in feeds:
        res = ingest_documents(lake, feed_documents(url))
        out["inserted"] += res.inserted
        out["rejected"] += res.rejected
        if res.new_ids:
            out["relays_drafted"] += draft_relays(lake, res.new_ids)
    return out
