"""The sources the live service polls: the citizen app's PostgreSQL (every few seconds) and CAP feeds (every
minute). Both reuse the batch pipeline's incremental steps; both are idempotent (bronze keys, CAP de-dup)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import polars as pl

from lake import Lake, rejects_frame
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.common import new_batch_id
from pipelines.disasters.feeds import feed_documents
from pipelines.disasters.warnings_issuer import relay_received_for_hue
from pipelines.reports.build import build_gold, raw_rows, sync_silver
from pipelines.sources.base import EVENTS_RAW, REPORTS_RAW
from pipelines.sources.postgres import PostgresReportSource

# The resume points of the report sources, shared with the hourly Dagster sync (hue_ioc.defs.reports): a
# change read by either is not read again by the other.
WATERMARKS = ("state", "report_source_watermarks.json")
POSTGRES = "postgres"


def _watermarks(lake: Lake) -> dict[str, str]:
    try:
        return json.loads(lake.get_artifact(lake.artifact_uri(*WATERMARKS)))
    except (FileNotFoundError, OSError):
        return {}


@dataclass
class PostgresPoll:
    reports: int = 0  # report versions new in bronze
    events: int = 0
    batch_id: str | None = None


def poll_postgres(lake: Lake, source: PostgresReportSource) -> PostgresPoll:
    """Reports and events changed since the watermark → bronze → the silver reports they touch.

    The watermark is saved after the silver commit: a crash in between reads the same changes again, which
    bronze (keyed by a hash of the payload) and silver (merge by report id) absorb."""
    marks = _watermarks(lake)
    batch = source.fetch(marks.get(POSTGRES))
    out = PostgresPoll()
    if batch.records:
        out.batch_id = new_batch_id(POSTGRES)
        at = dt.datetime.now(dt.UTC)
        for kind, table in (("report", REPORTS_RAW), ("event", EVENTS_RAW)):
            recs = [r for r in batch.records if r.kind == kind]
            if not recs:
                continue
            frame = pl.DataFrame({"record_id": [r.record_id for r in recs], "source": [r.source for r in recs],
                                  "payload": [json.dumps(r.payload, ensure_ascii=False, sort_keys=True, default=str)
                                              for r in recs]})
            merged = lake.merge(table, raw_rows(frame, out.batch_id, at), update=False)
            n = int(merged.get("num_target_rows_inserted", 0))
            out.reports, out.events = (n, out.events) if kind == "report" else (out.reports, n)
        if batch.rejects:
            lake.merge("silver.rejects", rejects_frame(batch.rejects), update=False)
        if out.reports or out.events:
            sync_silver(lake, [out.batch_id])
    if batch.watermark and batch.watermark != marks.get(POSTGRES):
        marks = _watermarks(lake) | {POSTGRES: batch.watermark}
        lake.put_artifact(*WATERMARKS, json.dumps(marks).encode())
    return out


def refresh_report_gold(lake: Lake) -> dict[str, int]:
    """gold.unit_performance, kpi_daily and unit_transfers from silver (the reports pipeline has no per-day
    step: the service calls this on its slower schedule, only after silver changed)."""
    return build_gold(lake)


def poll_cap_feeds(lake: Lake, feeds: list[str]) -> dict[str, int]:
    """Every CAP document the feeds link to → silver.warnings (de-duplicated), relayed when it concerns Huế."""
    out = {"inserted": 0, "rejected": 0, "relayed": 0}
    for url in feeds:
        res = ingest_documents(lake, feed_documents(url))
        out["inserted"] += res.inserted
        out["rejected"] += res.rejected
        if res.new_ids:
            out["relayed"] += relay_received_for_hue(lake, res.new_ids)
    return out
