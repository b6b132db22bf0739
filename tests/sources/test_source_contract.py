"""The source contract against the real PostgreSQL: a database laid out unlike postgres.sql (Vietnamese table
and column names, its own status vocabulary, local times without a zone, no _txid) read through a mapping
file; real unit and category codes from its reference tables accepted; deletions handled by the policy;
`hue-ioc source check` naming each missing column. Each test in a schema of its own, dropped afterwards."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl
import psycopg
import pytest

from hue_ioc.cli import main as cli
from hue_ioc.defs import reports as domain
from hue_ioc.defs.resources import LakeResource
from lake import Lake
from pipelines.sources.mapping import MappingError, load_mapping
from pipelines.sources.postgres import PostgresReportSource
from pipelines.sources.resources import HueSSimulatorResource, Open311Resource, PostgresSourceResource

pytestmark = pytest.mark.postgres
DSN = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")

# The app's own layout: nothing here is named as in postgres.sql, timestamps are local time without a zone.
APP_DDL = """
create table phan_anh (
    ma text primary key, kenh text, ma_linh_vuc text, tieu_de text, vi_do double precision,
    kinh_do double precision, thoi_diem_nhan timestamp, hop_le boolean, trang_thai text,
    cap_nhat_luc timestamp not null
);
create table nhat_ky (
    ma_su_kien text primary key, ma_phan_anh text not null, loai text not null, luc timestamp not null,
    ma_don_vi text, don_vi_nhan text, han timestamp, danh_gia text, cap_nhat_luc timestamp not null
);
create table don_vi (ma_dv text primary key, ten text not null, loai_dv text);
create table linh_vuc (ten_lv text primary key, ten_en text, cach_xu_ly text, so_ngay integer, so_gio integer);
"""
MAPPING = """
change_capture: keyset
overlap_seconds: 600
timezone: Asia/Ho_Chi_Minh
tables:
  reports:
    table: phan_anh
    version: updated_at
    columns: {report_id: ma, channel: kenh, category_code: ma_linh_vuc, title: tieu_de, lat: vi_do,
              lon: kinh_do, received_at: thoi_diem_nhan, is_valid: hop_le, status: trang_thai,
              updated_at: cap_nhat_luc}
  events:
    table: nhat_ky
    version: updated_at
    columns: {event_id: ma_su_kien, report_id: ma_phan_anh, event_type: loai, at: luc, unit_id: ma_don_vi,
              to_unit_id: don_vi_nhan, deadline_at: han, rating: danh_gia, updated_at: cap_nhat_luc}
  units:
    table: don_vi
    columns: {unit_id: ma_dv, name: ten, unit_type: loai_dv}
  categories:
    table: linh_vuc
    columns: {category_code: ten_lv, name_vi: ten_lv, name_en: ten_en, process_type: cach_xu_ly,
              deadline_working_days: so_ngay, deadline_hours: so_gio}
values:
  event_type: {"Tiếp nhận": received, "Giao xử lý": assigned, "Chuyển đơn vị": transferred,
               "Đã xử lý": resolved, "Đánh giá": rated}
  status: {"Đang xử lý": open, "Đã xử lý": resolved}
  rating: {"Hài lòng": hai_long, "Chấp nhận": chap_nhan, "Không hài lòng": khong_hai_long}
  channel: {"Ứng dụng": app}
  process_type: {"Có thời hạn": timed, "Tức thời": immediate}
"""


@pytest.fixture
def app_schema(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    admin = psycopg.connect(DSN, autocommit=True, connect_timeout=5)
    name = f"t_contract_{uuid.uuid4().hex[:10]}"
    admin.execute(f'create schema "{name}"')
    admin.execute(f'set search_path to "{name}"')
    admin.execute(APP_DDL)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    try:
        yield name, mapping
    finally:
        admin.execute(f'drop schema "{name}" cascade')
        admin.close()


def run_sql(schema: str, statement: str, params: tuple = ()) -> None:
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f'set search_path to "{schema}"')
        conn.execute(statement, params)


def seed_app(schema: str) -> None:
    """Two real-looking reports of Huế (local times), the app's units and categories with their real codes."""
    run_sql(schema, "insert into don_vi values ('SXD-TTH', 'Sở Xây dựng tỉnh Thừa Thiên Huế', 'state'), "
                    "('UBND-PX', 'UBND phường Phú Xuân', 'state')")
    run_sql(schema, "insert into linh_vuc values ('Môi trường', 'Environment', 'Có thời hạn', 5, null), "
                    "('Trật tự xây dựng', 'Construction order', 'Có thời hạn', 10, null)")
    run_sql(schema, "insert into phan_anh values "
                    "('PA-1', 'Ứng dụng', 'Môi trường', 'Rác thải ven sông Hương', 16.4637, 107.5909, "
                    " '2025-03-01 08:00', true, 'Đã xử lý', '2025-03-03 10:00'), "
                    "('PA-2', 'Ứng dụng', 'Trật tự xây dựng', 'Xây dựng lấn chiếm', 16.4700, 107.5800, "
                    " '2025-03-02 09:30', true, 'Đang xử lý', '2025-03-02 10:00')")
    run_sql(schema, "insert into nhat_ky values "
                    "('E1', 'PA-1', 'Tiếp nhận', '2025-03-01 08:00', null, null, null, null, '2025-03-01 08:00'), "
                    "('E2', 'PA-1', 'Giao xử lý', '2025-03-01 09:00', 'UBND-PX', null, '2025-03-08 17:00', null, "
                    " '2025-03-01 09:00'), "
                    "('E3', 'PA-1', 'Chuyển đơn vị', '2025-03-01 11:00', 'UBND-PX', 'SXD-TTH', null, null, "
                    " '2025-03-01 11:00'), "
                    "('E4', 'PA-1', 'Đã xử lý', '2025-03-03 10:00', 'SXD-TTH', null, null, null, '2025-03-03 10:00'), "
                    "('E5', 'PA-1', 'Đánh giá', '2025-03-03 12:00', null, null, null, 'Hài lòng', '2025-03-03 12:00'), "
                    "('E6', 'PA-2', 'Tiếp nhận', '2025-03-02 09:30', null, null, null, null, '2025-03-02 09:30'), "
                    "('E7', 'PA-2', 'Giao xử lý', '2025-03-02 10:00', 'SXD-TTH', null, '2025-03-16 17:00', null, "
                    " '2025-03-02 10:00')")


def resources(lake_root: str, schema: str, mapping: Path) -> dict:
    return {"lake": LakeResource(root=lake_root), "simulator": HueSSimulatorResource(enabled=False),
            "open311": Open311Resource(),
            "postgres_source": PostgresSourceResource(dsn=DSN, db_schema=schema, mapping_file=str(mapping))}


def sync_job(lake_root: str, schema: str, mapping: Path, instance: dg.DagsterInstance | None = None
             ) -> dg.ExecuteInProcessResult:
    """The real `sync_reports` job (reference tables, bronze, silver incremental, gold) on these resources."""
    defs = dg.Definitions(assets=[domain.reference_tables, domain.bronze_reports, domain.silver_reports,
                                  domain.gold_reports], jobs=[domain.sync_reports],
                          resources=resources(lake_root, schema, mapping))
    return defs.resolve_job_def("sync_reports").execute_in_process(instance=instance, raise_on_error=False)


def test_another_layout_is_read_through_the_mapping(app_schema):
    schema, mapping = app_schema
    seed_app(schema)
    src = PostgresReportSource(DSN, schema, load_mapping(mapping))
    batch = src.fetch()
    got = {r.record_id: r.payload for r in batch.records}
    assert sorted(got) == ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "PA-1", "PA-2"]
    pa1 = got["PA-1"]
    # canonical names, the app's vocabulary recoded, local time (UTC+7) as UTC, unmapped columns NULL
    assert pa1["category_code"] == "Môi trường" and pa1["status"] == "resolved" and pa1["channel"] == "app"
    assert pa1["received_at"] == "2025-03-01T01:00:00.000000+00:00"
    assert pa1["reporter_phone"] is None and pa1["source"] == "postgres"
    assert got["E3"]["event_type"] == "transferred" and got["E3"]["to_unit_id"] == "SXD-TTH"
    assert got["E5"]["rating"] == "hai_long"
    assert batch.watermark == "pgts:2025-03-03 10:00:00|2025-03-03 12:00:00"

    ref = src.reference()
    assert ref["units"].sort("unit_id")["unit_id"].to_list() == ["SXD-TTH", "UBND-PX"]
    cats = ref["categories"].sort("category_code")
    assert cats.select("category_code", "process_type", "deadline_working_days").rows() == [
        ("Môi trường", "timed", 5), ("Trật tự xây dựng", "timed", 10)]

    # keyset with overlap: the next fetch re-reads only the last 10 minutes of changes...
    again = src.fetch(batch.watermark)
    assert sorted(r.record_id for r in again.records) == ["E5", "PA-1"]  # updated-at ≥ newest − 600 s
    # ...and a change the app makes (updated-at set, as the contract asks) is read
    run_sql(schema, "update phan_anh set trang_thai = 'Đang xử lý', cap_nhat_luc = '2025-03-04 08:00' "
                    "where ma = 'PA-2'")
    late = src.fetch(again.watermark)
    assert "PA-2" in {r.record_id for r in late.records}
    # a row committed late with an updated-at inside the overlap window behind the newest is still caught
    run_sql(schema, "insert into nhat_ky values ('E8', 'PA-2', 'Chuyển đơn vị', '2025-03-03 11:55', 'SXD-TTH', "
                    "'UBND-PX', null, null, '2025-03-03 11:55')")
    assert "E8" in {r.record_id for r in src.fetch(late.watermark).records}


def test_real_codes_accepted_and_nothing_twice(app_schema, tmp_path: Path):
    """Through the Dagster sync job: units and categories come from the app before its facts, so 'SXD-TTH'
    and 'Môi trường' are accepted; the checks pass; a second sync with nothing new writes nothing."""
    schema, mapping = app_schema
    seed_app(schema)
    root = str(tmp_path / "lake")
    result = sync_job(root, schema, mapping)
    assert result.success
    lake = Lake.open(root)
    assert lake.sql("SELECT count(*) FROM silver.rejects").item() == 0
    row = lake.sql("SELECT category_code, current_unit_id, status, rating, transfers FROM silver.reports "
                   "WHERE report_id = 'PA-1'").row(0)
    assert row == ("Môi trường", "SXD-TTH", "resolved", "hai_long", 1)
    assert lake.sql("SELECT count(*) FROM silver.report_events").item() == 7
    assert set(lake.read("silver.units")["unit_id"]) == {"SXD-TTH", "UBND-PX"}  # no simulator roster
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["reject_rate"] and checks["reference_present"] and checks["reconciliation"]
    assert lake.sql("SELECT sum(received) FROM gold.kpi_daily").item() == 2

    tables = ["silver.units", "silver.categories", "silver.admin_units", "bronze.reports_raw",
              "bronze.report_events_raw", "silver.reports", "silver.report_events", "silver.rejects",
              "gold.unit_performance", "gold.kpi_daily", "gold.unit_transfers"]
    before = {t: lake.version(t) for t in tables}
    again = sync_job(root, schema, mapping)
    assert again.success
    lake = Lake.open(root)
    assert {t: lake.version(t) for t in tables} == before  # the overlap re-read doubled nothing
    assert not [m for m in again.get_asset_materialization_events()
                if m.asset_key.path[0] == "gold"]  # gold not re-materialized either


def test_a_deleted_report_is_marked_by_the_policy(app_schema, tmp_path: Path, monkeypatch):
    schema, mapping = app_schema
    seed_app(schema)
    root = str(tmp_path / "lake")
    assert sync_job(root, schema, mapping).success
    run_sql(schema, "delete from nhat_ky where ma_phan_anh = 'PA-2'")
    run_sql(schema, "delete from phan_anh where ma = 'PA-2'")
    monkeypatch.setenv("HUE_IOC_RECONCILE_HOURS", "0.0001")  # reconcile on every run in this test
    assert sync_job(root, schema, mapping).success
    lake = Lake.open(root)
    row = lake.sql("SELECT is_valid, status, invalid_reason FROM silver.reports WHERE report_id = 'PA-2'").row(0)
    assert row == (False, "invalid", "deleted_at_source")
    assert lake.sql("SELECT count(*) FROM silver.report_events WHERE report_id = 'PA-2' "
                    "AND event_type = 'deleted'").item() == 1
    # the deleted events stay in silver, each recorded once in rejects with its reason
    assert lake.sql("SELECT count(*) FROM silver.report_events WHERE event_id IN ('E6', 'E7')").item() == 2
    assert sorted(lake.sql("SELECT record_ref FROM silver.rejects WHERE reason LIKE 'deleted at source%'")
                  ["record_ref"].to_list()) == ["E6", "E7"]
    assert lake.sql("SELECT sum(received) FROM gold.kpi_daily").item() == 1  # it left the figures
    # the next reconciliation notices nothing new
    assert sync_job(root, schema, mapping).success
    lake = Lake.open(root)
    assert lake.sql("SELECT count(*) FROM silver.report_events WHERE event_type = 'deleted'").item() == 1
    assert lake.sql("SELECT count(*) FROM silver.rejects").item() == 2


def test_source_check_names_each_missing_column(app_schema, capsys, monkeypatch):
    schema, mapping = app_schema
    monkeypatch.setenv("HUE_IOC_PG_DSN", DSN)
    assert cli(["source", "check", "--schema", schema, "--mapping", str(mapping)]) == 0
    assert "change capture keyset" in capsys.readouterr().out
    run_sql(schema, "alter table phan_anh drop column kenh")
    run_sql(schema, "alter table nhat_ky drop column han")
    run_sql(schema, "alter table nhat_ky drop column danh_gia")
    run_sql(schema, "drop table linh_vuc")
    run_sql(schema, "update phan_anh set cap_nhat_luc = cap_nhat_luc")  # (no NULLs: column is not null)
    assert cli(["source", "check", "--schema", schema, "--mapping", str(mapping)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert sorted(lines) == sorted([
        f"table {schema}.phan_anh: column kenh (mapped to reports.channel) does not exist",
        f"table {schema}.nhat_ky: column han (mapped to events.deadline_at) does not exist",
        f"table {schema}.nhat_ky: column danh_gia (mapped to events.rating) does not exist",
        f"table {schema}.linh_vuc (categories) does not exist",
    ])


def test_source_check_and_init_on_the_default_layout(tmp_path: Path, capsys, monkeypatch):
    schema = f"t_init_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("HUE_IOC_PG_DSN", DSN)
    try:
        assert cli(["source", "check", "--schema", schema]) == 1
        assert capsys.readouterr().out.strip() == \
            f"schema {schema} does not exist (`hue-ioc source init` creates the default layout)"
        assert cli(["source", "init", "--schema", schema]) == 0
        capsys.readouterr()
        assert cli(["source", "check", "--schema", schema]) == 0
        assert "change capture txid" in capsys.readouterr().out
        bad = tmp_path / "bad.yaml"
        bad.write_text("tables: {reports: {table: x, columns: {report_id: id, colour: c}}}\n", encoding="utf-8")
        assert cli(["source", "check", "--schema", schema, "--mapping", str(bad)]) == 1
        out = capsys.readouterr().out.strip().splitlines()  # one line per problem of the mapping
        assert [line.split(": ", 1)[1] for line in out] == [
            "tables: events is not mapped",
            "tables.reports.columns: unknown canonical column colour; known: " + ", ".join(
                load_mapping().tables["reports"].columns)]
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'drop schema if exists "{schema}" cascade')


def test_mapping_refuses_what_it_cannot_honour(tmp_path: Path):
    p = tmp_path / "m.yaml"
    p.write_text(MAPPING.replace("change_capture: keyset", "change_capture: logical"), encoding="utf-8")
    with pytest.raises(MappingError, match="change_capture: 'logical' refused"):
        load_mapping(p)
    p.write_text(MAPPING.replace("event_id: ma_su_kien, ", ""), encoding="utf-8")
    with pytest.raises(MappingError, match="required column event_id not mapped"):
        load_mapping(p)
    p.write_text(MAPPING.replace("values:", "values:\n  colour: {}"), encoding="utf-8")
    with pytest.raises(MappingError, match="values.colour: no such value map"):
        load_mapping(p)
    default = load_mapping()
    assert default.tables["reports"].table == "hues_reports" and default.change_capture == "auto"
    assert set(default.tables) == {"reports", "events", "units", "categories"}


def test_first_sync_of_a_fresh_lake_is_never_green_with_rejects(app_schema, tmp_path: Path):
    """The issue's case: facts arrive while a reference table the load needs is empty. The run fails on the
    reference check instead of printing success over rejected rows; once the units are there it is green
    with 0 rejects. A load rejecting more than max_reject_rate fails its check."""
    schema, mapping = app_schema
    seed_app(schema)
    run_sql(schema, "delete from don_vi")
    root = str(tmp_path / "lake")
    first = sync_job(root, schema, mapping)
    assert not first.success
    checks = {e.check_name: e for e in first.get_asset_check_evaluations()}
    assert not checks["reference_present"].passed
    assert checks["reference_present"].severity == dg.AssetCheckSeverity.ERROR
    lake = Lake.open(root)
    assert not lake.exists("silver.reports") or lake.sql("SELECT count(*) FROM silver.reports").item() == 0
    assert not lake.exists("silver.rejects") or lake.sql("SELECT count(*) FROM silver.rejects").item() == 0

    seed_units = "insert into don_vi values ('SXD-TTH', 'Sở Xây dựng', 'state'), ('UBND-PX', 'UBND Phú Xuân', 'state')"
    run_sql(schema, seed_units)
    second = sync_job(root, schema, mapping)
    assert second.success
    assert Lake.open(root).sql("SELECT count(*) FROM silver.rejects").item() == 0

    # events naming a unit the app's table does not have: 3 of 4 new rows rejected → the run fails
    run_sql(schema, "insert into nhat_ky values "
                    "('E9', 'PA-2', 'Chuyển đơn vị', '2025-03-05 08:00', 'SXD-TTH', 'XX-1', null, null, "
                    " '2025-03-05 08:00'), "
                    "('E10', 'PA-2', 'Chuyển đơn vị', '2025-03-05 09:00', 'XX-1', 'XX-2', null, null, "
                    " '2025-03-05 09:00'), "
                    "('E11', 'PA-2', 'Chuyển đơn vị', '2025-03-05 10:00', 'XX-2', 'XX-3', null, null, "
                    " '2025-03-05 10:00')")
    third = sync_job(root, schema, mapping)
    assert not third.success
    rate = {e.check_name: e for e in third.get_asset_check_evaluations()}["reject_rate"]
    assert not rate.passed and rate.severity == dg.AssetCheckSeverity.ERROR
    assert rate.metadata["rejected"].value == 3
    lake = Lake.open(root)
    reasons = sorted(lake.sql("SELECT reason FROM silver.rejects")["reason"].to_list())
    assert reasons == ["unknown unit XX-1", "unknown unit XX-1", "unknown unit XX-2"]


def test_reference_tables_from_the_source_with_the_default_layout(tmp_path: Path):
    """The default layout (postgres.sql) carries the units and categories too: they are what is loaded."""
    from pipelines.sources.postgres import create_schema, seed_reference

    schema = f"t_ref_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(DSN) as conn:
            create_schema(conn, schema)
        units = pl.DataFrame({"unit_id": ["SXD-TTH"], "name": ["Sở Xây dựng"], "unit_type": ["state"],
                              "joined_on": [dt.date(2019, 5, 1)]})
        cats = pl.DataFrame({"category_code": ["Môi trường"], "name_vi": ["Môi trường"], "process_type": ["timed"],
                             "deadline_working_days": [5]})
        seed_reference(DSN, schema, units, cats)
        ref = PostgresReportSource(DSN, schema).reference()
        assert ref["units"].row(0, named=True) == {
            "unit_id": "SXD-TTH", "name": "Sở Xây dựng", "unit_type": "state", "sector": None,
            "admin_unit_code": None, "joined_on": dt.date(2019, 5, 1), "source": "postgres"}
        assert ref["categories"]["category_code"].to_list() == ["Môi trường"]
    finally:
        with psycopg.connect(DSN, autocommit=True) as conn:
            conn.execute(f'drop schema if exists "{schema}" cascade')
