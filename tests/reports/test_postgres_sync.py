"""The hourly sync end to end against the real PostgreSQL: the citizen app's database → lake, exactly once.

Insert, an edit of a report, late events — each picked up by the next sync, nothing read twice."""

import datetime as dt
import os
import uuid

import dagster as dg
import polars as pl
import psycopg
import pytest

from hue_ioc.defs import reports as domain
from hue_ioc.defs.resources import LakeResource
from lake import Lake
from pipelines.reports import build
from pipelines.sources.postgres import seed_postgres_frames
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource
from pipelines.sources.simulator import SimulatorConfig, simulate

pytestmark = pytest.mark.postgres
SERVER_DSN = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")


@pytest.fixture
def app_db():
    """A database of the test's own (the reader's bound is per database), dropped afterwards."""
    admin = psycopg.connect(SERVER_DSN, autocommit=True, connect_timeout=5)
    name = f"hue_sync_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield psycopg.conninfo.make_conninfo(SERVER_DSN, dbname=name)
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def _sync(lake_root: str, dsn: str, incremental: bool) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [domain.bronze_reports, domain.silver_reports, domain.gold_reports],
        resources={"lake": LakeResource(root=lake_root), "simulator": HueSSimulatorResource(enabled=False),
                   "open311": Open311Resource(), "postgres_source": PostgresSourceResource(dsn=dsn, db_schema="app")},
        run_config={"ops": {"silver_reports": {"config": {"incremental": incremental}}}},
    )


def test_sync_from_the_app_database(app_db, tmp_path):
    sim = simulate(SimulatorConfig(seed=21, scale=0.004))
    reports = sim.reports.unique("report_id", keep="first", maintain_order=True)
    cut = dt.datetime(2021, 6, 1, tzinfo=dt.UTC)
    early, late = sim.events.filter(pl.col("at") < cut), sim.events.filter(pl.col("at") >= cut)
    seed_postgres_frames(app_db, "app", reports=reports.filter(pl.col("received_at") < cut), events=early)

    root = str(tmp_path / "lake")
    lake = Lake.open(root)
    build.load_reference(lake, sim.units)
    assert _sync(root, app_db, incremental=False).success
    n_before = lake.sql("SELECT count(*) FROM silver.reports").item()
    assert n_before == reports.filter(pl.col("received_at") < cut).height
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE received_at >= $c", {"c": cut}).item() == 0

    # the app goes on: new reports and their events arrive, and one old report is edited
    seed_postgres_frames(app_db, "app", reports=reports.filter(pl.col("received_at") >= cut), events=late)
    edited = reports.filter(pl.col("received_at") < cut, pl.col("is_valid"))["report_id"][0]
    with psycopg.connect(app_db, autocommit=True) as con:
        con.execute("UPDATE app.hues_reports SET description = 'Đã bổ sung ảnh hiện trường', "
                    "updated_at = '2022-05-27T10:00:00+07:00' WHERE report_id = %s", (edited,))
    assert _sync(root, app_db, incremental=True).success

    assert lake.sql("SELECT count(*) FROM silver.reports").item() == reports.height
    assert lake.sql("SELECT description FROM silver.reports WHERE report_id = $r", {"r": edited}).item() == \
        "Đã bổ sung ảnh hiện trường"
    assert lake.sql("SELECT count(*) FROM silver.report_events").item() == sim.events.unique("event_id").height
    # a report that was open at the cut and resolved later is resolved now
    resolved_late = late.filter(pl.col("event_type") == "resolved")["report_id"].unique()
    status = lake.sql("SELECT status FROM silver.reports WHERE list_contains($ids, report_id)",
                      {"ids": resolved_late.to_list()})["status"]
    assert (status == "resolved").all()

    # nothing changed at the source: the next sync reads nothing and changes nothing
    bronze = lake.sql("SELECT (SELECT count(*) FROM bronze.reports_raw) + "
                      "(SELECT count(*) FROM bronze.report_events_raw)").item()
    silver = lake.read("silver.reports").sort("report_id")
    assert _sync(root, app_db, incremental=True).success
    assert lake.sql("SELECT (SELECT count(*) FROM bronze.reports_raw) + "
                    "(SELECT count(*) FROM bronze.report_events_raw)").item() == bronze
    assert lake.read("silver.reports").sort("report_id").equals(silver)
