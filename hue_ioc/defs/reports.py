"""Citizen reports: sources → bronze → silver → gold, with checks, a rebuild job and an hourly sync."""

import dagster as dg
from pydantic import Field

from core.settings import settings
from core.tz import VN_TZ_NAME
from hue_ioc.defs.catalog import SOURCE_RETRY, lake_spec, materialized
from hue_ioc.defs.resources import LakeResource
from lake import Lake
from pipelines.reports import build, build_params
from pipelines.reports.bronze import ingest_sources
from pipelines.reports.build import SilverResult
from pipelines.sources.base import ReportSource
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource
from pipelines.sources.simulator import roster

GROUP = "reports"


@dg.multi_asset(
    specs=[lake_spec("bronze.reports_raw", GROUP, deps=["silver.units"],
                     description="Citizen reports as every configured source gave them (simulator, Open311, "
                                 "PostgreSQL), append-only, one row per distinct payload (the payload names the "
                                 "reporter: operators only)."),
           lake_spec("bronze.report_events_raw", GROUP, deps=["silver.units"],
                     description="Report lifecycle events (received, assigned, transferred, resolved, rated, ...) "
                                 "as every configured source gave them, append-only.")],
    retry_policy=SOURCE_RETRY,
)
def bronze_reports(context: dg.AssetExecutionContext, lake: LakeResource, simulator: HueSSimulatorResource,
                   open311: Open311Resource, postgres_source: PostgresSourceResource):
    lk = lake.lake()
    sources: dict[str, ReportSource] = {}
    if simulator.enabled:
        sources["simulated"] = simulator.source()
        build_params.record(lk, {"scale": simulator.scale, "seed": simulator.seed, "start": simulator.start,
                                 "end": simulator.end})
    if open311.base_url or open311.path:
        sources["open311"] = open311.source()
    if postgres_source.dsn:
        sources["postgres"] = postgres_source.source()
    meta = ingest_sources(lk, sources)
    context.log.info(f"ingested: {meta}")
    yield materialized(lk, "bronze.reports_raw", {"sources": dg.MetadataValue.json(meta)})
    yield materialized(lk, "bronze.report_events_raw")


@dg.multi_asset(
    specs=[lake_spec("silver.units", GROUP),
           lake_spec("silver.categories", GROUP,
                     description="Report categories (lĩnh vực) with their processing type and deadline rule "
                                 "(pipelines/sources/categories.yaml)."),
           lake_spec("silver.admin_units", GROUP)],
    retry_policy=SOURCE_RETRY,
)
def reference_tables(lake: LakeResource, simulator: HueSSimulatorResource):
    lk = lake.lake()
    build.load_reference(lk, roster(simulator.config()))
    for name in ("silver.units", "silver.categories", "silver.admin_units"):
        yield materialized(lk, name)


class SilverConfig(dg.Config):
    incremental: bool = Field(default=False, description="conform only the bronze rows after silver's watermark")


@dg.multi_asset(
    specs=[lake_spec("silver.reports", GROUP, deps=["bronze.reports_raw", "bronze.report_events_raw", "silver.units"],
                     description="One row per citizen report, its current state folded from its events: typed, "
                                 "de-duplicated, on-time flags frozen at closing (reporter identity: operators "
                                 "only)."),
           lake_spec("silver.report_events", GROUP, deps=["bronze.reports_raw", "bronze.report_events_raw"])],
    check_specs=[dg.AssetCheckSpec("reconciliation", asset=["silver", "reports"],
                                   description="rows read = kept + superseded versions + rejects"),
                 dg.AssetCheckSpec("reconciliation", asset=["silver", "report_events"],
                                   description="rows read = kept + rejects")],
)
def silver_reports(context: dg.AssetExecutionContext, config: SilverConfig, lake: LakeResource):
    lk = lake.lake()
    result: SilverResult
    if config.incremental and lk.exists("silver.reports"):
        result = build.sync_silver(lk)  # from silver's watermark: exactly the bronze rows not yet reflected
    else:
        result = build.build_silver(lk)
    md = result.metadata()
    context.log.info(f"silver: {md}")
    yield materialized(lk, "silver.reports", md)
    yield materialized(lk, "silver.report_events")
    yield dg.AssetCheckResult(check_name="reconciliation", asset_key=["silver", "reports"],
                              passed=result.reports.reconciles, metadata=md)
    yield dg.AssetCheckResult(check_name="reconciliation", asset_key=["silver", "report_events"],
                              passed=result.events.reconciles, metadata=md)


@dg.multi_asset(
    specs=[lake_spec("gold.unit_performance", GROUP, deps=["silver.reports", "silver.report_events", "silver.units"]),
           lake_spec("gold.kpi_daily", GROUP, deps=["silver.reports"]),
           lake_spec("gold.unit_transfers", GROUP, deps=["silver.report_events"])],
)
def gold_reports(lake: LakeResource):
    lk = lake.lake()
    build.build_gold(lk)
    for table in ("gold.unit_performance", "gold.kpi_daily", "gold.unit_transfers"):
        yield materialized(lk, table)


# ---------------------------------------------------------------- checks on what landed
def _check_sql(lake: Lake, query: str) -> int:
    return int(lake.sql(query).item())


@dg.asset_check(asset=["silver", "reports"], description="report_id is unique")
def unique_report_ids(lake: LakeResource) -> dg.AssetCheckResult:
    dup = _check_sql(lake.lake(), "SELECT count(*) - count(DISTINCT report_id) FROM silver.reports")
    return dg.AssetCheckResult(passed=dup == 0, metadata={"duplicates": dup})


@dg.asset_check(asset=["silver", "report_events"], description="event_id is unique")
def unique_event_ids(lake: LakeResource) -> dg.AssetCheckResult:
    dup = _check_sql(lake.lake(), "SELECT count(*) - count(DISTINCT event_id) FROM silver.report_events")
    return dg.AssetCheckResult(passed=dup == 0, metadata={"duplicates": dup})


@dg.asset_check(asset=["silver", "reports"], description="every deadline is after receipt")
def deadlines_after_receipt(lake: LakeResource) -> dg.AssetCheckResult:
    bad = _check_sql(lake.lake(), "SELECT count(*) FROM silver.reports WHERE deadline_at < received_at")
    return dg.AssetCheckResult(passed=bad == 0, metadata={"violations": bad})


RATE_COLUMNS = ("processed_rate", "on_time_rate", "strict_on_time_rate", "satisfaction_rate", "participation_rate")


@dg.asset_check(asset=["gold", "unit_performance"], description="rates within 0..1, score within 0..100")
def rates_in_range(lake: LakeResource) -> dg.AssetCheckResult:
    cond = " OR ".join(f"{c} < 0 OR {c} > 1" for c in RATE_COLUMNS) + " OR score < 0 OR score > 100.0001"
    bad = _check_sql(lake.lake(), f"SELECT count(*) FROM gold.unit_performance WHERE {cond}")
    return dg.AssetCheckResult(passed=bad == 0, metadata={"violations": bad})


ALL = dg.AssetSelection.groups(GROUP)
rebuild_reports = dg.define_asset_job("rebuild_reports", selection=ALL,
                                      description="Rebuild everything of reports from the sources.")
sync_reports = dg.define_asset_job(
    "sync_reports", selection=ALL - dg.AssetSelection.assets(["silver", "units"], ["silver", "categories"],
                                                 ["silver", "admin_units"]),
    config={"ops": {"silver_reports": {"config": {"incremental": True}}}},
    description="Pull the incremental sources and apply only what changed.")
hourly_sync = dg.ScheduleDefinition(name="sync_reports_schedule", job=sync_reports, cron_schedule="0 * * * *",
                                    execution_timezone=VN_TZ_NAME)


def _resources() -> dict[str, object]:
    s = settings()
    production = s.deployment == "production"
    return {
        "simulator": HueSSimulatorResource(enabled=not production),
        "open311": Open311Resource(base_url=s.open311_url, path=s.open311_path, timezone=s.open311_tz,
                                   jurisdiction=s.open311_jurisdiction, mapping_table=s.open311_mapping or ""),
        "postgres_source": PostgresSourceResource(dsn=s.pg_dsn if production else ""),
    }


defs = dg.Definitions(
    assets=[reference_tables, bronze_reports, silver_reports, gold_reports],
    asset_checks=[unique_report_ids, unique_event_ids, deadlines_after_receipt, rates_in_range],
    jobs=[rebuild_reports, sync_reports],
    schedules=[hourly_sync],
    resources=_resources(),
)
