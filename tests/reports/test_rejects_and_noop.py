"""Runs are green only when the data are right: a rebuild clears the rejects it supersedes (and keeps the ones
it makes again, and other loads' rejects); a sync with nothing new writes nothing; the reject-rate check
follows the setting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl

from hue_ioc.defs import reports as domain
from hue_ioc.defs.resources import LakeResource
from lake import Lake, Reject
from pipelines.reports import build
from pipelines.reports.bronze import ingest_batch
from pipelines.sources.base import RawRecord, SourceBatch, event_payload, report_payload
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource

UNITS = pl.DataFrame({"unit_id": ["U1"], "name": ["UBND phường Phú Xuân"], "unit_type": ["state"],
                      "sector": [None], "admin_unit_code": [None], "joined_on": [dt.date(2019, 5, 1)],
                      "source": ["test"]}, schema_overrides={"sector": pl.String, "admin_unit_code": pl.String})


def _ev(eid: str, kind: str, at: str, **kw) -> RawRecord:
    return RawRecord("event", "app", eid, event_payload(event_id=eid, report_id="r1", event_type=kind, at=at, **kw))


def test_a_rebuild_clears_the_rejects_it_supersedes(lake: Lake):
    build.load_reference(lake, UNITS)
    records = [
        RawRecord("report", "app", "r1", report_payload(
            report_id="r1", source="app", channel="app", category_code="waste", received_at="2022-05-01T01:00:00+00:00",
            is_valid=True, updated_at="2022-05-01T01:00:00+00:00")),
        _ev("e1", "assigned", "2022-05-01T02:00:00+00:00", unit_id="U1"),
        _ev("e2", "transferred", "2022-05-01T03:00:00+00:00", unit_id="U1", to_unit_id="SXD-TTH"),
    ]
    bad = {"event_id": "e3", "report_id": "r1", "event_type": "escalated", "at": "2022-05-01T04:00:00+00:00"}
    records.append(RawRecord("event", "app", "e3", bad))  # a truly bad row: stays rejected
    unreadable = Reject("app", "bronze.reports_raw", "unreadable line", "{{{", record_ref="line 9")
    ingest_batch(lake, SourceBatch(records=records, rejects=[unreadable]), prefix="t")
    build.build_silver(lake)
    before = lake.read("silver.rejects").sort("reason")
    assert before["reason"].to_list() == ["unknown event type escalated", "unknown unit SXD-TTH", "unreadable line"]

    # the unit arrives in the reference table; the rebuild accepts e2 and drops its stale reject
    build.load_reference(lake, pl.concat([UNITS, UNITS.with_columns(unit_id=pl.lit("SXD-TTH"))]))
    result = build.build_silver(lake)
    assert result.cleared == 1 and result.metadata()["rejects_cleared"] == 1
    after = lake.read("silver.rejects").sort("reason")
    assert after["reason"].to_list() == ["unknown event type escalated", "unreadable line"]
    # the reject the rebuild makes again is the same row (same id, first rejected_at kept)
    assert after.filter(pl.col("reason") == "unknown event type escalated").row(0) == \
        before.filter(pl.col("reason") == "unknown event type escalated").row(0)
    assert lake.sql("SELECT current_unit_id FROM silver.reports WHERE report_id = 'r1'").item() == "SXD-TTH"


def _res(root: str) -> dict:
    return {"lake": LakeResource(root=root), "simulator": HueSSimulatorResource(scale=0.005, seed=5),
            "open311": Open311Resource(), "postgres_source": PostgresSourceResource(dsn="")}


def _defs(root: str) -> dg.Definitions:
    return dg.Definitions(assets=[domain.reference_tables, domain.bronze_reports, domain.silver_reports,
                                  domain.gold_reports], jobs=[domain.rebuild_reports, domain.sync_reports],
                          resources=_res(root))


TABLES = ("silver.units", "silver.categories", "silver.admin_units", "bronze.reports_raw",
          "bronze.report_events_raw", "silver.reports", "silver.report_events", "silver.rejects",
          "gold.unit_performance", "gold.kpi_daily", "gold.unit_transfers")


def test_a_sync_with_nothing_new_writes_nothing(tmp_path: Path):
    root = str(tmp_path / "lake")
    defs = _defs(root)
    assert defs.resolve_job_def("rebuild_reports").execute_in_process().success
    lake = Lake.open(root)
    before = {t: lake.version(t) for t in TABLES}
    assert all(v is not None for v in before.values())
    result = defs.resolve_job_def("sync_reports").execute_in_process()
    assert result.success
    lake = Lake.open(root)
    assert {t: lake.version(t) for t in TABLES} == before
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert not {"gold/kpi_daily", "gold/unit_performance", "gold/unit_transfers"} & materialized
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["reject_rate"] and checks["reference_present"]


def test_gold_is_rebuilt_when_the_weights_change(tmp_path: Path, monkeypatch):
    root = str(tmp_path / "lake")
    lake = Lake.open(root)
    build.build_reports_lake(lake, seed=5, scale=0.005)
    v = lake.version("gold.unit_performance")
    assert build.build_gold(lake)["unchanged"] == 1 and lake.version("gold.unit_performance") == v
    monkeypatch.setenv("HUE_IOC_SCORE_WEIGHTS", "on_time=0.25,satisfaction=0.25,processed=0.25,speed=0.25")
    assert build.build_gold(lake)["unchanged"] == 0 and lake.version("gold.unit_performance") == v + 1


def test_the_reject_rate_check_follows_the_setting(monkeypatch):
    from pipelines.reports.build import SilverResult
    from pipelines.reports.conform import Conformed

    rejects = pl.DataFrame({"reject_id": ["a", "b"], "reason": ["unknown unit X", "unknown unit Y"]})
    kept = pl.DataFrame({"report_id": [str(i) for i in range(98)]})
    result = SilverResult(Conformed(kept, rejects, read=100, superseded=0),
                          Conformed(pl.DataFrame(), rejects.clear(), read=0, superseded=0))
    assert result.reject_rate() == 0.02
    monkeypatch.setenv("HUE_IOC_MAX_REJECT_RATE", "0.02")
    check = domain.reject_rate_result(result)
    assert check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    monkeypatch.setenv("HUE_IOC_MAX_REJECT_RATE", "0.019")
    check = domain.reject_rate_result(result)
    assert not check.passed
    assert check.metadata["rejected"].value == 2 and check.metadata["top_reasons"].value == {"unknown unit …": 2}
