"""Citizen reports: sources → bronze → silver → gold, with checks, a rebuild job and an hourly sync."""

import datetime as dt

import dagster as dg
import polars as pl
from pydantic import Field

from core.settings import settings
from core.tz import VN_TZ_NAME
from hue_ioc.defs.catalog import SOURCE_RETRY, lake_spec, materialized
from hue_ioc.defs.resources import LakeResource, postgres_source_resource
from lake import Lake
from lake.catalog import spec
from pipelines.reports import build, build_params
from pipelines.reports.bronze import ingest_sources
from pipelines.reports.build import SilverResult
from pipelines.sources.base import ReportSource
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource
from pipelines.sources.simulator import roster

GROUP = "reports"
# assets simulated once per build (the seed's other facts), left out of the hourly sync
REFRESH_TAG, PER_BUILD = "hue_ioc/refresh", "per-build"


@dg.multi_asset(
    specs=[lake_spec("bronze.reports_raw", GROUP, deps=["silver.units", "silver.categories"],
                     description="Citizen reports as every configured source gave them (simulator, Open311, "
                                 "PostgreSQL), append-only, one row per distinct payload (the payload names the "
                                 "reporter: operators only)."),
           lake_spec("bronze.report_events_raw", GROUP, deps=["silver.units", "silver.categories"],
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
                                 "end": simulator.end, "until": simulator.config().last_day.isoformat()})
    if open311.base_url or open311.path:
        sources["open311"] = open311.source()
    if postgres_source.enabled():
        sources["postgres"] = postgres_source.source()
    meta = ingest_sources(lk, sources, reconcile_every=dt.timedelta(hours=settings().reconcile_hours))
    context.log.info(f"ingested: {meta}")
    yield materialized(lk, "bronze.reports_raw", {"sources": dg.MetadataValue.json(meta)})
    yield materialized(lk, "bronze.report_events_raw")


@dg.multi_asset(
    check_specs=[dg.AssetCheckSpec("reference_present", asset=["silver", "units"], blocking=True,
                                   description="the reference tables the reports load needs (units, categories) "
                                               "hold rows: without them every fact is rejected"),
                 ],
    specs=[lake_spec("silver.units", GROUP),
           lake_spec("silver.categories", GROUP,
                     description="Report categories (lĩnh vực) with their processing type and deadline rule "
                                 "(the source's own table in production, else pipelines/sources/categories.yaml)."),
           lake_spec("silver.admin_units", GROUP)],
    retry_policy=SOURCE_RETRY,
)
def reference_tables(context: dg.AssetExecutionContext, lake: LakeResource, simulator: HueSSimulatorResource,
                     postgres_source: PostgresSourceResource):
    lk = lake.lake()
    written = load_reference_tables(lk, simulator, postgres_source)
    context.log.info(f"reference rows written: {written}")
    for name in ("silver.units", "silver.categories", "silver.admin_units"):
        yield materialized(lk, name, {"rows_written": written.get(name, 0)})
    missing = build.missing_reference(lk)
    yield dg.AssetCheckResult(check_name="reference_present", asset_key=["silver", "units"], passed=not missing,
                              severity=dg.AssetCheckSeverity.ERROR,
                              description=f"missing or empty: {', '.join(missing)}" if missing else None,
                              metadata={"missing_or_empty": ", ".join(missing) or "none"})


def load_reference_tables(lk: Lake, simulator: HueSSimulatorResource,
                          postgres_source: PostgresSourceResource) -> dict[str, int]:
    """Units and categories before the facts: from the citizen app's database when it is the source
    (production), else the simulator's roster and categories.yaml. Rows already in silver are not rewritten."""
    if postgres_source.enabled():
        ref = postgres_source.source().reference()
        units = ref.get("units")
        if units is None:  # the mapping names no units table: none are loaded (the check fails the run)
            units = pl.from_arrow(spec("silver.units").schema.empty_table())
        return build.load_reference(lk, units, ref.get("categories"))
    return build.load_reference(lk, roster(simulator.config()))


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
                 dg.AssetCheckSpec("reject_rate", asset=["silver", "reports"], blocking=True,
                                   description="rejected / read of this load is at most the setting "
                                               "max_reject_rate (HUE_IOC_MAX_REJECT_RATE); above it the run fails"),
                 dg.AssetCheckSpec("reconciliation", asset=["silver", "report_events"],
                                   description="rows read = kept + rejects")],
)
def silver_reports(context: dg.AssetExecutionContext, config: SilverConfig, lake: LakeResource):
    lk = lake.lake()
    missing = build.missing_reference(lk)
    if missing:  # every report and event would be rejected: refuse the load instead of filling rejects
        raise dg.Failure(description=f"reference tables missing or empty: {', '.join(missing)}; load them first "
                                     "(asset silver/units, job rebuild_reports)")
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
    yield reject_rate_result(result)


def reject_rate_result(result: SilverResult) -> dg.AssetCheckResult:
    """The reject-rate check of one load: ERROR (failing the run) above the configured share."""
    limit = settings().max_reject_rate
    rate = result.reject_rate()
    rejects = pl.concat([result.reports.rejects, result.events.rejects])
    reasons = (rejects.with_columns(pl.col("reason").str.replace(r" [^ ]+$", " …"))
               .group_by("reason").len().sort("len", descending=True).head(5)) if rejects.height else None
    top = {r: n for r, n in reasons.iter_rows()} if reasons is not None else {}
    return dg.AssetCheckResult(
        check_name="reject_rate", asset_key=["silver", "reports"], passed=rate <= limit,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{rejects.height} of {result.reports.read + result.events.read} rows rejected "
                    f"({rate:.2%}; allowed {limit:.2%})",
        metadata={"reject_rate": rate, "max_reject_rate": limit, "rejected": rejects.height,
                  "read": result.reports.read + result.events.read, "top_reasons": dg.MetadataValue.json(top)})


@dg.multi_asset(
    specs=[lake_spec("gold.unit_performance", GROUP, deps=["silver.reports", "silver.report_events", "silver.units"],
                     skippable=True),
           lake_spec("gold.kpi_daily", GROUP, deps=["silver.reports"], skippable=True),
           lake_spec("gold.unit_transfers", GROUP, deps=["silver.report_events"], skippable=True)],
)
def gold_reports(context: dg.AssetExecutionContext, lake: LakeResource):
    lk = lake.lake()
    md = build.build_gold(lk)
    if md.get("unchanged"):  # gold already reflects these silver versions: nothing written, nothing to record
        context.log.info("gold: silver unchanged since the last build, nothing written")
        return
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


@dg.multi_asset(
    # the seed's other facts (simulated): app installs and visits, environment fines, police tracing requests
    # answered with camera footage; each table's own description comes from the lake catalog
    specs=[lake_spec(f"silver.{t}", GROUP, deps=["silver.reports"], tags={REFRESH_TAG: PER_BUILD})
           for t in ("app_adoption", "environment_fines", "tracing_requests")],
)
def seed_facts(lake: LakeResource, simulator: HueSSimulatorResource):
    from pipelines.sources.hues.seed_facts import load_seed_facts

    lk = lake.lake()
    cfg = simulator.config()
    counts = load_seed_facts(lk, cfg.seed, cfg.start, cfg.end, cfg.last_day)
    for t in ("app_adoption", "environment_fines", "tracing_requests"):
        yield materialized(lk, f"silver.{t}", {"counts": dg.MetadataValue.json(counts)})


ALL = dg.AssetSelection.groups(GROUP)
rebuild_reports = dg.define_asset_job("rebuild_reports", selection=ALL,
                                      description="Rebuild everything of reports from the sources.")
sync_reports = dg.define_asset_job(
    # the seed's other facts are simulated once per build, not pulled hourly
    "sync_reports", selection=ALL - dg.AssetSelection.tag(REFRESH_TAG, PER_BUILD),
    config={"ops": {"silver_reports": {"config": {"incremental": True}}}},
    description="Pull the reference tables (changed rows only) and the incremental sources; apply only what "
                "changed. Nothing new at the source: nothing written.")
hourly_sync = dg.ScheduleDefinition(name="sync_reports_schedule", job=sync_reports, cron_schedule="0 * * * *",
                                    execution_timezone=VN_TZ_NAME)


def _resources() -> dict[str, object]:
    s = settings()
    production = s.deployment == "production"
    return {
        "simulator": HueSSimulatorResource(enabled=not production),
        "open311": Open311Resource(base_url=s.open311_url, path=s.open311_path, timezone=s.open311_tz,
                                   jurisdiction=s.open311_jurisdiction, mapping_table=s.open311_mapping or ""),
        "postgres_source": postgres_source_resource(production),
    }


defs = dg.Definitions(
    assets=[reference_tables, bronze_reports, silver_reports, gold_reports, seed_facts],
    asset_checks=[unique_report_ids, unique_event_ids, deadlines_after_receipt, rates_in_range],
    jobs=[rebuild_reports, sync_reports],
    schedules=[hourly_sync],
    resources=_resources(),
)
