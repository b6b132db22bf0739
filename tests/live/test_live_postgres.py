"""The live service's PostgreSQL path: a report inserted into the citizen app's database reaches
silver.reports on the next poll, and an edit of it on the poll after."""

from __future__ import annotations

import os
import uuid

import polars as pl
import psycopg
import pytest

from lake import Lake
from pipelines.live.service import LiveConfig
from pipelines.reports import build
from pipelines.sources.postgres import PostgresReportSource, create_schema, seed_postgres_frames
from pipelines.sources.simulator import SimulatorConfig, simulate
from tests.live.conftest import SYSTEM_BROKER, RunningService, wait_for

pytestmark = pytest.mark.postgres
SERVER_DSN = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
EVERY_S = 1.0


@pytest.fixture
def app_db():
    """A database of the test's own (the reader's bound is per database), dropped afterwards."""
    try:
        admin = psycopg.connect(SERVER_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {SERVER_DSN}: {exc}".splitlines()[0])
    name = f"hue_live_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = psycopg.conninfo.make_conninfo(SERVER_DSN, dbname=name)
        with psycopg.connect(dsn) as conn:
            create_schema(conn, "app")
        yield dsn
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_postgres_insert_reaches_silver_on_the_next_poll(lake: Lake, app_db: str):
    sim = simulate(SimulatorConfig(seed=5, scale=0.002))
    build.load_reference(lake, sim.units)
    report = sim.reports.filter(pl.col("is_valid")).unique("report_id", keep="first", maintain_order=True).head(1)
    rid = report["report_id"].item()
    config = LiveConfig(batch_wait_s=0.2, postgres=PostgresReportSource(app_db, "app"), postgres_every_s=EVERY_S,
                        report_gold_every_s=EVERY_S)
    with RunningService(lake, SYSTEM_BROKER, config, consume=False):
        wait_for(lambda: lake.exists("bronze.reports_raw") or _polled(lake), "the first (empty) poll", 30)
        seed_postgres_frames(app_db, "app", reports=report)
        wait_for(lambda: lake.exists("silver.reports") and lake.sql(
            "SELECT count(*) FROM silver.reports WHERE report_id = $r", {"r": rid}).item() == 1,
            "the inserted report in silver.reports", 10 * EVERY_S + 20)
        with psycopg.connect(app_db, autocommit=True) as con:
            con.execute("UPDATE app.hues_reports SET title = 'Đèn đường hỏng (đã bổ sung)', updated_at = now() "
                        "WHERE report_id = %s", (rid,))
        wait_for(lambda: lake.sql("SELECT title FROM silver.reports WHERE report_id = $r", {"r": rid}).item()
                 == "Đèn đường hỏng (đã bổ sung)", "the edit in silver.reports", 10 * EVERY_S + 20)
        wait_for(lambda: lake.exists("gold.kpi_daily"), "report gold refreshed after silver changed", 30)
    assert lake.sql("SELECT count(*) FROM silver.reports").item() == 1
    assert lake.sql("SELECT count(*) FROM bronze.reports_raw").item() == 2  # the insert and the edit, once each


def test_a_notify_wakes_the_poller_before_its_turn(lake: Lake, app_db: str):
    """With the NOTIFY triggers installed, an insert reaches silver long before the next scheduled poll (the
    schedule here is 10 minutes away); the watermarked fetch still decides what is read."""
    from pipelines.live.pg_notify import install_notify

    install_notify(app_db, "app")
    sim = simulate(SimulatorConfig(seed=5, scale=0.002))
    build.load_reference(lake, sim.units)
    report = sim.reports.filter(pl.col("is_valid")).unique("report_id", keep="first", maintain_order=True).head(1)
    rid = report["report_id"].item()
    config = LiveConfig(batch_wait_s=0.2, postgres=PostgresReportSource(app_db, "app"), postgres_every_s=600.0)
    with RunningService(lake, SYSTEM_BROKER, config, consume=False) as running:
        wait_for(lambda: _polled(lake), "the first (empty) poll", 30)
        wait_for(lambda: running.service._listener is not None and running.service._listener._conn is not None,
                 "the LISTEN connection", 30)
        seed_postgres_frames(app_db, "app", reports=report)
        wait_for(lambda: lake.exists("silver.reports") and lake.sql(
            "SELECT count(*) FROM silver.reports WHERE report_id = $r", {"r": rid}).item() == 1,
            "the inserted report in silver.reports, woken by NOTIFY", 60)
        assert running.service._listener.received >= 1


def test_without_a_listener_the_schedule_still_polls(lake: Lake, app_db: str):
    """LISTEN on a database that is not there: the service falls back to its schedule and still reads."""
    sim = simulate(SimulatorConfig(seed=5, scale=0.002))
    build.load_reference(lake, sim.units)
    report = sim.reports.filter(pl.col("is_valid")).unique("report_id", keep="first", maintain_order=True).head(1)
    seed_postgres_frames(app_db, "app", reports=report)
    config = LiveConfig(batch_wait_s=0.2, postgres=PostgresReportSource(app_db, "app"), postgres_every_s=EVERY_S)
    running = RunningService(lake, SYSTEM_BROKER, config, consume=False)
    running.service._listener.dsn = psycopg.conninfo.make_conninfo(app_db, dbname="hue_no_such_db")
    with running:
        wait_for(lambda: lake.exists("silver.reports") and lake.sql("SELECT count(*) FROM silver.reports").item() == 1,
                 "the report read on schedule", 10 * EVERY_S + 20)
        assert running.service._listener._conn is None


def _polled(lake: Lake) -> bool:
    from pipelines.live.polls import WATERMARKS

    try:
        lake.get_artifact(lake.artifact_uri(*WATERMARKS))
    except (FileNotFoundError, OSError):
        return False
    return True
