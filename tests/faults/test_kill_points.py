"""SIGKILL right after every commit of ingest, sync, rebuild, a camera run and a CAP ingest; then rerun.

After each, the invariants of issue 10 hold: every accepted input row is in silver exactly once, the rest
in rejects (reconciliation), gold equals a fresh recompute from silver, the recorded consistent set has no
half-applied batch, every table is readable. On a local lake and on S3 (moto_server, an emulator).
The fast subset runs in ``make test``; ``make faults`` runs the whole matrix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import Storage, check_reports, run
from tests.faults.inputs import check_camera, check_cap, report_file

SILVER_GOLD = ["lease:reports", "silver.report_events", "silver.rejects", "silver.reports",
               "gold.unit_performance", "gold.kpi_daily", "gold.unit_transfers", "gold.snapshots"]
POINTS = {
    "ingest": ["silver.rejects", "bronze.reports_raw", "bronze.report_events_raw",
               *[p if p != "silver.rejects" else "silver.rejects#2" for p in SILVER_GOLD]],
    "sync": SILVER_GOLD,
    "rebuild": [*SILVER_GOLD[:4], "lease:reports#2", *SILVER_GOLD[4:]],
    "camera": ["bronze.camera_events_raw", "silver.violations", "bronze.camera_events_raw#3",
               "silver.violations#2", "silver.traffic_counts"],
    "cap": ["bronze.cap_alerts_raw", "silver.warnings", "silver.rejects"],
}
FAST = {("ingest", "bronze.report_events_raw", "local"), ("rebuild", "silver.report_events", "local"),
        ("ingest", "silver.reports", "s3")}


def matrix():
    for storage in ("local", "s3"):
        for job, points in POINTS.items():
            for point in points:
                marks = [] if (job, point, storage) in FAST else [pytest.mark.faults]
                yield pytest.param(job, point, storage, marks=marks, id=f"{job}-{point}-{storage}")


def _killed_then_rerun(job: str, arg: str, point: str, storage: Storage, tmp: Path) -> None:
    first = run(job, arg, storage, tmp, kill_at=point)
    assert first.killed, f"{job} was not killed at {point}: exit {first.code}\n{first.stderr[-2000:]}"
    again = run(job, arg, storage, tmp)
    assert again.code == 0, again.stderr[-3000:]
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(("job", "point", "storage_kind"), list(matrix()))
def test_kill_then_rerun(job, point, storage_kind, make_storage, template_report, tmp_path):
    storage = make_storage(storage_kind)
    base, unit = template_report
    if job in ("ingest", "sync", "rebuild"):
        want = report_file(tmp_path / "a.jsonl", "A", 5, base, unit)
        if job == "ingest":
            _killed_then_rerun("ingest", str(tmp_path / "a.jsonl"), point, storage, tmp_path)
        else:
            # an ingest killed right after its bronze commits leaves rows for the next silver writer
            assert run("ingest", str(tmp_path / "a.jsonl"), storage, tmp_path,
                       kill_at="bronze.report_events_raw").killed
            _killed_then_rerun(job, "", point, storage, tmp_path)
        lake = storage.lake()
        check_reports(lake, want)
        kept = lake.sql("SELECT count(*) FROM silver.reports WHERE NOT starts_with(report_id, 'A-')").item()
        assert kept == 333  # the template's reports, none lost to the overwrite
    elif job == "camera":
        _killed_then_rerun("camera", "T", point, storage, tmp_path)
        check_camera(storage.lake(), "T")
    else:
        _killed_then_rerun("cap", str(tmp_path), point, storage, tmp_path)
        check_cap(storage.lake())
