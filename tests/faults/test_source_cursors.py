"""Source cursors travel in the bronze commit (issue 10): a source's resume point is recorded in the commit
of the rows it was read with, so a process SIGKILLed at any point neither skips a batch nor fetches again a
batch whose rows are committed.

The source is a folder of JSON-lines exports read in name order (its cursor: the last file name read), run
by a real process the way the hourly Dagster ingest runs a source: fetch from the cursor, bronze (rows and
cursor in one commit), then silver and gold. Each fetch notes the cursor it was asked from, so the test
sees refetches and skips directly, and then checks every row of both exports is in silver exactly once.
"""

from __future__ import annotations

import pytest

from tests.faults.harness import Expected, check_reports, run
from tests.faults.inputs import asked, report_file

# kill point → the cursor the rerun must ask from (the cursor commit is bronze.report_events_raw's)
POINTS = {
    "silver.rejects": "-",  # before bronze: the batch is fetched again
    "bronze.reports_raw": "-",  # reports in, cursor not yet: fetched again (bronze keeps one copy)
    "bronze.report_events_raw": "001.jsonl",  # the cursor is committed: never fetched again
    "lease:reports": "001.jsonl",  # bronze done, silver not begun: silver catches up from its watermark
    "silver.reports": "001.jsonl",
}
FAST = {("bronze.report_events_raw", "local")}


def matrix():
    for storage in ("local", "s3"):
        for point, resume in POINTS.items():
            marks = [] if (point, storage) in FAST else [pytest.mark.faults]
            yield pytest.param(point, resume, storage, marks=marks, id=f"exports-{point}-{storage}")


@pytest.mark.parametrize(("point", "resume", "storage_kind"), list(matrix()))
def test_a_killed_ingest_neither_skips_nor_refetches(point, resume, storage_kind, make_storage, template_report,
                                                      tmp_path):
    storage = make_storage(storage_kind)
    base, unit = template_report
    folder = tmp_path / "exports"
    folder.mkdir()
    want = Expected()
    want.add(report_file(folder / "001.jsonl", "X1", 3, base, unit))

    first = run("exports", str(folder), storage, tmp_path, kill_at=point)
    assert first.killed, f"not killed at {point}: exit {first.code}\n{first.stderr[-2000:]}"
    again = run("exports", str(folder), storage, tmp_path)
    assert again.code == 0 and "Traceback" not in again.stderr, again.stderr[-3000:]
    assert asked(folder) == ["-", resume]

    want.add(report_file(folder / "002.jsonl", "X2", 2, base, unit))  # the next export
    third = run("exports", str(folder), storage, tmp_path)
    assert third.code == 0, third.stderr[-3000:]
    assert asked(folder) == ["-", resume, "001.jsonl"]  # 002 is read from 001's cursor: nothing skipped
    lake = storage.lake()
    check_reports(lake, want)
    from pipelines.reports.bronze import source_watermarks

    assert source_watermarks(lake, ["exports"]) == {"exports": "002.jsonl"}
