"""The reports pipeline end to end on a small simulated set: rejects, idempotency, Dagster materialize."""

import datetime as dt
import json

import dagster as dg
import polars as pl
import pytest

from hue_ioc.defs import reports as reports_domain
from hue_ioc.defs.resources import LakeResource
from lake import Lake
from pipelines.reports import build
from pipelines.reports.bronze import ingest_batch
from pipelines.sources.base import ReportSource
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource
from pipelines.sources.simulator import SimulatedReportSource, SimulatorConfig, simulate

SMALL = {"seed": 11, "scale": 0.02}


@pytest.fixture(scope="module")
def small_lake(tmp_path_factory) -> Lake:
    lake = Lake.open(tmp_path_factory.mktemp("lake"))
    build.build_reports_lake(lake, **SMALL)
    return lake


def _snapshot(lake: Lake, table: str, key: list[str]) -> pl.DataFrame:
    return lake.read(table).sort(key)


def test_rebuild_twice_is_identical(small_lake, tmp_path):
    before = {t: _snapshot(small_lake, t, k) for t, k in [
        ("silver.reports", ["report_id"]), ("silver.report_events", ["event_id"]),
        ("gold.unit_performance", ["unit_id", "month"]), ("gold.kpi_daily", ["date", "category_code", "channel",
                                                                             "admin_unit_code_2025"])]}
    rejects_before = small_lake.sql("SELECT count(*) FROM silver.rejects").item()
    bronze_before = small_lake.sql("SELECT count(*) FROM bronze.reports_raw").item()
    build.build_reports_lake(small_lake, **SMALL)
    for table, frame in before.items():
        key = frame.columns[:1] if table.startswith("silver") else None
        after = _snapshot(small_lake, table, key or (["unit_id", "month"] if "unit" in table else
                                                     ["date", "category_code", "channel", "admin_unit_code_2025"]))
        assert after.equals(frame), f"{table} changed on rebuild"
    assert small_lake.sql("SELECT count(*) FROM silver.rejects").item() == rejects_before
    assert small_lake.sql("SELECT count(*) FROM bronze.reports_raw").item() == bronze_before


def test_bad_rows_go_to_rejects_and_good_rows_go_through(small_lake, tmp_path):
    # a report delivered once (no late edit): its only version has updated_at = received_at
    good = small_lake.sql("SELECT * FROM silver.reports WHERE is_valid AND lat IS NOT NULL AND report_id IN "
                          "(SELECT record_id FROM bronze.reports_raw GROUP BY 1 HAVING count(*) = 1) "
                          "ORDER BY report_id LIMIT 1").row(0, named=True)
    unit = small_lake.sql("SELECT unit_id FROM silver.units LIMIT 1").item()
    iso = lambda d: d.isoformat()  # noqa: E731
    base = {k: good[k] for k in ("source", "channel", "category_code", "title", "description", "lat", "lon",
                                 "admin_unit_code", "process_type", "is_valid")}
    base |= {"received_at": "2022-05-20T08:00:00+07:00", "updated_at": "2022-05-20T08:00:00+07:00"}
    lines = [
        {"kind": "report", **base, "report_id": "NEW-1"},  # good
        {"kind": "event", "event_id": "NEW-1:received", "report_id": "NEW-1", "event_type": "received",
         "at": "2022-05-20T08:00:00+07:00"},  # good
        {"kind": "event", "event_id": "NEW-1:assigned", "report_id": "NEW-1", "event_type": "assigned",
         "at": "2022-05-20T09:00:00+07:00", "unit_id": unit, "deadline_at": "2022-05-21T09:00:00+07:00"},  # good
        {"kind": "report", **base, "report_id": "BAD-TYPE", "lat": "mười sáu"},
        {"kind": "report", **base, "report_id": "BAD-OUTSIDE", "lat": 21.0285, "lon": 105.8542},  # Hà Nội
        {"kind": "report", **base, "report_id": "BAD-FUTURE", "received_at": "2099-01-01T00:00:00+07:00",
         "updated_at": "2099-01-01T00:00:00+07:00"},
        {"kind": "report", **base, "report_id": "BAD-CATEGORY", "category_code": "ufo"},
        {"kind": "report", **{k: good[k] for k in base if k in good}, "report_id": good["report_id"],
         "received_at": iso(good["received_at"]), "updated_at": iso(good["received_at"]),
         "description": "khác nội dung"},  # duplicate id: same version, other content
        {"kind": "event", "event_id": "NEW-1:bad-unit", "report_id": "NEW-1", "event_type": "transferred",
         "at": "2022-05-20T10:00:00+07:00", "unit_id": unit, "to_unit_id": "no-such-unit"},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False, default=str) for x in lines) + "\n{not json\n",
                    encoding="utf-8")
    from hue_ioc.cli import main

    assert main(["--lake", small_lake.root, "ingest", str(path)]) == 0
    lake = Lake.open(small_lake.root)
    rej = lake.sql("SELECT record_ref, reason FROM silver.rejects WHERE source = 'file'")
    reasons = dict(zip(rej["record_ref"], rej["reason"], strict=True))
    assert "wrong type: lat" in reasons["BAD-TYPE"]
    assert "outside Huế" in reasons["BAD-OUTSIDE"]
    assert "future" in reasons["BAD-FUTURE"]
    assert "unknown category" in reasons["BAD-CATEGORY"]
    assert "duplicate report_id" in reasons[good["report_id"]]
    assert "unknown unit no-such-unit" in reasons["NEW-1:bad-unit"]
    assert any("malformed JSON" in r for r in rej["reason"])
    new = lake.sql("SELECT status, current_unit_id, deadline_at FROM silver.reports WHERE report_id = 'NEW-1'")
    assert new.height == 1 and new["current_unit_id"][0] == unit and new["status"][0] == "open"
    # the report that was duplicated keeps its original content
    kept = lake.sql("SELECT description FROM silver.reports WHERE report_id = $r", {"r": good["report_id"]}).item()
    assert kept == good["description"]
    # feeding the same file again adds nothing
    n_rej = lake.sql("SELECT count(*) FROM silver.rejects").item()
    n_rep = lake.sql("SELECT count(*) FROM silver.reports").item()
    assert main(["--lake", small_lake.root, "ingest", str(path)]) == 0
    assert lake.sql("SELECT count(*) FROM silver.rejects").item() == n_rej
    assert lake.sql("SELECT count(*) FROM silver.reports").item() == n_rep


def test_reconciliation_and_frozen_flags(small_lake):
    silver = build.conform_all(small_lake.read("bronze.reports_raw"), small_lake.read("bronze.report_events_raw"),
                               small_lake.read("silver.units"), dt.datetime.now(dt.UTC))
    assert silver.reports.reconciles and silver.events.reconciles
    assert silver.reports.superseded > 0  # late edits were folded, not lost
    # flags exist exactly for closed valid reports
    bad = small_lake.sql("SELECT count(*) FROM silver.reports WHERE (status = 'resolved') != (on_time IS NOT NULL)")
    assert bad.item() == 0


def test_materialize_reports_graph(tmp_path):
    lake_res = LakeResource(root=str(tmp_path / "lake"))
    result = dg.materialize(
        reports_domain.defs.assets,
        resources={"lake": lake_res, "simulator": HueSSimulatorResource(scale=0.01, seed=3, until="2023-12-31"),
                   "open311": Open311Resource(), "postgres_source": PostgresSourceResource(dsn="")},
    )
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    lake = lake_res.lake()
    assert lake.sql("SELECT count(*) FROM gold.unit_performance").item() > 0
    # the 226 units of the 2019-2024 era; then the units of 2025 (the city's districts, the 40 communes)
    assert lake.sql("SELECT count(*) FROM silver.units WHERE valid_from IS NULL").item() == 226
    assert lake.sql("SELECT count(*) FROM silver.units WHERE valid_from = DATE '2025-07-01'").item() == 40


def test_definitions_load():
    from hue_ioc.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"silver/reports", "gold/unit_performance", "gold/kpi_daily"} <= keys
    assert defs.resolve_job_def("rebuild_reports") is not None
    assert defs.resolve_schedule_def("sync_reports_schedule") is not None


def test_a_regenerated_simulation_replaces_its_own_batch_only(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    ingest_batch(lake, simulate(SimulatorConfig(seed=4, scale=0.01)).batch(batch_id="sim-x"), prefix="sim")
    ingest_batch(lake, simulate(SimulatorConfig(seed=9, scale=0.01)).batch(batch_id="sim-other"), prefix="sim")
    other = lake.sql("SELECT count(*) FROM bronze.report_events_raw WHERE batch_id = 'sim-other'").item()
    changed = simulate(SimulatorConfig(seed=5, scale=0.01))  # "the simulator's code changed"
    ingest_batch(lake, changed.batch(batch_id="sim-x"), prefix="sim")
    n = lake.sql("SELECT count(DISTINCT raw_id) FROM bronze.report_events_raw WHERE batch_id = 'sim-x'").item()
    assert n == changed.events.unique().height
    assert lake.sql("SELECT count(*) FROM bronze.report_events_raw WHERE batch_id = 'sim-other'").item() == other


def test_the_simulator_is_a_report_source_resumable_from_a_moment(tmp_path):
    cfg = SimulatorConfig(seed=4, scale=0.005)
    source = SimulatedReportSource(cfg)
    assert isinstance(source, ReportSource)
    sim = simulate(cfg)
    cut = "2021-01-01T00:00:00+07:00"
    later = source.fetch(cut)
    assert not later.complete and later.watermark is None
    moment = dt.datetime(2020, 12, 31, 17, tzinfo=dt.UTC)  # the cut, in UTC
    assert later.payloads("report").height == sim.reports.filter(pl.col("updated_at") > moment).height
    assert later.payloads("event").height == sim.events.filter(pl.col("at") > moment).height
    lake = Lake.open(tmp_path / "lake")
    ingested = ingest_batch(lake, later, prefix="sim")
    assert ingested.batch_id == "sim-seed4"
    stored = lake.sql("SELECT count(*) FROM bronze.report_events_raw WHERE batch_id = 'sim-seed4'").item()
    assert stored == sim.events.filter(pl.col("at") > moment).unique().height
    # a payload keeps Vietnam time, as a citizen's app would send it
    first = json.loads(later.payloads("report")["payload"][0])
    assert first["received_at"].endswith("+07:00")
