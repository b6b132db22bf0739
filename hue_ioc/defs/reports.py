"""Citizen reports: sources → bronze → silver → gold, with checks, a rebuild job and an hourly sync."""

import datetime as dt

import dagster as dg
import polars as pl
from pydantic import Field

from core.settings import settings
from core.tz import VN_TZ_NAME
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


@dg.multi_asset(
    specs=[dg.AssetSpec(["bronze", "reports_raw"], group_name=GROUP, deps=[["silver", "units"], ["silver", "categories"]]),
           dg.AssetSpec(["bronze", "report_events_raw"], group_name=GROUP,
                        deps=[["silver", "units"], ["silver", "categories"]])],
    description="Raw reports and events from every configured source (simulator, Open311, PostgreSQL).",
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
    if postgres_source.enabled():
        sources["postgres"] = postgres_source.source()
    meta = ingest_sources(lk, sources, reconcile_every=dt.timedelta(hours=settings().reconcile_hours))
    context.log.info(f"ingested: {meta}")
    yield dg.MaterializeResult(asset_key=["bronze", "reports_raw"],
                               metadata={"sources": dg.MetadataValue.json(meta),
                                         "version": lk.version("bronze.reports_raw")})
    yield dg.MaterializeResult(asset_key=["bronze", "report_events_raw"],
                               metadata={"version": lk.version("bronze.report_events_raw")})


@dg.multi_asset(
    check_specs=[dg.AssetCheckSpec("reference_present", asset=["silver", "units"], blocking=True,
                                   description="the reference tables the reports load needs (units, categories) "
                                               "hold rows: without them every fact is rejected"),
                 ],
    specs=[dg.AssetSpec(["silver", "units"], group_name=GROUP, description="Handling units (đơn vị xử lý)."),
           dg.AssetSpec(["silver", "categories"], group_name=GROUP,
                        description="Categories with their deadline rules (pipelines/sources/categories.yaml)."),
           dg.AssetSpec(["silver", "admin_units"], group_name=GROUP,
                        description="Huế's communes and districts before and after 2025-07-01, with boundaries.")],
)
def reference_tables(context: dg.AssetExecutionContext, lake: LakeResource, simulator: HueSSimulatorResource,
                     postgres_source: PostgresSourceResource):
    lk = lake.lake()
    written = load_reference_tables(lk, simulator, postgres_source)
    context.log.info(f"reference rows written: {written}")
    for name in ("units", "categories", "admin_units"):
        yield dg.MaterializeResult(asset_key=["silver", name], metadata={
            "rows": lk.sql(f"SELECT count(*) FROM silver.{name}").item() if lk.exists(f"silver.{name}") else 0,
            "rows_written": written.get(f"silver.{name}", 0), "version": lk.version(f"silver.{name}")})
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
    specs=[dg.AssetSpec(["silver", "reports"], group_name=GROUP,
                        deps=[["bronze", "reports_raw"], ["bronze", "report_events_raw"], ["silver", "units"]]),
           dg.AssetSpec(["silver", "report_events"], group_name=GROUP,
                        deps=[["bronze", "reports_raw"], ["bronze", "report_events_raw"]])],
    check_specs=[dg.AssetCheckSpec("reconciliation", asset=["silver", "reports"],
                                   description="rows read = kept + superseded versions + rejects"),
                 dg.AssetCheckSpec("reject_rate", asset=["silver", "reports"], blocking=True,
                                   description="rejected / read of this load is at most the setting "
                                               "max_reject_rate (HUE_IOC_MAX_REJECT_RATE); above it the run fails"),
                 dg.AssetCheckSpec("reconciliation", asset=["silver", "report_events"],
                                   description="rows read = kept + rejects")],
    description="Typed, de-duplicated reports (current state, frozen on-time flags) and their events.",
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
    yield dg.MaterializeResult(asset_key=["silver", "reports"], metadata={**md, "version": lk.version("silver.reports")})
    yield dg.MaterializeResult(asset_key=["silver", "report_events"],
                               metadata={"version": lk.version("silver.report_events")})
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
    specs=[dg.AssetSpec(["gold", "unit_performance"], group_name=GROUP, skippable=True,
                        deps=[["silver", "reports"], ["silver", "report_events"], ["silver", "units"]]),
           dg.AssetSpec(["gold", "kpi_daily"], group_name=GROUP, deps=[["silver", "reports"]], skippable=True),
           dg.AssetSpec(["gold", "unit_transfers"], group_name=GROUP, deps=[["silver", "report_events"]],
                        skippable=True)],
    description="Per unit and month: the figures leaders judge units by; daily KPIs by category/channel/area; "
                "transfer chains between units per day.",
)
def gold_reports(context: dg.AssetExecutionContext, lake: LakeResource):
    lk = lake.lake()
    md = build.build_gold(lk)
    if md.get("unchanged"):  # gold already reflects these silver versions: nothing written, nothing to record
        context.log.info("gold: silver unchanged since the last build, nothing written")
        return
    yield dg.MaterializeResult(asset_key=["gold", "unit_performance"],
                               metadata={"rows": md["unit_months"], "version": lk.version("gold.unit_performance")})
    yield dg.MaterializeResult(asset_key=["gold", "kpi_daily"],
                               metadata={"rows": md["kpi_daily_rows"], "version": lk.version("gold.kpi_daily")})
    yield dg.MaterializeResult(asset_key=["gold", "unit_transfers"],
                               metadata={"rows": md["unit_transfer_rows"],
                                         "version": lk.version("gold.unit_transfers")})


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
    "sync_reports", selection=ALL,
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
    assets=[reference_tables, bronze_reports, silver_reports, gold_reports],
    asset_checks=[unique_report_ids, unique_event_ids, deadlines_after_receipt, rates_in_range],
    jobs=[rebuild_reports, sync_reports],
    schedules=[hourly_sync],
    resources=_resources(),
)
