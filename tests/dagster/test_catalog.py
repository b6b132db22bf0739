"""The Dagster catalog engineers read: every lake table's asset has its own description, the delta kind, the
column schema of the lake catalog, an owner and a group; materializations report row counts and table versions
that plain SQL on the lake confirms; wall tables carry freshness policies, source steps retry; a failed run is
recorded where the screens' freshness marks show it."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import polars as pl
import pytest

from hue_ioc.definitions import defs
from hue_ioc.defs.resources import LakeResource
from lake import catalog

GRAPH = defs.resolve_asset_graph()
LAKE_KEYS = [k for k in GRAPH.get_all_asset_keys() if ".".join(k.path) in catalog()]


def test_every_lake_asset_has_its_own_description_kind_schema_owner_and_group() -> None:
    assert len(LAKE_KEYS) == 25  # every asset but the publications (files, not tables)
    descriptions = {}
    for key in LAKE_KEYS:
        node = GRAPH.get(key)
        table = ".".join(key.path)
        assert node.description and len(node.description) > 20, key
        descriptions.setdefault(node.description, []).append(table)
        assert "delta" in node.kinds, key
        assert node.owners and node.group_name in ("reports", "cameras", "disasters"), key
        schema = node.metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns] == catalog()[table].schema.names, key
    shared = {d: t for d, t in descriptions.items() if len(t) > 1}
    assert not shared, shared  # no multi-asset copies one description onto its members
    reports = GRAPH.get(dg.AssetKey(["silver", "reports"])).metadata["dagster/column_schema"]
    cols = {c.name: c for c in reports.columns}
    assert cols["rating"].type == "string" and "hai_long | chap_nhan | khong_hai_long" in cols["rating"].description
    assert "operators only" in cols["reporter_phone"].description
    assert "unit: °" in cols["lat"].description


def test_wall_tables_have_freshness_policies_and_source_steps_retry() -> None:
    for table in ("silver.reports", "gold.kpi_daily", "gold.unit_performance", "silver.gauge_readings",
                  "gold.flood_status", "silver.warnings", "silver.violations", "gold.violations_daily"):
        assert GRAPH.get(dg.AssetKey(table.split("."))).freshness_policy is not None, table
    repo = defs.get_repository_def()
    by_op = {}
    for assets_def in repo.assets_defs_by_key.values():
        by_op[assets_def.op.name] = assets_def.op.retry_policy
    for op in ("bronze_reports", "reference_tables", "camera_detections", "gauge_readings", "cap_warnings",
               "silver__gauge_stations"):
        assert by_op[op] is not None and by_op[op].max_retries >= 1, op
    # steps run in the run's process
    assert repo.get_job("rebuild_reports").executor_def.name == "in_process"


def test_materializations_carry_row_count_and_table_version(tmp_path) -> None:
    from hue_ioc.defs import reports
    from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource

    lake_res = LakeResource(root=str(tmp_path / "lake"))
    result = dg.materialize(
        reports.defs.assets, resources={"lake": lake_res, "open311": Open311Resource(),
                                        "postgres_source": PostgresSourceResource(dsn=""),
                                        "simulator": HueSSimulatorResource(scale=0.003, seed=3)})
    assert result.success
    lake = lake_res.lake()
    seen = set()
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        table = ".".join(mat.asset_key.path)
        md = mat.metadata
        # independent route: plain SQL on the lake and the Delta log
        assert md["dagster/row_count"].value == lake.sql(f"SELECT count(*) FROM {table}").item(), table
        assert md["table_version"].value == lake.version(table), table
        seen.add(table)
    assert seen == {"bronze.reports_raw", "bronze.report_events_raw", "silver.units", "silver.categories",
                    "silver.admin_units", "silver.reports", "silver.report_events", "gold.unit_performance",
                    "gold.kpi_daily", "gold.unit_transfers", "silver.app_adoption", "silver.environment_fines",
                    "silver.tracing_requests"}
    assert lake.sql("SELECT count(*) FROM bronze.reports_raw").item() > 0


def test_a_failed_run_shows_as_run_failed_on_the_freshness_marks(tmp_path) -> None:
    from hue_ioc.defs.operations import record_run_failures
    from views.freshness import freshness

    lake_res = LakeResource(root=str(tmp_path / "lake"))
    lake = lake_res.lake()
    now = dt.datetime.now(dt.UTC)
    lake.merge("silver.reports", pl.DataFrame({"report_id": ["R1"], "updated_at": [now - dt.timedelta(seconds=5)]}))

    @dg.asset(key=["silver", "reports"])
    def broken_reports() -> None:
        raise RuntimeError("source database unreachable")

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([broken_reports], instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="record_run_failures", dagster_instance=instance, dagster_run=result.dagster_run,
        dagster_event=failure, resources={"lake": lake_res}).for_run_failure()
    record_run_failures(context)
    row = lake.read("silver.pipeline_failures").row(0, named=True)
    assert row["run_id"] == result.run_id and json.loads(row["tables"]) == ["silver.reports"]
    assert json.loads(row["steps"]) == ["silver__reports"]  # the step of the asset keyed silver/reports
    marks = {r["source"]: r for r in freshness(lake).iter_rows(named=True)}
    # the data are 5 s old (green by age), but the run that should have refreshed them failed
    assert marks["reports"]["state"] == "failed" and marks["reports"]["failed_job"] == result.dagster_run.job_name
    assert marks["camera"]["state"] == "none" and marks["camera"]["failed_job"] is None
    # recording the same run again adds nothing; a later write of the table clears the mark
    record_run_failures(context)
    assert lake.read("silver.pipeline_failures").height == 1
    lake.merge("silver.reports", pl.DataFrame({"report_id": ["R2"], "updated_at": [dt.datetime.now(dt.UTC)]}))
    assert freshness(lake).filter(pl.col("source") == "reports")["state"].item() == "green"


@pytest.mark.parametrize("name", ["build_cameras", "build_disasters", "rebuild_reports"])
def test_the_demo_jobs_cover_every_domain(name: str) -> None:
    job = defs.get_repository_def().get_job(name)
    groups = {GRAPH.get(k).group_name for k in job.asset_layer.executable_asset_keys}
    assert groups == {"build_cameras": {"cameras"}, "build_disasters": {"disasters"},
                      "rebuild_reports": {"reports"}}[name]


def test_a_failed_cli_run_is_recorded_without_the_daemon(tmp_path, monkeypatch) -> None:
    """`hue-ioc build` / `hue-ioc demo` run jobs in process: a failure is recorded by the command itself."""
    from hue_ioc.commands import core
    from pipelines.reports import build
    from views.freshness import freshness

    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))

    def broken(*args, **kwargs):
        raise RuntimeError("silver build broke")

    monkeypatch.setattr(build, "build_silver", broken)
    ok = core.run_job("rebuild_reports", {"resources": {"simulator": {"config": {"scale": 0.002, "seed": 4}}}})
    assert not ok
    from lake import Lake

    lake = Lake.open(tmp_path / "lake", role="service")
    row = lake.read("silver.pipeline_failures").row(0, named=True)
    assert row["job_name"] == "rebuild_reports" and row["steps"] == '["silver_reports"]'
    assert "silver.reports" in json.loads(row["tables"]) and "gold.kpi_daily" in json.loads(row["tables"])
    assert freshness(lake).filter(pl.col("source") == "reports")["state"].item() == "failed"
