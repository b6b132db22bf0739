"""The reports pipeline steps, lake in and lake out (the Dagster assets are thin wrappers over these).

ingest → bronze (``bronze.ingest_batch``: insert-only by raw_id, re-ingesting the same payload adds nothing)
silver  → rebuilt from all of bronze (overwrite) or synced for new batches (merge)
gold    → recomputed from silver (overwrite)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from core.settings import settings
from lake import Lake
from pipelines.reports import gold
from pipelines.reports.bronze import ingest_batch
from pipelines.reports.conform import Conformed, conform_events, conform_reports, fold
from pipelines.sources.admin_units import admin_units_frame
from pipelines.sources.categories import categories_frame
from pipelines.sources.simulator import SimulatedReportSource, SimulatorConfig, roster


@dataclass
class SilverResult:
    reports: Conformed
    events: Conformed

    def metadata(self) -> dict[str, int]:
        return {"reports_read": self.reports.read, "reports_kept": self.reports.rows.height,
                "reports_superseded": self.reports.superseded, "reports_rejected": self.reports.rejects.height,
                "events_read": self.events.read, "events_kept": self.events.rows.height,
                "events_rejected": self.events.rejects.height}


def load_reference(lake: Lake, units: pl.DataFrame) -> None:
    """Units, categories and admin units into silver (upserts: reruns change nothing)."""
    lake.merge("silver.units", units)
    lake.merge("silver.categories", categories_frame())
    lake.merge("silver.admin_units", admin_units_frame())


def conform_all(reports_raw: pl.DataFrame, events_raw: pl.DataFrame, units: pl.DataFrame,
                now: dt.datetime) -> SilverResult:
    admin = admin_units_frame()
    rep = conform_reports(reports_raw, categories=set(categories_frame()["category_code"]),
                          admin_codes=set(admin["code"]), now=now)
    ev = conform_events(events_raw, known_reports=set(rep.rows["report_id"]),
                        known_units=set(units["unit_id"]), now=now)
    return SilverResult(rep, ev)


def build_silver(lake: Lake, now: dt.datetime | None = None) -> SilverResult:
    """Rebuild silver.reports / report_events from all of bronze; rejects are added insert-only."""
    now = now or dt.datetime.now(dt.UTC)
    result = conform_all(lake.read("bronze.reports_raw"), lake.read("bronze.report_events_raw"),
                         lake.read("silver.units"), now)
    lake.overwrite("silver.report_events", result.events.rows)
    lake.overwrite("silver.reports", fold(result.reports.rows, result.events.rows, admin_units_frame()))
    lake.merge("silver.rejects", pl.concat([result.reports.rejects, result.events.rejects]), update=False)
    return result


def sync_silver(lake: Lake, batch_ids: list[str], now: dt.datetime | None = None) -> SilverResult:
    """Incremental: conform only the given bronze batches and re-fold only the reports they touch."""
    now = now or dt.datetime.now(dt.UTC)
    params = {"b": batch_ids}
    new_r = lake.sql("SELECT * FROM bronze.reports_raw WHERE list_contains($b, batch_id)", params)
    new_e = lake.sql("SELECT * FROM bronze.report_events_raw WHERE list_contains($b, batch_id)", params)
    touched = set(new_r["record_id"]) | set(
        new_e.select(pl.col("payload").str.json_path_match("$.report_id"))["payload"].drop_nulls())
    # earlier versions of the touched reports take part, so the newest version still wins
    old_r = lake.sql("SELECT * FROM bronze.reports_raw WHERE list_contains($ids, record_id) "
                     "AND NOT list_contains($b, batch_id)", {"ids": sorted(touched), "b": batch_ids})
    units = lake.read("silver.units")
    known = set(lake.sql("SELECT report_id FROM silver.reports")["report_id"])
    admin = admin_units_frame()
    rep = conform_reports(pl.concat([old_r, new_r]), categories=set(categories_frame()["category_code"]),
                          admin_codes=set(admin["code"]), now=now)
    ev = conform_events(new_e, known_reports=known | set(rep.rows["report_id"]),
                        known_units=set(units["unit_id"]), now=now)
    lake.merge("silver.report_events", ev.rows, update=False)
    ids = sorted(set(rep.rows["report_id"]) | set(ev.rows["report_id"]))
    all_ev = lake.sql("SELECT * EXCLUDE (source), source FROM silver.report_events "
                      "WHERE list_contains($ids, report_id)", {"ids": ids})
    base = rep.rows
    missing = sorted(set(ids) - set(base["report_id"]))
    if missing:  # events for reports unchanged in this batch: take their current attributes
        cur = lake.sql("SELECT " + ", ".join(rep.rows.columns) + " FROM silver.reports "
                       "WHERE list_contains($ids, report_id)", {"ids": missing})
        base = pl.concat([base, cur.select(base.columns).cast(base.schema)])
    lake.merge("silver.reports", fold(base, all_ev.select(ev.rows.columns).cast(ev.rows.schema), admin))
    lake.merge("silver.rejects", pl.concat([rep.rejects, ev.rejects]), update=False)
    return SilverResult(rep, ev)


def build_gold(lake: Lake) -> dict[str, int]:
    reports = lake.read("silver.reports")
    events = lake.read("silver.report_events")
    units = lake.read("silver.units")
    as_of = gold.data_as_of(reports)
    up = gold.unit_performance(reports, events, units, settings().score_weights, as_of)
    kd = gold.kpi_daily(reports, as_of)
    lake.overwrite("gold.unit_performance", up)
    lake.overwrite("gold.kpi_daily", kd)
    tr = gold.unit_transfers(events)
    lake.overwrite("gold.unit_transfers", tr)
    return {"unit_months": up.height, "kpi_daily_rows": kd.height, "unit_transfer_rows": tr.height}


def build_reports_lake(lake: Lake, seed: int = 7, start: dt.date | None = None, end: dt.date | None = None,
                       scale: float = 1.0) -> dict[str, object]:
    """Simulate Hue-S and run the whole reports pipeline into ``lake`` (for tests, benches, notebooks).

    The demo uses the Dagster assets instead (`hue-ioc demo`); both call the same steps."""
    cfg = SimulatorConfig(seed=seed, start=start or SimulatorConfig.start, end=end or SimulatorConfig.end,
                          scale=scale)
    load_reference(lake, roster(cfg))
    ingest_batch(lake, SimulatedReportSource(cfg).fetch(), prefix="sim")
    silver = build_silver(lake)
    out: dict[str, object] = {**silver.metadata(), **build_gold(lake)}
    return out
