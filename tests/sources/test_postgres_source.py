"""PostgreSQL source against the real server on 127.0.0.1:5432, each test in its own schema."""

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

from pipelines.sources.base import RawRecord, event_payload, report_payload
from pipelines.sources.open311.feeds import Open311FileSource
from pipelines.sources.open311.mapping import mapping_for
from pipelines.sources.postgres import (
    PostgresReportSource,
    SeedResult,
    create_schema,
    seed_postgres,
    seed_postgres_frames,
)
from pipelines.sources.resources import PostgresSourceResource

pytestmark = pytest.mark.postgres

SERVER_DSN = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
DSN = SERVER_DSN  # replaced by the session's own database when the role may create one


@pytest.fixture(scope="session", autouse=True)
def own_database() -> Iterator[None]:
    """The reader's bound is per database: a database of our own keeps other suites' open transactions
    (in `test`) from delaying what these tests read. Falls back to `test` without CREATEDB."""
    global DSN
    try:
        admin = psycopg.connect(SERVER_DSN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL not reachable at {SERVER_DSN!r} (start it: .ci/run does): {e}")
    name = f"hue_src_{uuid.uuid4().hex[:12]}"
    try:
        admin.execute(f'create database "{name}"')
    except psycopg.errors.InsufficientPrivilege:
        yield
        return
    DSN = psycopg.conninfo.make_conninfo(SERVER_DSN, dbname=name)
    try:
        yield
    finally:
        DSN = SERVER_DSN
        admin.execute(f'drop database "{name}" with (force)')
        admin.close()


@pytest.fixture
def schema() -> Iterator[str]:
    admin = psycopg.connect(DSN, autocommit=True, connect_timeout=5)
    name = f"t_src_{uuid.uuid4().hex[:12]}"
    create_schema(admin, name)
    try:
        yield name
    finally:
        admin.execute(f'drop schema "{name}" cascade')
        admin.close()


def connect(schema: str) -> psycopg.Connection:
    conn = psycopg.connect(DSN, options="-c timezone=UTC")
    conn.execute(f'set search_path to "{schema}"')
    conn.commit()
    return conn


def report(rid: str, **kw) -> RawRecord:
    values = dict(report_id=rid, source="simulated", channel="app", category_code="moi_truong",
                  title="Rác thải", received_at="2022-05-01T08:00:00+07:00", is_valid=True,
                  updated_at="2022-05-01T08:00:00+07:00", status="open")
    values.update(kw)
    return RawRecord("report", "simulated", rid, report_payload(**values))


def event(eid: str, rid: str, kind: str, at: str, **kw) -> RawRecord:
    return RawRecord("event", "simulated", eid, event_payload(event_id=eid, report_id=rid, event_type=kind,
                                                              at=at, **kw))


def ids(batch) -> list[str]:
    return sorted(r.record_id for r in batch.records)


def test_insert_update_and_nothing_twice(schema: str):
    src = PostgresReportSource(DSN, schema)
    seed_postgres(DSN, schema, [report("r1"), report("r2"),
                                event("e1", "r1", "received", "2022-05-01T08:00:00+07:00")])
    first = src.fetch()
    assert ids(first) == ["e1", "r1", "r2"]
    assert {r.kind for r in first.records} == {"report", "event"} and first.rejects == []
    r1 = next(r.payload for r in first.records if r.record_id == "r1")
    assert r1["source"] == "simulated" and r1["title"] == "Rác thải" and r1["is_valid"] is True
    assert dt.datetime.fromisoformat(r1["received_at"]) == dt.datetime(2022, 5, 1, 1, tzinfo=dt.UTC)
    assert first.watermark and first.watermark.startswith("pgxid:")
    assert src.fetch(first.watermark).records == []

    with connect(schema) as conn:  # the app edits a report without touching updated_at
        conn.execute("update hues_reports set status = 'resolved', resolved_at = now() where report_id = 'r2'")
    second = src.fetch(first.watermark)
    assert ids(second) == ["r2"]
    r2 = second.records[0].payload
    assert r2["status"] == "resolved"
    assert dt.datetime.fromisoformat(r2["updated_at"]) > dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # trigger
    assert src.fetch(second.watermark).records == []


def test_late_commit_with_old_updated_at_is_read_once(schema: str):
    src = PostgresReportSource(DSN, schema)
    seed_postgres(DSN, schema, [report("r1")])
    w0 = src.fetch().watermark

    late = connect(schema)  # a transaction that started early and commits late, with an old timestamp
    late.execute("insert into hues_report_events (event_id, report_id, event_type, at, updated_at) "
                 "values ('late', 'r1', 'assigned', '2022-05-01T09:00:00+07', '2022-05-01T09:00:00+07')")
    with connect(schema) as quick:  # meanwhile another writer commits
        quick.execute("insert into hues_reports (report_id, received_at) values ('r2', now())")
    during = src.fetch(w0)
    # r2 committed, but behind a running transaction of this database: held back, not skipped
    assert during.records == []
    late.commit()
    late.close()
    after = src.fetch(during.watermark)
    assert ids(after) == ["late", "r2"]
    assert src.fetch(after.watermark).records == []
    # what a naive updated_at cursor would have done: the late row is older than everything seen
    late_at = next(r.payload["at"] for r in after.records if r.record_id == "late")
    assert dt.datetime.fromisoformat(late_at) < dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def test_open_transaction_in_another_database_does_not_block(schema: str):
    other = psycopg.connect(SERVER_DSN)  # the `test` database (or `postgres` when that is ours)
    if other.info.dbname == psycopg.conninfo.conninfo_to_dict(DSN)["dbname"]:
        other.close()
        other = psycopg.connect(psycopg.conninfo.make_conninfo(SERVER_DSN, dbname="postgres"))
    try:
        other.execute("select pg_current_xact_id()")  # holds a transaction id, in another database
        seed_postgres(DSN, schema, [report("r1")])
        assert ids(PostgresReportSource(DSN, schema).fetch()) == ["r1"]
    finally:
        other.rollback()
        other.close()


def test_exactly_once_with_interleaved_writers(schema: str):
    """Three writers with overlapping transactions, a fetch after every step: every committed change is
    read exactly once, in its latest version, and nothing uncommitted is read."""
    src = PostgresReportSource(DSN, schema)
    writers = [connect(schema) for _ in range(3)]
    committed: dict[str, int] = {}  # report id → version committed
    pending: list[dict[str, int]] = [{}, {}, {}]
    seen: list[tuple[str, int]] = []
    watermark = None
    for step in range(40):
        w = step % 3
        rid = f"r{step % 7}"
        version = step
        writers[w].execute(
            "insert into hues_reports (report_id, title) values (%s, %s) "
            "on conflict (report_id) do update set title = excluded.title", (rid, str(version)))
        pending[w][rid] = version
        if step % 4 != 3:  # most steps commit; some leave the transaction open across fetches
            writers[w].commit()
            committed.update(pending[w])
            pending[w] = {}
        batch = src.fetch(watermark)
        watermark = batch.watermark
        seen += [(r.record_id, int(r.payload["title"])) for r in batch.records]
    for w in range(3):
        writers[w].commit()
        committed.update(pending[w])
        writers[w].close()
    batch = src.fetch(watermark)
    seen += [(r.record_id, int(r.payload["title"])) for r in batch.records]
    assert len(seen) == len(set(seen))  # no change read twice
    latest = {}
    for rid, version in seen:
        latest[rid] = max(version, latest.get(rid, -1))
    assert latest == committed  # every report's final committed version was read
    assert src.fetch(batch.watermark).records == []


def test_restart_from_stored_watermark(schema: str, tmp_path: Path):
    seed_postgres(DSN, schema, [report("r1")])
    stored = tmp_path / "cursor.txt"
    stored.write_text(PostgresReportSource(DSN, schema).fetch().watermark or "")
    seed_postgres(DSN, schema, [report("r1", status="resolved"), report("r2")])
    restarted = PostgresReportSource(DSN, schema)  # a new process: only the stored watermark survives
    batch = restarted.fetch(stored.read_text())
    assert ids(batch) == ["r1", "r2"]
    assert next(r.payload["status"] for r in batch.records if r.record_id == "r1") == "resolved"
    # a watermark from another server's history (a restore) reads everything again rather than nothing
    assert ids(restarted.fetch("pgxid:999999999999")) == ["r1", "r2"]
    with pytest.raises(ValueError, match="not a PostgreSQL source watermark"):
        restarted.fetch("2022-05-01T00:00:00Z")


def test_seed_round_trip_and_idempotence(schema: str, data_dir: Path):
    sample = Open311FileSource(data_dir / "open311", mapping=mapping_for(timezone="America/New_York")).fetch()
    result = seed_postgres(DSN, schema, sample.records)
    assert (result.reports, result.events) == (201, 284)  # received + resolved: no agency mapped, no assignment
    src = PostgresReportSource(DSN, schema)
    batch = src.fetch()
    assert len(batch.records) == len(sample.records)

    def norm(payload: dict) -> dict:
        out = {}
        for k, v in payload.items():
            if k == "extra":  # what the feed said beyond the canonical fields has no column in the app's DB
                continue
            if isinstance(v, str) and (k.endswith("_at") or k in ("at", "expected_datetime")):
                v = dt.datetime.fromisoformat(v)
            out[k] = v
        return out

    read = {r.record_id: norm(r.payload) for r in batch.records}
    assert read == {r.record_id: norm(r.payload) for r in sample.records}
    again = seed_postgres(DSN, schema, sample.records)
    assert (again.reports, again.events) == (0, 0)  # identical rows are left alone
    assert src.fetch(batch.watermark).records == []
    changed = report("26594139", status="reopened")
    assert seed_postgres(DSN, schema, [changed]).reports == 1
    assert ids(src.fetch(batch.watermark)) == ["26594139"]


def test_postgres_resource_in_a_materialization(schema: str):
    seed_postgres(DSN, schema, [report("r1"), event("e1", "r1", "received", "2022-05-01T08:00:00+07:00")])

    @dg.asset
    def pg_batch(app_db: PostgresSourceResource) -> dg.MaterializeResult:
        batch = app_db.source().fetch()
        return dg.MaterializeResult(metadata={"records": len(batch.records), "watermark": batch.watermark})

    result = dg.materialize([pg_batch], resources={"app_db": PostgresSourceResource(dsn=DSN, db_schema=schema)})
    assert result.success
    meta = result.asset_materializations_for_node("pg_batch")[0].metadata
    assert meta["records"].value == 2 and meta["watermark"].value.startswith("pgxid:")


def test_rows_pass_through_as_stored(schema: str):
    """The source does not judge: an unknown event type or a report without source reaches the pipeline."""
    with connect(schema) as conn:
        conn.execute("insert into hues_reports (report_id, received_at, lat) values ('r1', null, 91)")
        conn.execute("insert into hues_report_events (event_id, report_id, event_type, at) "
                     "values ('e1', 'r1', 'escalated', '2022-05-01 08:00:00.5+07')")
    batch = PostgresReportSource(DSN, schema).fetch()
    payloads = {r.record_id: r.payload for r in batch.records}
    assert payloads["r1"]["source"] == "postgres" and payloads["r1"]["lat"] == 91
    assert payloads["r1"]["received_at"] is None
    assert payloads["e1"]["event_type"] == "escalated"
    assert payloads["e1"]["at"] == "2022-05-01T01:00:00.500000+00:00"


def test_seed_keeps_the_latest_version_of_a_report(schema: str):
    newer = report("r1", status="resolved", updated_at="2022-05-03T08:00:00+07:00")
    older = report("r1", status="open", updated_at="2022-05-02T08:00:00+07:00")  # arrives after the newer one
    assert seed_postgres(DSN, schema, [newer, older]).reports == 1
    batch = PostgresReportSource(DSN, schema).fetch()
    assert [r.payload["status"] for r in batch.records] == ["resolved"]


def test_seed_frames_matches_seed_records(schema: str):
    utc = dt.UTC
    reports = pl.DataFrame({
        "report_id": ["r1", "r2", "r1"], "source": ["simulated"] * 3, "title": ['Rác "to", ở\nđây', "", None],
        "lat": [16.46, None, 16.47], "is_valid": [True, False, True],
        "received_at": [dt.datetime(2022, 5, 1, 1, tzinfo=utc)] * 3,
        "updated_at": [dt.datetime(2022, 5, 2, tzinfo=utc), dt.datetime(2022, 5, 1, tzinfo=utc),
                       dt.datetime(2022, 5, 1, tzinfo=utc)],  # r1's third row is an older version
        "not_canonical": [1, 2, 3],
    })
    events = pl.DataFrame({"event_id": ["e1", "e1"], "report_id": ["r1", "r1"], "event_type": ["received", "assigned"],
                           "at": [dt.datetime(2022, 5, 1, 1, tzinfo=utc)] * 2})
    assert seed_postgres_frames(DSN, schema, reports, events) == SeedResult(2, 1, 0)
    got = {r.record_id: r.payload for r in PostgresReportSource(DSN, schema).fetch().records}
    assert got["r1"]["title"] == 'Rác "to", ở\nđây' and got["r1"]["lat"] == 16.46
    assert got["r2"]["title"] == "" and got["r2"]["lat"] is None and got["r2"]["is_valid"] is False
    assert got["r2"]["channel"] is None
    assert got["e1"]["event_type"] == "assigned"  # the last row of an event id
    with pytest.raises(ValueError, match="naive"):
        seed_postgres_frames(DSN, schema, reports.with_columns(pl.col("updated_at").dt.replace_time_zone(None)))
