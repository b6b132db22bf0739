"""One camera, end to end: decode → infer → track → rules → plates/attributes/evidence → lake.

``CameraPipeline(cam, lake).run()`` processes a camera's source and writes micro-batches:
``bronze.camera_events_raw`` (every event), ``silver.violations`` (violations and incidents, insert-only so
a review is never overwritten), ``silver.traffic_counts`` (per minute, line, class, direction; closed
minutes are flushed as the video goes on). ``run_cameras`` runs several cameras; one camera failing (a
dead stream, a corrupt file) is reported in its result and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import polars as pl
import supervision as sv
from trackers import ByteTrackTracker

from detectors.config import CameraConfig, resolve_source
from detectors.fines import fine_vnd, vehicle_kind
from detectors.models import Detections, Detector, VehicleAttributes
from detectors.rules import Rule, RuleEvent, TrackedFrame, build_rules
from detectors.video import VideoError, VideoSource

UTC = dt.UTC


def event_id(camera_id: str, ev: RuleEvent) -> str:
    key = f"{camera_id}|{ev.rule_id}|{ev.track_id}|{ev.direction}|{ev.start_at.isoformat()}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


@dataclass
class Timings:
    """Seconds spent per stage (the asynchronous decode+infer overlap is counted as 'decode_infer')."""

    decode_infer: float = 0.0
    track: float = 0.0
    rules: float = 0.0
    enrich: float = 0.0
    write: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


@dataclass
class RunResult:
    camera_id: str
    status: str = "ok"  # ok | partial (corrupt/missing frames) | error
    error: str = ""
    frames: int = 0
    seconds: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)
    video: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    def count(self, event_type: str, **match: Any) -> int:
        return sum(1 for e in self.events if e["event_type"] == event_type
                   and all(e.get(k) == v for k, v in match.items()))

    def summary(self) -> str:
        by: dict[str, int] = defaultdict(int)
        for e in self.events:
            by[e["event_type"] + (f"/{e['direction']}" if e["event_type"] == "line_count" else "")] += 1
        parts = ", ".join(f"{k}={v}" for k, v in sorted(by.items())) or "no events"
        head = f"{self.camera_id}: {self.status}"
        if self.error:
            head += f" ({self.error})"
        return f"{head}; {self.frames} frames in {self.seconds:.1f}s ({self.fps:.1f} fps); {parts}; video {self.video}"


class EventWriter:
    """Micro-batches events into the lake. Counts are summed per minute and a minute is written once
    it is closed (or at the end); reruns rewrite the same keys (idempotent)."""

    def __init__(self, lake: Any, camera_id: str, source: str = "detector", batch_size: int = 50,
                 max_delay_s: float = 10.0) -> None:
        self.lake, self.camera_id, self.source = lake, camera_id, source
        self.batch_id = f"{camera_id}-{uuid.uuid4().hex[:12]}"
        self.batch_size, self.max_delay_s = batch_size, max_delay_s
        self.raw: list[dict[str, Any]] = []
        self.violations: list[dict[str, Any]] = []
        self.counts: dict[tuple[dt.datetime, str, str, str], int] = defaultdict(int)
        self.written = {"camera_events_raw": 0, "violations": 0, "traffic_counts": 0}
        self._last_flush = time.monotonic()

    def add(self, row: dict[str, Any], ev: RuleEvent) -> None:
        now = dt.datetime.now(UTC)
        self.raw.append({"raw_id": row["event_id"], "source": self.source, "camera_id": self.camera_id,
                         "record_id": row["event_id"], "batch_id": self.batch_id, "ingested_at": now,
                         "payload": json.dumps(row, default=str, ensure_ascii=False)})
        if ev.category == "count":
            minute = ev.start_at.astimezone(UTC).replace(second=0, microsecond=0)
            self.counts[(minute, ev.rule_id.split(":")[0], ev.class_name, ev.direction)] += 1
        else:
            self.violations.append({k: row[k] for k in _VIOLATION_COLS if k in row} | {"detected_at": now})
        if len(self.raw) >= self.batch_size or time.monotonic() - self._last_flush > self.max_delay_s:
            self.flush(closed_before=minute_floor(ev.start_at))

    def tick(self, at: dt.datetime) -> None:
        """Called every frame: on a quiet stream, buffered rows and closed minutes still go out in time."""
        if (self.raw or self.counts) and time.monotonic() - self._last_flush > self.max_delay_s:
            self.flush(closed_before=minute_floor(at))

    def flush(self, closed_before: dt.datetime | None = None) -> None:
        if self.lake is None:
            self.raw, self.violations = [], []
            return
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
            now = dt.datetime.now(UTC)
            df = pl.DataFrame([{"camera_id": self.camera_id, "minute": k[0], "line_id": k[1], "class_name": k[2],
                                "direction": k[3], "count": self.counts.pop(k), "source": self.source,
                                "updated_at": now} for k in keys])
            self.lake.merge("silver.traffic_counts", df, update=True)
            self.written["traffic_counts"] += len(keys)
        self._last_flush = time.monotonic()


_VIOLATION_COLS = (
    "event_id", "camera_id", "rule_id", "rule", "violation_type", "category", "class_name", "vehicle_type",
    "vehicle_color", "track_id", "start_at", "end_at", "score", "box_x0", "box_y0", "box_x1", "box_y1",
    "plate_text", "plate_raw", "plate_confidence", "plate_province", "evidence_uri", "model_name",
    "model_version", "fine_vnd", "source", "review_status", "reviewed_by", "reviewed_at", "review_note",
)


def minute_floor(at: dt.datetime) -> dt.datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


class Models:
    """The compiled models a run needs, shared between cameras (compile once)."""

    def __init__(self, inference_precision: str | None = None, device: str = "CPU", plates: bool = True,
                 hint: str = "THROUGHPUT") -> None:
        self.inference_precision, self.device, self.hint = inference_precision, device, hint
        self._detectors: dict[tuple[str, str | None, float], Detector] = {}
        self._plates: Any = None
        self._attributes: VehicleAttributes | None = None
        self.want_plates = plates

    def detector(self, cam: CameraConfig) -> Detector:
        key = (cam.model, cam.precision, cam.conf)
        if key not in self._detectors:
            # ByteTrack's second stage wants the low-confidence boxes too: decode from conf/2 up
            self._detectors[key] = Detector(cam.model, cam.precision, cam.device, conf=cam.conf / 2,
                                            inference_precision=self.inference_precision, hint=self.hint)
        return self._detectors[key]

    def plates(self) -> Any:
        if self._plates is None and self.want_plates:
            from detectors.plates import PlateReader

            self._plates = PlateReader(self.device, self.inference_precision)
        return self._plates

    def attributes(self) -> VehicleAttributes:
        if self._attributes is None:
            self._attributes = VehicleAttributes(self.device, self.inference_precision)
        return self._attributes


class CameraPipeline:
    def __init__(self, cam: CameraConfig, lake: Any = None, models: Models | None = None,
                 source: str | None = None, max_frames: int | None = None, base: Path | None = None,
                 reconnect_attempts: int = 5, backoff_s: float = 0.5, max_box_area: float = 0.5,
                 evidence: bool = True, batch_size: int = 50,
                 progress: Callable[[int, float], None] | None = None, mode: str = "async") -> None:
        self.cam = cam
        self.lake = lake
        self.models = models or Models()
        self.source = source or cam.source
        self.max_frames = max_frames
        self.base = base
        self.reconnect_attempts, self.backoff_s = reconnect_attempts, backoff_s
        self.max_box_area = max_box_area
        self.evidence = evidence and lake is not None
        self.batch_size = batch_size
        self.progress = progress
        if mode not in ("async", "sync"):
            raise ValueError(f"mode must be async or sync, not {mode!r}")
        self.mode = mode  # async: decode thread + AsyncInferQueue; sync: one request, one frame at a time
        self.timings = Timings()

    def _start_time(self, uri: str, stream: bool) -> dt.datetime:
        if self.cam.start_time is not None:
            return self.cam.start_time.astimezone(UTC)
        if not stream and Path(uri).exists():  # stable across reruns of the same file
            return dt.datetime.fromtimestamp(int(Path(uri).stat().st_mtime), UTC)
        return dt.datetime.now(UTC)

    def _tracked(self, tracker: ByteTrackTracker, det: Detections, t: float, at: dt.datetime,
                 wh: tuple[int, int]) -> TrackedFrame:
        if len(det):
            area = (det.xyxy[:, 2] - det.xyxy[:, 0]) * (det.xyxy[:, 3] - det.xyxy[:, 1])
            det = det.filter(area <= self.max_box_area * wh[0] * wh[1])
        sv_det = sv.Detections(xyxy=det.xyxy, confidence=det.confidence, class_id=det.class_id)
        out = tracker.update(sv_det, timestamp=t)
        keep = out.tracker_id >= 0 if len(out) else np.zeros(0, bool)
        out = out[keep]
        names = [det.labels.get(int(c), str(int(c))) for c in out.class_id]
        return TrackedFrame(t, at, out.xyxy.astype(np.float32), out.confidence.astype(np.float32)
                            if out.confidence is not None else np.ones(len(out), np.float32),
                            names, out.tracker_id.astype(np.int64), wh)

    def _enrich(self, ev: RuleEvent, frame: np.ndarray, eid: str, detector: Detector) -> dict[str, Any]:
        x0, y0, x1, y1 = ev.box
        row: dict[str, Any] = {
            "event_id": eid, "camera_id": self.cam.id, "rule_id": ev.rule_id, "rule": ev.rule,
            "violation_type": ev.event_type, "category": ev.category, "class_name": ev.class_name,
            "vehicle_type": None, "vehicle_color": None, "track_id": ev.track_id,
            "start_at": ev.start_at.astimezone(UTC), "end_at": ev.end_at.astimezone(UTC), "score": ev.score,
            "box_x0": x0, "box_y0": y0, "box_x1": x1, "box_y1": y1, "direction": ev.direction,
            "plate_text": None, "plate_raw": None, "plate_confidence": None, "plate_province": None,
            "evidence_uri": None, "model_name": detector.name, "model_version": detector.version,
            "fine_vnd": fine_vnd(ev.event_type, ev.class_name), "source": "detector",
            "review_status": "pending", "reviewed_by": None, "reviewed_at": None, "review_note": None,
            "detail": ev.detail,
        }
        if ev.category != "violation":
            return row
        h, w = frame.shape[:2]
        bx0, by0, bx1, by1 = int(max(0, x0)), int(max(0, y0)), int(min(w, x1)), int(min(h, y1))
        crop = frame[by0:by1, bx0:bx1]
        if vehicle_kind(ev.class_name) == "car" and crop.size and min(crop.shape[:2]) >= 16:
            attrs = self.models.attributes()(crop)
            row["vehicle_type"], row["vehicle_color"] = attrs["type"], attrs["color"]
            if ev.class_name in ("vehicle", "car") and attrs["type_score"] >= 0.5:
                row["fine_vnd"] = fine_vnd(ev.event_type, attrs["type"])
        elif vehicle_kind(ev.class_name) == "motorbike":
            row["vehicle_type"] = "motorbike"
        if self.cam.plates and vehicle_kind(ev.class_name) in ("car", "motorbike"):
            reader = self.models.plates()
            plate = reader.read(frame, ev.box) if reader is not None else None
            if plate is not None and plate.text:
                row["plate_raw"], row["plate_confidence"] = plate.text, plate.confidence
                row["plate_text"] = plate.normalised
                row["plate_province"] = plate.vn.province if plate.vn else None
        if self.evidence:
            mx, my = int(0.15 * (x1 - x0)), int(0.15 * (y1 - y0))
            ev_crop = frame[max(0, by0 - my):min(h, by1 + my), max(0, bx0 - mx):min(w, bx1 + mx)].copy()
            cv2.rectangle(ev_crop, (bx0 - max(0, bx0 - mx), by0 - max(0, by0 - my)),
                          (bx1 - max(0, bx0 - mx) - 1, by1 - max(0, by0 - my) - 1), (0, 0, 255), 2)
            ok, jpg = cv2.imencode(".jpg", ev_crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
            if ok:
                row["evidence_uri"] = self.lake.put_artifact("evidence", f"{self.cam.id}/{eid}.jpg", jpg.tobytes())
        return row

    def detections(self, video: VideoSource, detector: Detector) -> Iterator[tuple[Any, Detections]]:
        if self.mode == "sync":
            return ((f, detector.detect(f.image)) for f in video)
        return detector.infer_many(prefetch(video), key=lambda f: f.image)

    def run(self) -> RunResult:
        res = RunResult(self.cam.id)
        t_start = time.perf_counter()
        writer = None
        video = None
        try:
            uri = resolve_source(self.source)
            video = VideoSource(uri, fps=self.cam.fps, max_frames=self.max_frames,
                                reconnect_attempts=self.reconnect_attempts, backoff_s=self.backoff_s)
            video.open()
            detector = self.models.detector(self.cam)  # decodes from conf/2: ByteTrack's low-score stage
            wh = video.size or (0, 0)
            start = self._start_time(uri, video.stream)
            eff_fps = min(self.cam.fps, video.source_fps) if self.cam.fps else video.source_fps
            tracker = ByteTrackTracker(frame_rate=eff_fps, lost_track_buffer=30,
                                       track_activation_threshold=self.cam.conf,
                                       high_conf_det_threshold=self.cam.conf, minimum_consecutive_frames=2,
                                       minimum_iou_threshold=0.1)
            rules: list[Rule] | None = build_rules(self.cam, wh, self.base) if wh != (0, 0) else None
            writer = EventWriter(self.lake, self.cam.id, batch_size=self.batch_size)
            prev: dict[int, np.ndarray] = {}
            seen: dict[int, float] = {}
            tm = self.timings
            t_mark = time.perf_counter()
            for frame, det in self.detections(video, detector):
                t0 = time.perf_counter()
                tm.decode_infer += t0 - t_mark
                img_wh = (frame.image.shape[1], frame.image.shape[0])
                if rules is None:
                    wh, rules = img_wh, build_rules(self.cam, img_wh, self.base)
                at = start + dt.timedelta(seconds=frame.t)
                tf = self._tracked(tracker, det, frame.t, at, img_wh)
                t1 = time.perf_counter()
                tm.track += t1 - t0
                events: list[RuleEvent] = []
                for rule in rules:
                    events.extend(rule.update(tf, prev))
                anchors = tf.anchors
                for i, tid in enumerate(tf.track_ids):
                    prev[int(tid)] = anchors[i].astype(np.float64)
                    seen[int(tid)] = frame.t
                for tid in [k for k, s in seen.items() if frame.t - s > 5.0]:
                    prev.pop(tid, None)
                    seen.pop(tid, None)
                t2 = time.perf_counter()
                tm.rules += t2 - t1
                for ev in events:
                    eid = event_id(self.cam.id, ev)
                    row = self._enrich(ev, frame.image, eid, detector)
                    t3 = time.perf_counter()
                    tm.enrich += t3 - t2
                    writer.add(row, ev)
                    t2 = time.perf_counter()
                    tm.write += t2 - t3
                    res.events.append({k: row[k] for k in ("event_id", "rule_id", "rule", "category", "class_name",
                                                           "track_id", "direction", "score", "plate_text",
                                                           "evidence_uri")}
                                      | {"event_type": ev.event_type, "t": round(ev.end_t, 2),
                                         "start_t": round(ev.start_t, 2)})
                writer.tick(at)
                res.frames += 1
                if self.progress is not None:
                    self.progress(res.frames, frame.t)
                t_mark = time.perf_counter()
            t_w = time.perf_counter()
            writer.flush()
            tm.write += time.perf_counter() - t_w
            if video.stats.corrupt or video.stats.missing:
                res.status = "partial"
                res.error = (f"video hỏng một phần / {video.stats.corrupt} corrupt and {video.stats.missing} "
                             "missing frames (truncated or damaged file)")
        except (VideoError, FileNotFoundError, OSError) as exc:
            res.status, res.error = "error", str(exc)
            if writer is not None:
                try:
                    writer.flush()
                except Exception as wexc:  # noqa: BLE001 - report both, never hide the first
                    res.error += f"; flushing events also failed: {wexc}"
        res.seconds = time.perf_counter() - t_start
        res.video = video.stats.as_dict() if video is not None else {}
        res.timings = self.timings.as_dict()
        res.written = dict(writer.written) if writer is not None else {}
        return res


def prefetch(items: Iterable[Any], depth: int = 8) -> Iterator[Any]:
    """Iterate ``items`` in a background thread (video decoding releases the GIL), ``depth`` ahead.
    Exceptions raised by the producer are re-raised here."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(_Raised(exc))

    th = threading.Thread(target=produce, name="video-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        th.join(timeout=5)


@dataclass
class _Raised:
    exc: BaseException


def camera_rows(cams: list[CameraConfig], source: str = "config") -> pl.DataFrame:
    now = dt.datetime.now(UTC)
    return pl.DataFrame([{
        "camera_id": c.id, "name": c.name, "location_name": c.location_name, "lat": c.lat, "lon": c.lon,
        "stream_uri": c.source, "model_name": c.model, "fps": c.fps,
        "zones_json": json.dumps([{"id": z.id, "polygon": z.polygon, "rule": z.rule.type} for z in c.zones]),
        "lines_json": json.dumps([{"id": ln.id, "points": ln.points, "direction": ln.direction,
                                   "rule": ln.rule.type} for ln in c.lines]),
        "enabled": c.enabled, "source": source, "updated_at": now} for c in cams])


def run_cameras(cams: list[CameraConfig], lake: Any = None, models: Models | None = None,
                parallel: bool = False, **kw: Any) -> list[RunResult]:
    """Run each enabled camera (in turn, or each in its own thread with ``parallel`` — what live streams
    need); a failure stays in that camera's result, the others continue. Results in config order."""
    models = models or Models()
    if lake is not None and cams:
        lake.merge("silver.cameras", camera_rows(cams), update=True)
    enabled = [c for c in cams if c.enabled]
    for cam in enabled:  # compile each detector once, before any thread starts
        try:
            models.detector(cam)
        except Exception:  # noqa: BLE001 - reported by that camera's run below
            pass

    def one(cam: CameraConfig) -> RunResult:
        try:
            return CameraPipeline(cam, lake, models, **kw).run()
        except Exception as exc:  # noqa: BLE001 - one camera's bug must not stop the others
            return RunResult(cam.id, status="error", error=f"{type(exc).__name__}: {exc}")

    if not parallel or len(enabled) < 2:
        return [one(c) for c in enabled]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(enabled), thread_name_prefix="camera") as pool:
        return list(pool.map(one, enabled))


def review_violation(lake: Any, event_id_: str, status: str, reviewer: str, note: str = "") -> None:
    """An officer confirms or dismisses a violation: only the review columns change."""
    if status not in ("pending", "confirmed", "dismissed"):
        raise ValueError(f"review status must be pending, confirmed or dismissed, not {status!r}")
    cur = lake.sql("select * from silver.violations where event_id = $id", {"id": event_id_})
    if cur.height == 0:
        raise ValueError(f"no violation {event_id_!r}")
    row = cur.with_columns(pl.lit(status).alias("review_status"), pl.lit(reviewer).alias("reviewed_by"),
                           pl.lit(dt.datetime.now(UTC)).alias("reviewed_at"), pl.lit(note).alias("review_note"))
    lake.merge("silver.violations", row, update=True)
