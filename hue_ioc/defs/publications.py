"""Publications: the monthly leadership report (PDF + XLSX) as a partitioned asset with a monthly schedule.

Each month's files go under the lake's ``publications/`` folder; the materialization records the files,
the lake table versions they were built from, the moment they were read at (rebuild with
``hue-ioc report --as-of``) and the headline figures.
"""


from typing import Any

import dagster as dg

from core.tz import VN_TZ_NAME
from hue_ioc.defs.catalog import OWNERS
from hue_ioc.defs.resources import LakeResource
from publications.pdf import render_pdf
from publications.provenance import stamp
from publications.publish import file_name
from publications.report_data import ReportData, build_report_data
from publications.xlsx import render_xlsx
from views.period import Period

GROUP = "publications"
# Hue-S figures start in May 2019; a month's report is due once the month is over.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2019-05-01", timezone=VN_TZ_NAME)
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    start="2019-04-01", cron_schedule="0 0 1 1,4,7,10 *", fmt="%Y-%m-%d", timezone=VN_TZ_NAME)


def period_of(partition_key: str) -> Period:
    """Monthly partition key ``2022-05-01`` → the period ``2022-05``."""
    return Period.parse(partition_key[:7])


def quarter_of(partition_key: str) -> Period:
    """Quarterly partition key ``2022-04-01`` → the period ``2022-Q2``."""
    year, month = int(partition_key[:4]), int(partition_key[5:7])
    return Period.parse(f"{year}-Q{(month - 1) // 3 + 1}")


def publish_month(lake: Any, period: Period) -> tuple[ReportData, dict[str, str]]:
    """Build a period's report once and store it as PDF and XLSX under publications/ (plain function)."""
    data = build_report_data(lake, period)
    uris = {
        "pdf": lake.put_artifact("publications", file_name(period, "pdf"), render_pdf(data)),
        "xlsx": lake.put_artifact("publications", file_name(period, "xlsx"), render_xlsx(data)),
    }
    return data, uris


def report_metadata(data: ReportData, uris: dict[str, str]) -> dict[str, Any]:
    head = data.headline["current"]
    md: dict[str, Any] = {
        "period": data.period.label,
        "pdf": dg.MetadataValue.path(uris["pdf"]),
        "xlsx": dg.MetadataValue.path(uris["xlsx"]),
        "as_of": stamp(data.moment),
        "table_versions": dg.MetadataValue.json({k: v for k, v in data.versions.items()}),
        "rebuild": dg.MetadataValue.text(f"hue-ioc report --period {data.period.label} --as-of "
                                         f"{stamp(data.moment)} --format pdf --out report.pdf"),
        "units_ranked": int(data.ranking.filter(data.ranking["rank"].is_not_null()).height),
        "simulated": data.simulated,
    }
    for key, value in head.items():
        if isinstance(value, bool) or value is None:
            continue
        md[f"headline/{key}"] = float(value) if isinstance(value, float) else int(value)
    return md


@dg.asset(
    key=["publications", "monthly_report"],
    group_name=GROUP,
    partitions_def=monthly_partitions,
    deps=[["gold", "kpi_daily"], ["gold", "unit_performance"]],
    description="Báo cáo tháng cho lãnh đạo (PDF + XLSX) · the monthly leadership report, stored under the "
                "lake's publications/ folder with its table versions and headline figures.",
    kinds={"pdf", "excel"},
    owners=OWNERS[GROUP],
)
def monthly_report(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    period = period_of(context.partition_key)
    data, uris = publish_month(lake.lake(), period)
    context.log.info(f"{period.label}: {uris['pdf']}, {uris['xlsx']} (as of {stamp(data.moment)})")
    return dg.MaterializeResult(metadata=report_metadata(data, uris))


@dg.asset(
    key=["publications", "quarterly_report"],
    group_name=GROUP,
    partitions_def=quarterly_partitions,
    deps=[["gold", "kpi_daily"], ["gold", "unit_performance"]],
    description="Báo cáo quý cho lãnh đạo (PDF + XLSX) · the quarterly leadership report, under publications/.",
    kinds={"pdf", "excel"},
    owners=OWNERS[GROUP],
)
def quarterly_report(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    period = quarter_of(context.partition_key)
    data, uris = publish_month(lake.lake(), period)
    context.log.info(f"{period.label}: {uris['pdf']}, {uris['xlsx']} (as of {stamp(data.moment)})")
    return dg.MaterializeResult(metadata=report_metadata(data, uris))


publish_monthly_reports = dg.define_asset_job(
    "publish_monthly_reports", selection=dg.AssetSelection.assets(monthly_report),
    partitions_def=monthly_partitions,
    description="Lập báo cáo tháng · build the monthly leadership report")

# On the 1st of each month at 07:00 Vietnam time, for the month that just ended.
monthly_reports_schedule = dg.build_schedule_from_partitioned_job(
    publish_monthly_reports, name="monthly_reports_schedule", hour_of_day=7, minute_of_hour=0,
    day_of_month=1)

publish_quarterly_reports = dg.define_asset_job(
    "publish_quarterly_reports", selection=dg.AssetSelection.assets(quarterly_report),
    partitions_def=quarterly_partitions,
    description="Lập báo cáo quý · build the quarterly leadership report")

# When each quarter ends (00:00 Vietnam time on 1 Jan/Apr/Jul/Oct), for the quarter that just ended.
quarterly_reports_schedule = dg.build_schedule_from_partitioned_job(
    publish_quarterly_reports, name="quarterly_reports_schedule")

defs = dg.Definitions(
    assets=[monthly_report, quarterly_report],
    jobs=[publish_monthly_reports, publish_quarterly_reports],
    schedules=[monthly_reports_schedule, quarterly_reports_schedule],
)
