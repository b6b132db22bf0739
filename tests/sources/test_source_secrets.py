"""Settings that cannot silently fall back, and the DSN's password shown nowhere: not in the Dagster UI's resource
config (the repository snapshot the UI reads), not in a run's config or event log, not in logs or errors."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._serdes import serialize_value

from core.settings import SettingsError, _load, mask_dsn
from hue_ioc.defs import reports as domain
from hue_ioc.defs.resources import LakeResource, postgres_source_resource
from pipelines.sources.postgres import PostgresReportSource, SourceError, create_schema
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource

SERVER = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
SECRET = f"pw-{uuid.uuid4().hex}"  # the server trusts local connections, so any password connects


def load(env: dict[str, str], toml: str = "", tmp: Path | None = None):
    path = (tmp or Path("/nonexistent")) / "hue_ioc.toml"
    if toml:
        path.write_text(toml, encoding="utf-8")
    return _load(tuple(sorted(env.items())), path, toml.encode())


def test_a_deployment_typo_and_unknown_settings_are_refused(tmp_path: Path):
    with pytest.raises(SettingsError, match=r"setting deployment \(env HUE_IOC_DEPLOYMENT\): 'prod' refused"):
        load({"HUE_IOC_DEPLOYMENT": "prod"})
    with pytest.raises(SettingsError, match="unknown environment variable HUE_IOC_PG_SCHEME"):
        load({"HUE_IOC_PG_SCHEME": "app"})
    with pytest.raises(SettingsError, match=r"setting max_reject_rate .* 'lots' refused"):
        load({"HUE_IOC_MAX_REJECT_RATE": "lots"})
    with pytest.raises(SettingsError, match=r"setting max_reject_rate .* '1.5' refused"):
        load({"HUE_IOC_MAX_REJECT_RATE": "1.5"})
    s = load({"HUE_IOC_PG_SCHEMA": "app", "HUE_IOC_MAX_REJECT_RATE": "0.01"})
    assert (s.pg_schema, s.max_reject_rate) == ("app", 0.01)
    # a password in the TOML file is refused (secrets come from the environment), and not echoed
    with pytest.raises(SettingsError) as exc:
        load({}, f'pg_dsn = "host=db user=ioc password={SECRET}"\n', tmp_path)
    assert "holds a password" in str(exc.value) and SECRET not in str(exc.value)
    with pytest.raises(SettingsError) as exc:
        load({"HUE_IOC_PG_DSN": ""}, 'pg_dsn = ""\n', tmp_path)
    assert "(secret, not shown)" in str(exc.value)


def test_production_without_a_dsn_is_refused(monkeypatch):
    monkeypatch.delenv("HUE_IOC_PG_DSN", raising=False)
    monkeypatch.setenv("HUE_IOC_CONFIG", "/nonexistent/hue_ioc.toml")
    with pytest.raises(SettingsError, match="set HUE_IOC_PG_DSN"):
        postgres_source_resource(production=True)


def test_mask_dsn_in_both_forms():
    assert mask_dsn(f"host=h password={SECRET} user=x") == "host=h password=*** user=x"
    assert mask_dsn(f"postgresql://ioc:{SECRET}@db:5432/hues") == "postgresql://ioc:***@db:5432/hues"
    assert mask_dsn(f"driver said {SECRET}", f"host=h password='{SECRET}'") == "driver said ***"


@pytest.mark.postgres
def test_the_dsn_password_appears_nowhere(tmp_path: Path, monkeypatch, caplog):
    dsn = f"{SERVER} password={SECRET}"
    schema = f"t_secret_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("HUE_IOC_PG_DSN", dsn)
    monkeypatch.setenv("HUE_IOC_PG_SCHEMA", schema)
    monkeypatch.setenv("HUE_IOC_CONFIG", "/nonexistent/hue_ioc.toml")
    with psycopg.connect(SERVER, autocommit=True) as conn:
        create_schema(conn, schema)
    try:
        # what the UI's Resources page shows: the repository snapshot of the production definitions
        pg = postgres_source_resource(production=True)
        defs = dg.Definitions(
            assets=[domain.reference_tables, domain.bronze_reports, domain.silver_reports, domain.gold_reports],
            jobs=[domain.sync_reports],
            resources={"lake": LakeResource(root=str(tmp_path / "lake")),
                       "simulator": HueSSimulatorResource(enabled=False), "open311": Open311Resource(),
                       "postgres_source": pg})
        snap = RepositorySnap.from_def(defs.get_repository_def())
        shown = serialize_value(snap)
        assert SECRET not in shown
        res = next(r for r in snap.resources if r.name == "postgres_source")
        assert "HUE_IOC_PG_DSN" in serialize_value(res.configured_values["dsn"])  # the variable's name only
        assert schema in serialize_value(res.configured_values["db_schema"])

        # a run (the app's tables are empty: the reference check fails it) — its config, events and logs
        caplog.set_level(logging.DEBUG)
        with dg.instance_for_test() as instance:
            result = defs.resolve_job_def("sync_reports").execute_in_process(instance=instance,
                                                                              raise_on_error=False)
            run = instance.get_run_by_id(result.run_id)
            assert run is not None and SECRET not in serialize_value(run)
            records = instance.all_logs(result.run_id)
            assert records and all(SECRET not in serialize_value(r) for r in records)
        assert SECRET not in caplog.text

        # passing the schema through run config keeps the DSN (it used to fall back to none)
        monkeypatch.setenv("HUE_IOC_DEPLOYMENT", "production")
        @dg.asset
        def where(postgres_source: PostgresSourceResource) -> dg.MaterializeResult:
            src = postgres_source.source()
            assert src.dsn == dsn and src.schema == "other"
            return dg.MaterializeResult(metadata={"source": src.describe()})

        got = dg.materialize([where], resources={"postgres_source": pg},
                             run_config={"resources": {"postgres_source": {"config": {"db_schema": "other"}}}})
        assert got.success
        described = got.asset_materializations_for_node("where")[0].metadata["source"].value
        assert "password=***" in described and SECRET not in described

        # errors: a database that does not exist, a table that does not exist
        bad = PostgresReportSource(dsn.replace("dbname=test", "dbname=no_such_db"), schema)
        with pytest.raises(SourceError) as exc:
            bad.fetch()
        assert "password=***" in str(exc.value) and SECRET not in str(exc.value)
        assert "no_such_db" in str(exc.value)
        with pytest.raises(SourceError) as exc:
            PostgresReportSource(dsn, "no_such_schema").fetch()
        assert SECRET not in str(exc.value) and "does not exist" in str(exc.value)
        assert SECRET not in repr(PostgresReportSource(dsn, schema))
    finally:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(f'drop schema if exists "{schema}" cascade')


def test_the_production_code_location_shows_no_secret(monkeypatch, tmp_path: Path):
    """Every resource of the production code location, as the UI's Resources page reads it: the DSN, an S3
    secret key and the partner API keys in the environment appear nowhere in it."""
    from hue_ioc.defs import cameras, disasters, publications

    s3_secret, api_key = f"s3-{uuid.uuid4().hex}", f"key-{uuid.uuid4().hex}"
    monkeypatch.setenv("HUE_IOC_CONFIG", "/nonexistent/hue_ioc.toml")
    monkeypatch.setenv("HUE_IOC_DEPLOYMENT", "production")
    monkeypatch.setenv("HUE_IOC_PG_DSN", f"{SERVER} password={SECRET}")
    monkeypatch.setenv("HUE_IOC_S3_SECRET_ACCESS_KEY", s3_secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_secret)
    monkeypatch.setenv("HUE_IOC_API_KEYS", f"{api_key}=Partner A")
    reports = dg.Definitions(assets=domain.defs.assets, asset_checks=domain.defs.asset_checks,
                             jobs=domain.defs.jobs, schedules=domain.defs.schedules, resources=domain._resources())
    defs = dg.Definitions.merge(dg.Definitions(resources={"lake": LakeResource()}), reports, cameras.defs,
                                disasters.defs, publications.defs)
    shown = serialize_value(RepositorySnap.from_def(defs.get_repository_def()))
    assert "HUE_IOC_PG_DSN" in shown
    for secret in (SECRET, s3_secret, api_key):
        assert secret not in shown
