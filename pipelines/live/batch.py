"""One micro-batch of broker messages through the lake: bronze (insert-only by message key), then the silver
and gold slices the batch touched, then rejects. The caller acknowledges the batch's messages only after this
returns: every message is then in bronze, and in silver or in silver.rejects.

Processing is idempotent: a batch delivered again (after a crash before the acknowledgement, or a broker
restart) adds no bronze row, no violation, no reading, and recomputes the same counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from lake import Lake, Reject
from lake.recompute import refresh_violations_daily
from pipelines.batches import new_batch_id
from pipelines.disasters import gauges as gauge_loader
from pipelines.disasters.common import write_rejects
from pipelines.disasters.warning_drafts import draft_flood_warnings
from pipelines.live import advance, camera_events, frigate, telemetry
from pipelines.live.frigate import BadMessage
from pipelines.live.messages import SIMULATED, Message, route
from pipelines.live.zones import Cameras

CAMERA_RAW, GAUGE_RAW = "bronze.camera_events_raw", "bronze.gauge_readings_raw"


@dataclass
class BatchResult:
    batch_id: str
    messages: int = 0
    bronze_new: int = 0  # bronze rows added (a redelivered message adds none)
    violations: int = 0  # new silver.violations rows
    count_rows: int = 0  # silver.traffic_counts rows recomputed
    readings: int = 0  # new or changed silver.gauge_readings rows
    rejected: int = 0  # messages refused (now in silver.rejects)
    stations: list[str] = field(default_factory=list)
    warnings_drafted: int = 0  # drafts for an operator (a warning is issued only once approved)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class _Parsed:
    camera_raw: list[dict[str, Any]] = field(default_factory=list)
    gauge_raw: list[dict[str, Any]] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    count_minutes: set[tuple[str, dt.datetime]] = field(default_factory=set)
    readings: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def _raw(m: Message, source: str, batch_id: str, now: dt.datetime, **extra: Any) -> dict[str, Any]:
    """The bronze row of a message, as received; the record id is filled in once the payload is read."""
    return {"raw_id": m.key, "source": source, "record_id": None, "batch_id": batch_id, "ingested_at": now,
            "payload": m.text, **extra}


def _frigate(p: _Parsed, m: Message, cams: Cameras, batch_id: str, now: dt.datetime) -> None:
    row = _raw(m, advance.FRIGATE_SOURCE, batch_id, now, camera_id=None)
    p.camera_raw.append(row)
    obj = frigate.parse(m.payload)
    row.update(record_id=obj.id, camera_id=obj.camera)
    cam = cams.get(obj.camera)
    if cam is None:
        raise BadMessage(f"unknown camera {obj.camera!r} (not in the camera configuration)")
    found = frigate.violations(obj, cam, now)
    if m.simulated:
        found = [v | {"source": SIMULATED} for v in found]
    p.violations += found
    if frigate.contributions(obj, cam):
        p.count_minutes.add((obj.camera, obj.start))


def _camera(p: _Parsed, m: Message, camera: str, batch_id: str, now: dt.datetime) -> None:
    row = _raw(m, advance.DETECTOR_SOURCE, batch_id, now, camera_id=camera)
    p.camera_raw.append(row)
    ev = camera_events.parse(m.payload, camera)
    row.update(record_id=ev["event_id"])
    if ev["category"] == "count":
        p.count_minutes.add((camera, ev["start_at"]))
    else:
        p.violations.append(camera_events.violation_row(ev, now))


def _gauge(p: _Parsed, m: Message, station: str, stations: set[str], order: int, batch_id: str,
           now: dt.datetime) -> None:
    p.gauge_raw.append(_raw(m, "mqtt", batch_id, now) | {"record_id": m.topic})
    reading = telemetry.parse(m.payload, station)
    if station not in stations:
        raise BadMessage(f"unknown station code {station!r} (not in silver.gauge_stations)")
    # a later message of the same station and time wins
    p.readings.append(reading | {"line": order, "source": SIMULATED if m.simulated else "mqtt"})


TARGETS = {"frigate": "silver.violations", "camera": "silver.violations", "gauge": "silver.gauge_readings"}


def _parse_all(messages: list[Message], cams: Cameras, stations: set[str], batch_id: str,
               now: dt.datetime) -> _Parsed:
    p = _Parsed()
    for i, m in enumerate(messages):
        r = route(m.topic)
        try:
            if r.kind == "frigate":
                _frigate(p, m, cams, batch_id, now)
            elif r.kind == "camera" and r.subject:
                _camera(p, m, r.subject, batch_id, now)
            elif r.kind == "gauge" and r.subject:
                _gauge(p, m, r.subject, stations, i, batch_id, now)
            else:
                raise BadMessage(f"topic {m.topic!r} is not one the live ingest reads")
        except BadMessage as exc:
            p.rejects.append(Reject(f"mqtt:{m.topic}", TARGETS.get(r.kind, "bronze"), str(exc), m.text,
                                    record_ref=m.key, batch_id=batch_id))
    return p


def process_batch(lake: Lake, messages: list[Message], cams: Cameras, now: dt.datetime | None = None,
                  draft_warnings: bool = True) -> BatchResult:
    """Write ``messages`` through bronze → silver → gold; returns what changed."""
    now = now or dt.datetime.now(dt.UTC)
    res = BatchResult(new_batch_id("live"), messages=len(messages))
    stations = set(lake.read("silver.gauge_stations", columns=["station_code"])["station_code"].to_list()) \
        if any(route(m.topic).kind == "gauge" for m in messages) else set()
    p = _parse_all(messages, cams, stations, res.batch_id, now)
    # 1. bronze: every message as received, once
    for table, rows in ((CAMERA_RAW, p.camera_raw), (GAUGE_RAW, p.gauge_raw)):
        if rows:
            res.bronze_new += advance.insert_absent(lake, table, pl.DataFrame(rows, infer_schema_length=None)).height
    # 2. silver and gold, for what this batch touched
    if p.violations:
        new = advance.insert_absent(lake, "silver.violations", pl.DataFrame(p.violations, infer_schema_length=None))
        res.violations = new.height
        if res.violations:
            refresh_violations_daily(lake, zip(new["camera_id"], new["start_at"], strict=True))
    res.count_rows = advance.recount(lake, p.count_minutes, cams, now)
    if p.readings:
        frame = pl.DataFrame(p.readings, schema={"station_code": pl.String, "observed_at": pl.Datetime("us", "UTC"),
                                                 "water_level_m": pl.Float64, "line": pl.Int64, "source": pl.String})
        for (source,), part in frame.group_by("source", maintain_order=True):
            loaded = gauge_loader.load_readings(lake, part.drop("source"), [], source=str(source), origin="mqtt",
                                                batch_id=res.batch_id)
            res.readings += loaded.written
            res.rejected += loaded.rejected
        res.stations = sorted(set(frame["station_code"]))
        advance.advance_flood_status(lake, res.stations)
        if draft_warnings and res.readings:
            res.warnings_drafted = draft_flood_warnings(lake, res.stations, now)
    # 3. rejects, with topic and payload (the reject id makes a redelivered bad message one row)
    write_rejects(lake, p.rejects)
    res.rejected += len(p.rejects)
    return res
