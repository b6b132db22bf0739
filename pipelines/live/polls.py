"""The sources the live service polls: the citizen app's PostgreSQL (every few seconds) and CAP feeds (every
minute). Both reuse the batch pipeline's incremental steps; both are idempotent (bronze keys, CAP de-dup)."""

from __future__ import annotations

from dataclasses import dataclass

from lake import Lake
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import feed_documents
from pipelines.disasters.warning_drafts import draft_relays
from pipelines.reports.bronze import WATERMARKS, ingest_batch, source_watermark  # noqa: F401 - WATERMARKS: the copy's name
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
    either is not read again by the other. It is recorded in the batch's bronze commit: a crash before it
    reads the same changes again, a crash after it never does, and silver catches up from its own watermark.
    A poll that found nothing moves only the copy of the cursor (``bronze.advance_cursor``): an idle source
    adds no commits."""
    batch = source.fetch(source_watermark(lake, POSTGRES))
    ing = ingest_batch(lake, batch, prefix=POSTGRES, source=POSTGRES)
    out = PostgresPoll(ing.reports_inserted, ing.events_inserted, ing.batch_id) if batch.records or batch.rejects \
        else PostgresPoll()
    if out.reports or out.events:
        sync_silver(lake)  # from silver's watermark: this batch and any a crash left
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
