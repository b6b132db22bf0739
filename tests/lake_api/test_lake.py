"""The lake API: schema checks, merges under concurrency, time travel, DuckDB views, maintenance, s3."""

import datetime as dt
import socket
import subprocess
import sys
import threading
import time

import polars as pl
import pytest

from lake import Lake, Reject, SchemaMismatch, rejects_frame, spec


def units(n: int, suffix: str = "") -> pl.DataFrame:
    return pl.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name": [f"Đơn vị {i}{suffix}" for i in range(n)],
                         "unit_type": ["state"] * n, "joined_on": [dt.date(2020, 1, 1)] * n, "source": ["test"] * n})


def test_wrong_column_type_is_refused_naming_the_column(lake):
    bad = units(2).with_columns(pl.col("joined_on").cast(pl.String).str.replace("2020", "hai nghìn"))
    with pytest.raises(SchemaMismatch, match="joined_on"):
        lake.append("silver.units", bad)
    with pytest.raises(SchemaMismatch, match="unknown column"):
        lake.append("silver.units", units(1).with_columns(colour=pl.lit("red")))
    assert not lake.exists("silver.units") or lake.read("silver.units").is_empty()


def test_merge_upserts_and_sql_sees_current_snapshot(lake):
    lake.merge("silver.units", units(3))
    lake.merge("silver.units", units(2, suffix=" (mới)"))  # update 2, keep 1
    df = lake.sql("SELECT unit_id, name FROM silver.units ORDER BY unit_id")
    assert df["name"].to_list() == ["Đơn vị 0 (mới)", "Đơn vị 1 (mới)", "Đơn vị 2"]
    # a glob over the folder would double-count after the merge; the view must not
    assert lake.sql("SELECT count(*) FROM silver.units").item() == 3
    assert lake.sql("SELECT name FROM silver.units WHERE unit_id = $u", {"u": "u2"}).item() == "Đơn vị 2"


def test_time_travel_by_version_and_moment(lake):
    lake.merge("silver.units", units(2))
    moment = dt.datetime.now(dt.UTC)
    time.sleep(0.05)
    lake.merge("silver.units", units(5))
    assert lake.sql("SELECT count(*) FROM silver.units").item() == 5
    assert lake.as_of({"silver.units": 1}).sql("SELECT count(*) FROM silver.units").item() == 2
    assert lake.as_of(moment).sql("SELECT count(*) FROM silver.units").item() == 2
    assert lake.as_of("2000-01-01").sql("SELECT count(*) FROM silver.units").item() == 0
    assert lake.as_of(moment).read("silver.units").height == 2
    with pytest.raises(Exception, match="read-only"):
        lake.as_of(moment).append("silver.units", units(1))


def test_concurrent_merges_are_retried(lake):
    lake.merge("silver.units", units(1))
    errors = []

    def writer(k: int) -> None:
        try:
            for j in range(3):
                lake_k = Lake.open(lake.root)
                lake_k.merge("silver.units", units(1).with_columns(unit_id=pl.lit(f"w{k}-{j}")))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert lake.sql("SELECT count(*) FROM silver.units").item() == 1 + 12


def test_rejects_are_idempotent(lake):
    r = [Reject("csv", "silver.reports", "wrong type: lat", {"lat": "x"}, "R1")]
    lake.merge("silver.rejects", rejects_frame(r), update=False)
    lake.merge("silver.rejects", rejects_frame(r), update=False)
    assert lake.sql("SELECT count(*) FROM silver.rejects").item() == 1


def test_history_compact_vacuum(lake):
    for i in range(4):
        lake.append("bronze.reports_raw", pl.DataFrame({
            "raw_id": [f"r{i}"], "source": ["t"], "record_id": [str(i)], "batch_id": ["b"],
            "ingested_at": [dt.datetime(2022, 1, 1, tzinfo=dt.UTC)], "payload": ["{}"]}))
    assert len(lake.history("bronze.reports_raw")) == 5  # create + 4 appends
    lake.compact("bronze.reports_raw")
    removed = lake.vacuum("bronze.reports_raw", retention_hours=0)
    assert len(removed) == 4
    assert lake.sql("SELECT count(*) FROM bronze.reports_raw").item() == 4
    assert set(lake.tables()["table"]) >= {"silver.reports", "gold.unit_performance"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto_s3(monkeypatch):
    """moto_server on loopback: an S3 *emulator* standing in for the object store (none is installable here)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        for k, v in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
                     "AWS_ENDPOINT_URL": endpoint}.items():
            monkeypatch.setenv(k, v)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="hue-lake")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_s3_code_path(moto_s3):
    lake = Lake.open("s3://hue-lake/ioc")
    lake.merge("silver.units", units(3))
    lake.merge("silver.units", units(4))
    assert lake.sql("SELECT count(*) FROM silver.units").item() == 4
    assert lake.read("silver.units").height == 4
    assert lake.as_of({"silver.units": 1}).sql("SELECT count(*) FROM silver.units").item() == 3
    uri = lake.put_artifact("publications", "x.txt", b"xin chao")
    assert uri.startswith("s3://") and lake.get_artifact(uri) == b"xin chao"


def test_overwrite_takes_the_catalog_schema_when_it_changed(lake):
    from deltalake import write_deltalake

    old = units(2)  # the table as an older catalog declared it: without "source"
    opts = dict(lake.storage_options) or None  # the S3 run's endpoint and credentials; None for a folder
    write_deltalake(lake.uri("silver.units"), old.drop("source").to_arrow(), mode="overwrite", storage_options=opts)
    assert "source" not in pl.read_delta(lake.uri("silver.units"), storage_options=opts).columns
    lake.overwrite("silver.units", units(3))
    assert pl.read_delta(lake.uri("silver.units"), storage_options=opts).columns == spec("silver.units").schema.names
    assert lake.sql("SELECT count(*) FROM silver.units WHERE source = 'test'").item() == 3
