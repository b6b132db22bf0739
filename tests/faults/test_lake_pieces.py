"""The lake pieces the fault suite relies on, one by one: watermarks, the lease, consistent sets."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from lake import Lake
from lake.lease import holder, lease
from lake.snapshots import consistent, record
from lake.watermarks import rows_since, watermark
from tests.faults.harness import REPO


def _raw(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"raw_id": ids, "source": "s", "record_id": ids, "batch_id": "b",
                         "ingested_at": [None] * len(ids), "payload": "{}"}).cast(
        {"ingested_at": pl.Datetime("us", "UTC")})


def _units(ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"unit_id": ids, "name": ids})


def test_a_watermark_travels_in_the_commit_of_the_output(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    lake.merge("bronze.reports_raw", _raw(["a", "b"]))
    v1 = lake.version("bronze.reports_raw")
    lake.merge("silver.units", _units(["u1"]), marks={"bronze.reports_raw": v1})
    out_v = lake.version("silver.units")
    assert watermark(lake, "silver.units", "bronze.reports_raw") == v1
    # a merge that changes nothing makes no Delta commit: the mark is still recorded
    lake.merge("bronze.reports_raw", _raw(["c"]))
    v2 = lake.version("bronze.reports_raw")
    lake.merge("silver.units", _units(["u1"]), update=False, marks={"bronze.reports_raw": v2})
    assert watermark(lake, "silver.units", "bronze.reports_raw") == v2
    assert watermark(lake.as_of({"silver.units": out_v}), "silver.units", "bronze.reports_raw") == v1
    assert sorted(rows_since(lake, "bronze.reports_raw", v1, v2)["raw_id"]) == ["c"]
    assert sorted(rows_since(lake, "bronze.reports_raw", None, v2)["raw_id"]) == ["a", "b", "c"]


def test_rows_since_a_vacuumed_version_are_all_rows(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    lake.merge("bronze.reports_raw", _raw(["a"]))
    lake.merge("bronze.reports_raw", _raw(["b"]))
    lake.compact("bronze.reports_raw")
    lake.vacuum("bronze.reports_raw", retention_hours=0)
    assert sorted(rows_since(lake, "bronze.reports_raw", 1, lake.version("bronze.reports_raw"))["raw_id"]) \
        == ["a", "b"]


def _try_lease(root: str) -> subprocess.CompletedProcess:
    code = ("from lake import Lake; from lake.lease import lease, LeaseTimeout\n"
            f"try:\n    with lease(Lake.open({root!r}), 'reports', wait_s=0.5): print('got')\n"
            "except LeaseTimeout as e: print('timeout', e)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_the_lease_says_who_holds_it_and_excludes_other_processes(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    assert holder(lake, "reports") is None
    with lease(lake, "reports"):
        with lease(lake, "reports"):  # re-entrant in one thread
            pass
        who = holder(lake, "reports")
        assert who is not None and who["pid"] > 0 and who["lease"] == "reports"
        assert _try_lease(lake.root).stdout.startswith("timeout")
    assert holder(lake, "reports") is None
    assert _try_lease(lake.root).stdout.strip() == "got"


def test_a_killed_holder_frees_a_local_lease(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    code = ("import os, signal; from lake import Lake; from lake.lease import lease\n"
            f"with lease(Lake.open({lake.root!r}), 'reports'): os.kill(os.getpid(), signal.SIGKILL)")
    done = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                          timeout=60)
    assert done.returncode == -9
    assert holder(lake, "reports") is None
    assert _try_lease(lake.root).stdout.strip() == "got"


def test_an_s3_lease_is_exclusive_and_taken_over_after_its_ttl(moto_env, monkeypatch):
    import json
    import time

    for k, v in moto_env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("HUE_IOC_TEST_LEASE_TTL_S", "1")
    from tests.faults.harness import s3_client

    s3 = s3_client(moto_env)
    s3.create_bucket(Bucket="lease-test")
    lake = Lake.open("s3://lease-test/lake")
    with lease(lake, "reports"):
        time.sleep(1.5)  # longer than the TTL: the heartbeat keeps it
        assert holder(lake, "reports")["lease"] == "reports"
        from lake.lease import LeaseTimeout, _S3Lease

        with pytest.raises(LeaseTimeout):
            _S3Lease(lake, "reports").acquire(wait_s=0.5, poll_s=0.1)
    assert holder(lake, "reports") is None
    # a holder that died: its note expired, nobody renews it
    s3.put_object(Bucket="lease-test", Key="lake/_leases/reports.json",
                  Body=json.dumps({"lease": "reports", "pid": 1, "expires_at": time.time() - 5}).encode())
    assert holder(lake, "reports") is None
    with lease(lake, "reports", wait_s=2):
        assert holder(lake, "reports")["pid"] != 1


def test_readers_pinned_to_the_recorded_set_see_no_half_applied_batch(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    lake.merge("silver.units", _units(["u1"]))
    lake.merge("bronze.reports_raw", _raw(["a"]))
    record(lake, "reports", ["silver.units", "bronze.reports_raw"])
    lake.merge("silver.units", _units(["u2"]))  # the first half of a later batch
    view = consistent(lake, "reports")
    assert view.sql("SELECT count(*) FROM silver.units").item() == 1
    assert lake.sql("SELECT count(*) FROM silver.units").item() == 2
    record(lake, "reports", ["silver.units", "bronze.reports_raw"])
    assert consistent(lake, "reports").sql("SELECT count(*) FROM silver.units").item() == 2
