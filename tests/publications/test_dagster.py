"""The publications domain: the monthly asset writes PDF + XLSX under publications/ with metadata."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import openpyxl

from hue_ioc.defs.publications import (
    monthly_partitions,
    monthly_report,
    monthly_reports_schedule,
    quarter_of,
    quarterly_report,
)
from hue_ioc.defs.resources import LakeResource
from publications.provenance import tables_used
from views.headline import headline

from .conftest import PERIOD


def test_definitions_load() -> None:
    from hue_ioc.definitions import defs

    dg.Definitions.validate_loadable(defs)
    assert defs.get_schedule_def("monthly_reports_schedule").cron_schedule == "0 7 1 * *"
    assert defs.resolve_job_def("publish_monthly_reports") is not None
    assert "2019-05-01" == monthly_partitions.get_first_partition_key()


def test_schedule_asks_for_the_month_that_ended() -> None:
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2022, 6, 1, 7, 0,
                                                                          tzinfo=dt.timezone(dt.timedelta(hours=7))))
    from hue_ioc.definitions import defs

    schedule = defs.get_schedule_def("monthly_reports_schedule")
    assert monthly_reports_schedule.name == schedule.name
    requests = list(schedule.evaluate_tick(ctx).run_requests or [])
    assert [r.partition_key for r in requests] == ["2022-05-01"]


def test_materialize_monthly_report(report_lake_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "lake"
    shutil.copytree(report_lake_root, root)
    result = dg.materialize([monthly_report], partition_key=f"{PERIOD}-01",
                            resources={"lake": LakeResource(root=str(root))})
    assert result.success
    mat = result.asset_materializations_for_node("publications__monthly_report")[0]
    md = {k: v.value for k, v in mat.metadata.items()}
    pdf, xlsx = Path(md["pdf"]), Path(md["xlsx"])
    assert pdf.parent == root / "publications" and pdf.name == f"bao-cao-{PERIOD}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    openpyxl.load_workbook(xlsx)  # a real workbook
    from lake import Lake

    lake = Lake.open(root)
    versions = md["table_versions"] if isinstance(md["table_versions"], dict) else json.loads(md["table_versions"])
    assert versions == lake.versions(tables_used())
    expected = headline(lake, start=dt.date(2022, 4, 1), end=dt.date(2022, 4, 30))
    assert md["headline/received"] == expected["received"]
    assert abs(md["headline/on_time_rate"] - expected["on_time_rate"]) < 1e-12
    assert md["period"] == PERIOD and md["simulated"] is True


def test_quarterly_schedule_and_asset(report_lake_root: Path, tmp_path: Path) -> None:
    from hue_ioc.definitions import defs

    schedule = defs.get_schedule_def("quarterly_reports_schedule")
    ctx = dg.build_schedule_context(scheduled_execution_time=dt.datetime(2022, 7, 1, 0, 0,
                                                                          tzinfo=dt.timezone(dt.timedelta(hours=7))))
    requests = list(schedule.evaluate_tick(ctx).run_requests or [])
    assert [r.partition_key for r in requests] == ["2022-04-01"]
    assert quarter_of("2022-04-01").label == "2022-Q2"
    root = tmp_path / "lake"
    shutil.copytree(report_lake_root, root)
    result = dg.materialize([quarterly_report], partition_key="2022-01-01",
                            resources={"lake": LakeResource(root=str(root))})
    assert result.success
    md = {k: v.value for k, v in result.asset_materializations_for_node("publications__quarterly_report")[0]
          .metadata.items()}
    assert md["period"] == "2022-Q1" and Path(md["pdf"]).name == "bao-cao-2022-Q1.pdf"
    from lake import Lake

    expected = headline(Lake.open(root), start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31))
    assert md["headline/received"] == expected["received"]
