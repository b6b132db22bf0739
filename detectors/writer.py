"""Camera events into the lake the caller gives: micro-batched rule events, violations, per-minute counts,
evidence crops, the cameras themselves and the runs that failed.

``bronze.camera_events_raw`` gets every event, ``silver.violations`` the violations and incidents
(insert-only, so an officer's review is never overwritten), ``silver.traffic_counts`` the line counts per
minute, line, class and direction (a minute is written once it is closed, or at the end). Reruns rewrite
the same keys: writing is idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections import defaultdict
from typing import Any

import polars as pl

from detectors.config import CameraConfig
from detectors.results import RunResult
from detectors.rules import RuleEvent
from lake import Lake, Reject, rejects_frame
from lake.tables.cameras import VIOLATIONS

# the detector's row carries every column of silver.violations but the write time, added on write
VIOLATION_COLS = tuple(c for c in VIOLATIONS.schema.names if c != "detected_at")


def minute_floor(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(second=0, microsecond=0)


class EventWriter:
    """Micro-batches one camera's events into ``lake``; with no lake, rows are dropped after counting."""

    def __init__(self, lake: Lake | None, camera_id: str, source: str = "detector", batch_size: int = 50,
                 max_delay_s: float = 10.0) -> None:
        self.lake, self.camera_id, self.source = lake, camera_id, source
        self.batch_id = f"{camera_id}-{uuid.uuid4().hex[:12]}"
        self.batch_size, self.max_delay_s = batch_size, max_delay_s
        self.raw: list[dict[str, Any]] = []
        self.violations: list[dict[str, Any]] = []
        self.counts: dict[tuple[dt.datetime, str, str, str], int] = defaultdict(int)
        self.sightings: list[dict[str, Any]] = []
        self.written = {"camera_events_raw": 0, "violations": 0, "traffic_counts": 0, "sightings": 0}
        self._last_flush = time.monotonic()

    @property
    def keeps_evidence(self) -> bool:
        return self.lake is not None

    def store_evidence(self, event_id: str, jpeg: bytes) -> str:
        """Stores the evidence crop of one event; returns its URI."""
        if self.lake is None:
            raise ValueError("no lake to store evidence in")
        return self.lake.put_artifact("evidence", f"{self.camera_id}/{event_id}.jpg", jpeg)

    def store_crop(self, sighting_id: str, jpeg: bytes) -> str:
        """Stores the best crop of one sighting; returns its URI."""
        if self.lake is None:
            raise ValueError("no lake to store crops in")
        return self.lake.put_artifact("sightings", f"{self.camera_id}/{sighting_id}.jpg", jpeg)

    def add_sighting(self, row: dict[str, Any]) -> None:
        """A tracked vehicle that left the view (written with the next flush)."""
        self.sightings.append(row | {"detected_at": dt.datetime.now(dt.UTC)})
        if len(self.sightings) >= self.batch_size:
            self.flush_sightings()

    def flush_sightings(self) -> None:
        if self.lake is not None and self.sightings:
            # a rerun of the same video rewrites the same sighting ids: idempotent
            self.lake.merge("silver.sightings", pl.DataFrame(self.sightings, infer_schema_length=None), update=True)
            self.written["sightings"] += len(self.sightings)
        self.sightings = []

    def add(self, row: dict[str, Any], ev: RuleEvent) -> None:
        now = dt.datetime.now(dt.UTC)
        self.raw.append({"raw_id": row["event_id"], "source": self.source, "camera_id": self.camera_id,
                         "record_id": row["event_id"], "batch_id": self.batch_id, "ingested_at": now,
                         "payload": json.dumps(row, default=str, ensure_ascii=False)})
        if ev.category == "count":
            minute = minute_floor(ev.start_at)
            self.counts[(minute, ev.rule_id.split(":")[0], ev.class_name, ev.direction)] += 1
        else:
            self.violations.append({k: row[k] for k in VIOLATION_COLS if k in row} | {"detected_at": now})
        if len(self.raw) >= self.batch_size or time.monotonic() - self._last_flush > self.max_delay_s:
            self.flush(closed_before=minute_floor(ev.start_at))

    def tick(self, at: dt.datetime) -> None:
        """Called every frame: on a quiet stream, buffered rows and closed minutes still go out in time."""
        if (self.raw or self.counts) and time.monotonic() - self._last_flush > self.max_delay_s:
            self.flush(closed_before=minute_floor(at))

    def flush(self, closed_before: dt.datetime | None = None) -> None:
        if self.lake is None:
            self.raw, self.violations, self.sightings = [], [], []
            return
        self.flush_sightings()
        if self.raw:
            self.lake.merge("bronze.camera_events_raw", pl.DataFrame(self.raw), update=False)
            self.written["camera_events_raw"] += len(self.raw)
            self.raw = []
        if self.violations:
            self.lake.merge("silver.violations", pl.DataFrame(self.violations, infer_schema_length=None),
                            update=False)
            self.written["violations"] += len(self.violations)
            self.violations = []
        keys = [k for k in self.counts if closed_before is None or k[0] < closed_before]
        if keys:
            now = dt.datetime.now(dt.UTC)
            df = pl.DataFrame([{"camera_id": self.camera_id, "minute": k[0], "line_id": k[1], "class_name": k[2],
                                "direction": k[3], "count": self.counts.pop(k), "source": self.source,
                                "updated_at": now} for k in keys])
            self.lake.merge("silver.traffic_counts", df, update=True)
            self.written["traffic_counts"] += len(keys)
        self._last_flush = time.monotonic()


def camera_rows(cams: list[CameraConfig], source: str = "config") -> pl.DataFrame:
    now = dt.datetime.now(dt.UTC)
    return pl.DataFrame([{
        "camera_id": c.id, "name": c.name, "location_name": c.location_name, "lat": c.lat, "lon": c.lon,
        "stream_uri": c.source, "model_name": c.model, "fps": c.fps,
        "zones_json": json.dumps([{"id": z.id, "polygon": z.polygon, "rule": z.rule.type} for z in c.zones]),
        "lines_json": json.dumps([{"id": ln.id, "points": ln.points, "direction": ln.direction,
                                   "rule": ln.rule.type} for ln in c.lines]),
        "enabled": c.enabled, "source": source, "updated_at": now} for c in cams])


def register_cameras(lake: Lake, cams: list[CameraConfig]) -> None:
    """The cameras as configured, into silver.cameras (upsert by camera id)."""
    if cams:
        lake.merge("silver.cameras", camera_rows(cams), update=True)


def record_failures(lake: Lake, results: list[RunResult]) -> int:
    """A row in silver.rejects, with the reason, for every run that failed or read its video only in part."""
    rejects = [Reject(source=f"camera:{r.camera_id}", target_table="bronze.camera_events_raw", reason=r.error,
                      payload={"camera_id": r.camera_id, "source": r.source, "status": r.status, "video": r.video},
                      record_ref=r.camera_id) for r in results if r.status != "ok"]
    if rejects:
        lake.merge("silver.rejects", rejects_frame(rejects), update=False)
    return len(rejects)
