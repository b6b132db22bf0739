"""Readers see consistent sets (issue 10, point 3): a screen reads silver reports and events, units and the
gold built from them at the versions the writer recorded together in ``gold.snapshots``, never a
half-applied batch, even while a writer is stopped between its commits.

Real processes: an ingest SIGKILLed after its bronze commits leaves rows for the next silver writer; a
rebuild is then SIGKILLed right after its ``silver.report_events`` overwrite (the issue's reproduction:
events whose report is missing), and a sync right after ``silver.reports`` (new silver, gold of the
previous build). In between, ``views.headline`` on a reader lake (what the screens, the API and the
publications open) must give the figures of a plain-SQL recompute from silver at the recorded set, and the
reader must see no orphan event; the plain (writer's) lake shows the half-applied state, so the check
would fail if the reader read the newest versions.
"""

from __future__ import annotations

import pytest

from lake import Lake
from lake.snapshots import latest
from tests.faults.harness import check_reports, run
from tests.faults.inputs import report_file
from views.headline import headline

ORPHANS = "SELECT count(*) FROM silver.report_events e ANTI JOIN silver.reports r USING (report_id)"


def recompute(lake: Lake, versions: dict[str, int]) -> dict[str, int]:
    """The headline's counts for all time, by plain SQL over silver at ``versions`` (not through gold)."""
    at = lake.as_of(versions)
    row = at.sql("SELECT count(*) FILTER (WHERE is_valid) AS received, "
                 "count(*) FILTER (WHERE NOT is_valid) AS invalid, "
                 "count(*) FILTER (WHERE is_valid AND status = 'resolved') AS processed, "
                 "count(*) FILTER (WHERE is_valid AND rating IS NOT NULL) AS rated, "
                 "count(*) FILTER (WHERE is_valid AND rating IN ('hai_long', 'chap_nhan')) AS satisfied "
                 "FROM silver.reports").row(0, named=True)
    row["units"] = at.sql("SELECT count(*) FROM silver.units WHERE valid_to IS NULL").item()  # in service now
    return {k: int(v) for k, v in row.items()}


def shown(reader: Lake) -> dict[str, int]:
    figures = headline(reader)
    return {k: int(figures[k]) for k in ("received", "invalid", "processed", "rated", "satisfied", "units")}


@pytest.mark.parametrize("storage_kind", ["local", pytest.param("s3", marks=pytest.mark.faults)])
def test_a_reader_sees_the_recorded_set_between_a_writers_commits(storage_kind, make_storage, template_report,
                                                                   tmp_path):
    storage = make_storage(storage_kind)
    base, unit = template_report
    want = report_file(tmp_path / "a.jsonl", "A", 5, base, unit)
    lake = storage.lake()
    reader = Lake.open(storage.root, consistent=True)
    first = latest(lake, "reports")
    assert first is not None
    before = recompute(lake, first[1])
    assert shown(reader) == before

    # bronze only: an ingest killed right after its bronze commits
    assert run("ingest", str(tmp_path / "a.jsonl"), storage, tmp_path, kill_at="bronze.report_events_raw").killed
    # a rebuild stopped between its two silver commits: the events of A are in, their reports are not
    assert run("rebuild", "", storage, tmp_path, kill_at="silver.report_events").killed
    assert lake.sql(ORPHANS).item() == 10  # a plain reader sees the half-applied batch (A's 10 events)
    assert reader.sql(ORPHANS).item() == 0
    assert latest(lake, "reports") == first
    assert shown(reader) == before

    # a sync stopped after silver.reports: silver has A, gold is still the previous build's
    assert run("sync", "", storage, tmp_path, kill_at="silver.reports").killed
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE starts_with(report_id, 'A-')").item() == 5
    assert reader.sql("SELECT count(*) FROM silver.reports WHERE starts_with(report_id, 'A-')").item() == 0
    assert reader.sql(ORPHANS).item() == 0
    assert shown(reader) == before
    assert reader.versions(["silver.reports", "gold.kpi_daily"]) == {
        "silver.reports": first[1]["silver.reports"], "gold.kpi_daily": first[1]["gold.kpi_daily"]}

    # the sync completes: the reader moves to the new set, which has A's 5 valid reports
    done = run("sync", "", storage, tmp_path)
    assert done.code == 0, done.stderr[-3000:]
    second = latest(lake, "reports")
    assert second is not None and second[0] > first[0]
    after = recompute(lake, second[1])
    assert after["received"] == before["received"] + 5
    assert shown(reader) == after
    assert reader.sql("SELECT count(*) FROM silver.reports WHERE starts_with(report_id, 'A-')").item() == 5
    check_reports(lake, want)


def test_a_reader_pinned_to_a_moment_reads_the_set_recorded_by_then(make_storage, template_report, tmp_path):
    """Publications pin a moment: a moment between a writer's commits reads the set recorded before it."""
    import datetime as dt
    import time

    storage = make_storage("local")
    base, unit = template_report
    report_file(tmp_path / "b.jsonl", "B", 3, base, unit)
    lake = storage.lake()
    first = latest(lake, "reports")
    assert first is not None
    assert run("ingest", str(tmp_path / "b.jsonl"), storage, tmp_path, kill_at="silver.reports").killed
    time.sleep(0.01)  # the moment is strictly after the killed ingest's commits (Delta stamps milliseconds)
    moment = dt.datetime.now(dt.UTC)
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE starts_with(report_id, 'B-')").item() == 3
    pinned = Lake.open(storage.root, consistent=True).as_of(moment)
    assert pinned.sql("SELECT count(*) FROM silver.reports WHERE starts_with(report_id, 'B-')").item() == 0
    assert shown(pinned) == recompute(lake, first[1])


def test_the_screens_the_api_and_the_cli_open_readers(tmp_path, monkeypatch):
    """Where the read side opens the lake, it opens a reader (one switch, not one per view)."""
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))
    from api.app import create_app
    from dashboards.data import _open_lake

    assert create_app().state.lake.consistent
    assert _open_lake(str(tmp_path / "lake")).consistent
    assert Lake.open(tmp_path / "lake").reading_consistent().as_of("2022-06-01").consistent
    assert not Lake.open(tmp_path / "lake").consistent  # writers see the newest versions
