"""One reader lake shared by threads (a Streamlit server, the API) while a writer commits: every query result
comes from one recorded set, never from two (the SQL engine's pinning, ``lake/engine.py``).

The writer adds reports one batch at a time the way a sync does (events first, then the report, then the
record of the set); reader threads run the orphan query and the headline counts over and over, with and
without a staleness window. Every result must show no event without its report, and counts that belong to
one recorded set (reports = the template's + 2 per recorded batch).
"""

from __future__ import annotations

import datetime as dt
import threading

import polars as pl
import pytest

from lake import Lake, snapshots
from tests.faults.harness import Storage, copy_lake

ORPHANS = "SELECT count(*) FROM silver.report_events e ANTI JOIN silver.reports r USING (report_id)"
BATCHES = 6


def _batch(lake: Lake, i: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    reports = lake.sql("SELECT * FROM silver.reports ORDER BY report_id LIMIT 2")
    ids = [f"T{i}-a", f"T{i}-b"]
    reports = reports.with_columns(pl.Series("report_id", ids))
    events = lake.sql("SELECT * FROM silver.report_events ORDER BY event_id LIMIT 2").with_columns(
        pl.Series("event_id", [f"{r}:received" for r in ids]), pl.Series("report_id", ids),
        pl.lit(dt.datetime(2022, 5, 2, tzinfo=dt.UTC)).alias("at"))
    return reports, events


@pytest.mark.parametrize("staleness", [0.0, 0.05])
def test_threads_of_one_reader_never_mix_two_sets(staleness, template, tmp_path):
    storage = Storage("local", str(tmp_path / "lake"))
    copy_lake(template, storage)
    writer = Lake.open(storage.root)
    base = writer.sql("SELECT count(*) FROM silver.reports").item()
    reader = Lake.open(storage.root, consistent=True, max_staleness_s=staleness)
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                row = reader.sql(f"SELECT ({ORPHANS}) AS orphans, (SELECT count(*) FROM silver.reports) AS reports"
                                 ).row(0)
                seen.append((int(row[0]), int(row[1])))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(BATCHES):
            reports, events = _batch(writer, i)
            writer.merge("silver.report_events", events, update=False)  # the half-applied state
            writer.merge("silver.reports", reports)
            snapshots.record(writer, "reports", ["silver.reports", "silver.report_events"], writer="test")
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors, errors
    assert writer.sql(ORPHANS).item() == 0
    assert seen and all(orphans == 0 for orphans, _ in seen)
    # every count is the one of a recorded set: the template's, or 2 more per recorded batch
    assert {n for _, n in seen} <= {base + 2 * k for k in range(BATCHES + 1)}
    # the last set, once the staleness window has passed (a fresh reader: no window to wait out)
    fresh = Lake.open(storage.root, consistent=True)
    assert fresh.sql("SELECT count(*) FROM silver.reports").item() == base + 2 * BATCHES
