"""Fault-injection harness: real processes, real SIGKILL, real concurrent writers, local or S3 (moto).

A job runs as a subprocess (``hue-ioc`` itself, or a small ``python -c`` driver calling the same steps);
``HUE_IOC_TEST_KILL_AT=<table>[#n]`` makes it SIGKILL itself right after that commit (``lake.faults``).
The invariants are checked in this process with plain SQL over the lake, against what the inputs say.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lake import Lake, catalog
from lake.snapshots import consistent

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Storage:
    """Where the lake lives: a local folder, or a bucket on moto_server (an S3 *emulator*)."""

    kind: str  # "local" | "s3"
    root: str
    env: dict[str, str] = field(default_factory=dict)

    def lake(self) -> Lake:
        if self.kind == "s3":
            os.environ.update(self.env)
        return Lake.open(self.root)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, dict[str, str]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    return proc, env


@contextlib.contextmanager
def moto_running() -> Iterator[dict[str, str]]:
    """moto_server on loopback (an S3 *emulator*: no S3-compatible server is installable here) for the block:
    the AWS_* variables that reach it."""
    proc, env = start_moto()
    try:
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def s3_client(env: dict[str, str]):
    import boto3

    return boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def copy_lake(template: Path, storage: Storage) -> None:
    """The template lake's files, as they are, into ``storage`` (Delta logs use relative paths)."""
    if storage.kind == "local":
        shutil.copytree(template, storage.root, ignore=shutil.ignore_patterns("_leases"))
        return
    bucket, _, prefix = storage.root.removeprefix("s3://").partition("/")
    s3 = s3_client(storage.env)
    s3.create_bucket(Bucket=bucket)
    for path in template.rglob("*"):
        if path.is_file() and "_leases" not in path.parts:
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{path.relative_to(template).as_posix()}",
                          Body=path.read_bytes())


def job_env(storage: Storage, tmp: Path, kill_at: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUE_IOC_TEST_KILL_AT")}
    env.update(storage.env)
    env.update({"PYTHONPATH": str(REPO), "HUE_IOC_LAKE": storage.root, "DAGSTER_HOME": str(tmp / "dagster"),
                "HUE_IOC_TEST_LEASE_TTL_S": "3", "PYTHONDONTWRITEBYTECODE": "1"})
    (tmp / "dagster").mkdir(exist_ok=True)
    if kill_at:
        env["HUE_IOC_TEST_KILL_AT"] = kill_at
    return env


# Drivers: the steps each job runs, in a fresh interpreter (what a Dagster step or the CLI calls).
DRIVERS = {
    "sync": "from lake import Lake; from pipelines.reports import build; build.catch_up(Lake.open())",
    "rebuild": ("from lake import Lake; from pipelines.reports import build; lake = Lake.open(); "
                "build.build_silver(lake); build.build_gold(lake)"),
    "camera": ("import sys; sys.path.insert(0, {repo!r}); from tests.faults.inputs import write_camera; "
               "from lake import Lake; write_camera(Lake.open(), {arg!r})"),
    "cap": ("import sys; sys.path.insert(0, {repo!r}); from tests.faults.inputs import write_cap; "
            "from lake import Lake; write_cap(Lake.open(), {arg!r})"),
    "disasters_run": ("import sys; sys.path.insert(0, {repo!r}); from tests.faults.inputs import run_disasters; "
                      "run_disasters({arg!r})"),
    "exports": ("import sys; sys.path.insert(0, {repo!r}); from tests.faults.inputs import ingest_exports; "
                "from lake import Lake; ingest_exports(Lake.open(), {arg!r})"),
}


def command(job: str, arg: str = "") -> list[str]:
    if job == "ingest":
        return [sys.executable, "-m", "hue_ioc.cli", "ingest", arg]
    if job == "build":
        return [sys.executable, "-m", "hue_ioc.cli", "build", arg]
    return [sys.executable, "-c", DRIVERS[job].format(repo=str(REPO), arg=arg)]


def start(job: str, arg: str, storage: Storage, tmp: Path, kill_at: str | None = None) -> subprocess.Popen:
    return subprocess.Popen(command(job, arg), env=job_env(storage, tmp, kill_at), cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.code == -signal.SIGKILL


def finish(proc: subprocess.Popen, timeout: float = 300) -> Outcome:
    out, err = proc.communicate(timeout=timeout)
    return Outcome(proc.returncode, out, err)


def run(job: str, arg: str, storage: Storage, tmp: Path, kill_at: str | None = None) -> Outcome:
    return finish(start(job, arg, storage, tmp, kill_at))


# ------------------------------------------------------------------ invariants
@dataclass
class Expected:
    """What the inputs of a scenario must leave in silver: ids kept and ids rejected."""

    reports: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)  # record_ref of rows that must be in rejects
    unreadable: dict[str, int] = field(default_factory=dict)  # file name -> lines rejected as unreadable
    lines: int = 0  # input rows read (reconciliation: lines = kept + rejects)

    def add(self, other: Expected) -> None:
        self.reports |= other.reports
        self.events |= other.events
        self.rejected |= other.rejected
        self.unreadable |= other.unreadable
        self.lines += other.lines


def check_reports(lake: Lake, want: Expected) -> dict[str, int]:
    """Rows lost and rows duplicated for the expected inputs; asserts every invariant of issue 10."""
    got_r = lake.sql("SELECT report_id, count(*) AS n FROM silver.reports WHERE list_contains($ids, report_id) "
                     "GROUP BY 1", {"ids": sorted(want.reports)})
    got_e = lake.sql("SELECT event_id, count(*) AS n FROM silver.report_events "
                     "WHERE list_contains($ids, event_id) GROUP BY 1", {"ids": sorted(want.events)})
    rej = lake.sql("SELECT DISTINCT record_ref FROM silver.rejects WHERE list_contains($ids, record_ref)",
                   {"ids": sorted(want.rejected)})
    unreadable = sum(int(lake.sql("SELECT count(DISTINCT reject_id) FROM silver.rejects WHERE starts_with(reason, $p)",
                                  {"p": f"{name}:"}).item()) for name in want.unreadable)
    lost = (len(want.reports) - got_r.height) + (len(want.events) - got_e.height) + (len(want.rejected) - rej.height)
    lost += sum(want.unreadable.values()) - unreadable
    dup = int(got_r.filter(pl.col("n") > 1).height + got_e.filter(pl.col("n") > 1).height)
    dup += int(lake.sql("SELECT count(*) - count(DISTINCT report_id) FROM silver.reports").item())
    dup += int(lake.sql("SELECT count(*) - count(DISTINCT event_id) FROM silver.report_events").item())
    assert lost == 0 and dup == 0, f"lost {lost}, duplicated {dup}"
    # reconciliation for the inputs: every line read is kept or rejected
    assert got_r.height + got_e.height + rej.height + unreadable == want.lines
    check_gold(lake)
    check_snapshot(lake)
    check_readable(lake)
    return {"lost": lost, "duplicated": dup}


def check_gold(lake: Lake) -> None:
    """Gold equals a fresh recompute from the silver it says it came from (its watermarks)."""
    from core.settings import settings
    from lake.watermarks import watermark
    from pipelines.reports import gold

    src = {t: watermark(lake, "gold.kpi_daily", t) for t in ("silver.reports", "silver.report_events",
                                                              "silver.units")}
    assert src["silver.reports"] == lake.version("silver.reports"), "gold is behind silver"
    pinned = lake.as_of(src)
    reports, events = pinned.read("silver.reports"), pinned.read("silver.report_events")
    as_of = gold.data_as_of(reports)
    fresh = {"gold.kpi_daily": gold.kpi_daily(reports, as_of),
             "gold.unit_transfers": gold.unit_transfers(events),
             "gold.unit_performance": gold.unit_performance(reports, events, pinned.read("silver.units"),
                                                            settings().score_weights, as_of)}
    for name, frame in fresh.items():
        stored = lake.read(name)
        keys = [c for c in stored.columns if c in ("month", "unit_id", "date", "category_code", "channel",
                                                   "admin_unit_code_2025", "from_unit_id", "to_unit_id")]
        assert stored.sort(keys).equals(frame.select(stored.columns).sort(keys)), f"{name} differs from silver"


def check_snapshot(lake: Lake) -> None:
    """The recorded consistent set: every event's report is there, gold came from that silver."""
    view = consistent(lake, "reports")
    orphans = view.sql("SELECT count(*) FROM silver.report_events e ANTI JOIN silver.reports r USING (report_id)")
    assert orphans.item() == 0


def check_readable(lake: Lake) -> None:
    for name in catalog():
        if lake.exists(name):
            lake.read(name)


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
