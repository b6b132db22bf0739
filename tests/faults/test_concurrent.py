"""Concurrent writers, pairs and triples, as real processes on one lake; every one must finish cleanly
(no conflict traceback) and leave every input exactly once, with no sync run afterwards.

The first test is issue 10's reproduction: ``hue-ioc build rebuild_reports & sleep 6; hue-ioc ingest
good.jsonl`` left silver with 0 of the file's rows on the old code.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.harness import Expected, check_reports, finish, start
from tests.faults.inputs import check_camera, check_cap, report_file

COMBOS = {
    "ingest+ingest": ["ingest", "ingest"],
    "ingest+sync": ["ingest", "sync"],
    "ingest+rebuild": ["ingest", "rebuild"],
    "ingest+camera": ["ingest", "camera"],
    "cap+ingest": ["cap", "ingest"],
    "rebuild+camera": ["rebuild", "camera"],
    "ingest+ingest+rebuild": ["ingest", "ingest", "rebuild"],
    "ingest+sync+cap": ["ingest", "sync", "cap"],
    "ingest+camera+rebuild": ["ingest", "camera", "rebuild"],
    "ingest+ingest+ingest": ["ingest", "ingest", "ingest"],
}
FAST = {("ingest+ingest", "local"), ("ingest+ingest+rebuild", "local")}


def combos():
    for storage in ("local", "s3"):
        for name, jobs in COMBOS.items():
            marks = [] if (name, storage) in FAST else [pytest.mark.faults]
            yield pytest.param(jobs, storage, marks=marks, id=f"{name}-{storage}")


def _clean(outcome, job: str) -> None:
    assert outcome.code == 0, f"{job}: exit {outcome.code}\n{outcome.stderr[-3000:]}"
    assert "Traceback" not in outcome.stderr and "CommitFailedError" not in outcome.stderr, outcome.stderr[-3000:]


@pytest.mark.parametrize(("jobs", "storage_kind"), list(combos()))
def test_concurrent_writers(jobs, storage_kind, make_storage, template_report, tmp_path):
    storage = make_storage(storage_kind)
    base, unit = template_report
    want = Expected()
    procs = []
    for i, job in enumerate(jobs):
        arg = ""
        if job == "ingest":
            tag = f"C{i}"
            want.add(report_file(tmp_path / f"{tag}.jsonl", tag, 4, base, unit))
            arg = str(tmp_path / f"{tag}.jsonl")
        elif job == "camera":
            arg = "T"
        elif job == "cap":
            arg = str(tmp_path)
        procs.append((job, start(job, arg, storage, tmp_path)))
    for job, proc in procs:
        _clean(finish(proc), job)
    lake = storage.lake()
    if want.lines:
        check_reports(lake, want)
    if "camera" in jobs:
        check_camera(lake, "T")
    if "cap" in jobs:
        check_cap(lake)


def test_rebuild_beside_an_ingest_loses_nothing(make_storage, template_report, tmp_path):
    """Issue 10: `hue-ioc build rebuild_reports & sleep 6; hue-ioc ingest good.jsonl` (the real Dagster job)."""
    storage = make_storage("local")
    base, unit = template_report
    want = report_file(tmp_path / "good.jsonl", "G", 40, base, unit)
    rebuild = start("build", "rebuild_reports", storage, tmp_path)
    time.sleep(6)
    ingest = start("ingest", str(tmp_path / "good.jsonl"), storage, tmp_path)
    _clean(finish(ingest), "ingest")
    done = finish(rebuild)
    _clean(done, "rebuild")
    # the lake remembers it was built at scale 0.005 (the old code regenerated it at 1.0, silently)
    assert "reusing" in done.stdout and "scale 0.005" in done.stdout
    lake = storage.lake()
    check_reports(lake, want)  # no sync afterwards: the rows are there already
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE NOT starts_with(report_id, 'G-')").item() == 333
