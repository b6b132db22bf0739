"""Inputs of the fault scenarios, each with the answer it must leave in the lake written beside it.

Report files are JSON lines of hand-made reports and events (ids carry a tag and may be hostile:
quotes and SQL fragments must travel as data); camera runs replay recorded rule events through the real
``EventWriter``; CAP runs ingest the shared CAP samples plus a document that is not CAP.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.faults.harness import Expected, check_readable, jsonl

HOSTILE = "') OR ('1'='1"
REPORT_FIELDS = ("source", "channel", "category_code", "title", "description", "lat", "lon", "admin_unit_code",
                 "process_type", "is_valid")


HOSTILE_UNIT = f"U{HOSTILE}"  # a handling unit the template lake knows, whose id is an SQL fragment


def template_fields(lake) -> tuple[dict, str]:
    """The fields of a valid report of the template lake (real category and commune) and the hostile unit."""
    good = lake.sql("SELECT * FROM silver.reports WHERE is_valid AND lat IS NOT NULL ORDER BY report_id LIMIT 1")
    assert lake.sql("SELECT count(*) FROM silver.units WHERE unit_id = $u", {"u": HOSTILE_UNIT}).item() == 1
    return {k: good[k][0] for k in REPORT_FIELDS}, HOSTILE_UNIT


def report_file(path: Path, tag: str, n: int, base: dict, unit: str) -> Expected:
    """``n`` reports with two events each, one report of an unknown category and one unreadable line."""
    recs: list[dict] = []
    want = Expected()
    for i in range(n):
        rid = f"{tag}-{i}{HOSTILE if i == 0 else ''}"
        at = dt.datetime(2022, 5, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=i)
        recs.append({"kind": "report", **base, "report_id": rid, "received_at": at.isoformat(), "updated_at": at.isoformat()})
        recs.append({"kind": "event", "event_id": f"{rid}:received", "report_id": rid, "event_type": "received",
                     "at": at.isoformat()})
        recs.append({"kind": "event", "event_id": f"{rid}:assigned", "report_id": rid, "event_type": "assigned",
                     "at": (at + dt.timedelta(hours=1)).isoformat(), "unit_id": unit,
                     "deadline_at": (at + dt.timedelta(days=3)).isoformat()})
        want.reports.add(rid)
        want.events |= {f"{rid}:received", f"{rid}:assigned"}
    bad = f"{tag}-bad{HOSTILE}"
    recs.append({"kind": "report", **base, "category_code": "ufo", "report_id": bad,
                 "received_at": "2022-05-01T08:00:00+00:00"})
    want.rejected.add(bad)
    path.write_text(jsonl(recs) + "{not json\n", encoding="utf-8")
    want.unreadable[path.name] = 1
    want.lines = len(recs) + 1
    return want


# ------------------------------------------------------------------ a report source with a cursor
class ExportsSource:
    """A report source over a folder of JSON-lines exports, read in name order; its cursor is the name of
    the last file read. Every fetch notes the cursor it was asked from in ``asked.txt`` beside the folder,
    so a test sees whether a batch was fetched again (refetch) or passed over (skip)."""

    name = "exports"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def fetch(self, since: str | None = None):
        from pipelines.sources.base import SourceBatch
        from pipelines.sources.jsonl_file import JsonLinesReportSource

        with (self.folder.parent / "asked.txt").open("a", encoding="utf-8") as fh:
            fh.write(f"{since or '-'}\n")
        files = sorted(p for p in self.folder.glob("*.jsonl") if since is None or p.name > since)
        batch = SourceBatch(watermark=files[-1].name if files else since)
        for path in files:
            one = JsonLinesReportSource(path).fetch()
            batch.records += one.records
            batch.rejects += one.rejects
        return batch


def asked(folder: str | Path) -> list[str]:
    path = Path(folder).parent / "asked.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def ingest_exports(lake, folder: str) -> None:
    """What the hourly Dagster ingest does for a source with a cursor: fetch from it, bronze with the new
    cursor in the same commit, then silver and gold from their watermarks."""
    from pipelines.reports import build
    from pipelines.reports.bronze import ingest_sources

    ingest_sources(lake, {"exports": ExportsSource(folder)})
    build.catch_up(lake)


# ------------------------------------------------------------------ the disasters sensor's runs
def run_disasters(request: str) -> None:
    """The run a disasters sensor asked for (``{"run_key", "run_config"}``), executed as the Dagster daemon
    would, tagged like ``hue-ioc build`` runs so a dead one is marked failed by the CLI's bookkeeping."""
    import json
    import os
    import socket

    import dagster as dg

    from hue_ioc.commands.core import RUN_HOST, RUN_PID
    from hue_ioc.definitions import defs

    req = json.loads(request)
    job = defs.resolve_job_def("disasters_update")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=req["run_config"], raise_on_error=False,
            tags={"dagster/run_key": req["run_key"], RUN_PID: str(os.getpid()), RUN_HOST: socket.gethostname()})
    if not result.success:
        raise SystemExit("the disasters run failed")


# ------------------------------------------------------------------ cameras
CAMERA = f"cam-{HOSTILE}"
CAMERA_EVENTS = 12  # 8 violations + 4 line counts, flushed 3 at a time: several commits per table


def camera_events(tag: str) -> list[tuple[dict, object]]:
    from detectors.rules import RuleEvent

    out = []
    t0 = dt.datetime(2025, 11, 17, 1, 0, 5, tzinfo=dt.UTC)
    for i in range(CAMERA_EVENTS):
        at = t0 + dt.timedelta(seconds=20 * i)
        count = i % 3 == 2
        ev = RuleEvent("mid:count" if count else "zone:dwell", "count" if count else "dwell",
                       "line_count" if count else "illegal_parking", "count" if count else "violation",
                       i, "car", 0.0, 1.0, at, at, 0.9, (0, 0, 1, 1), direction="forward" if count else "")
        row = {"event_id": f"{tag}-ev{i}", "camera_id": CAMERA, "rule_id": ev.rule_id, "rule": ev.rule,
               "violation_type": ev.event_type, "category": ev.category, "class_name": "car", "track_id": i,
               "start_at": at, "end_at": at, "score": 0.9, "source": "detector", "review_status": "pending",
               "fine_vnd": 0}
        out.append((row, ev))
    return out


def write_camera(lake, tag: str) -> None:
    """One camera run over recorded events, through the real writer (what ``run_cameras`` drives)."""
    from detectors.writer import EventWriter

    w = EventWriter(lake, CAMERA, batch_size=3, max_delay_s=3600)
    for row, ev in camera_events(tag):
        w.add(row, ev)
    w.flush()


def expected_camera(tag: str) -> tuple[set[str], set[str], dict[dt.datetime, int]]:
    events = camera_events(tag)
    violations = {r["event_id"] for r, ev in events if ev.category != "count"}
    minutes: dict[dt.datetime, int] = {}
    for _, ev in events:
        if ev.category == "count":
            m = ev.start_at.replace(second=0, microsecond=0)
            minutes[m] = minutes.get(m, 0) + 1
    return {r["event_id"] for r, _ in events}, violations, minutes


# ------------------------------------------------------------------ CAP
def cap_paths(folder: str) -> list[Path]:
    from core.settings import data_path

    samples = sorted(data_path("cap").glob("*.xml"))
    junk = Path(folder) / "not-cap.xml"
    junk.write_text("<html>không phải CAP</html>", encoding="utf-8")
    return [*samples, junk]


def write_cap(lake, folder: str) -> None:
    from pipelines.disasters.cap_ingest import ingest_documents
    from pipelines.disasters.feeds import file_documents

    ingest_documents(lake, file_documents(cap_paths(folder)), batch_id="faults-cap")


# ------------------------------------------------------------------ what they must leave
def check_camera(lake, tag: str) -> None:
    events, violations, minutes = expected_camera(tag)
    raw = lake.sql("SELECT raw_id, count(*) n FROM bronze.camera_events_raw GROUP BY 1")
    assert set(raw["raw_id"]) == events and raw["n"].max() == 1
    got = lake.sql("SELECT event_id, count(*) n FROM silver.violations GROUP BY 1")
    assert set(got["event_id"]) == violations and got["n"].max() == 1
    counts = dict(lake.sql("SELECT minute, sum(count) FROM silver.traffic_counts WHERE camera_id = $c GROUP BY 1",
                           {"c": CAMERA}).iter_rows())
    assert counts == minutes
    check_readable(lake)


def check_cap(lake) -> None:
    # three CAP samples (each one alert) and one document that is not CAP
    n = lake.sql("SELECT count(*), count(DISTINCT warning_id) FROM silver.warnings").row(0)
    assert n == (3, 3)
    assert lake.sql("SELECT count(DISTINCT raw_id) FROM bronze.cap_alerts_raw").item() == 4
    assert lake.sql("SELECT count(*) FROM silver.rejects WHERE record_ref LIKE '%not-cap.xml'").item() == 1
    check_readable(lake)
