"""One camera, end to end: decode → infer → track → rules → enrichment → writer; and several cameras at once.

``CameraPipeline(cam, lake, models).run()`` processes a camera's source and writes micro-batches through an
``EventWriter`` over the lake the caller gives (None: detect only). ``run_cameras`` runs several cameras;
one camera failing (a dead stream, a corrupt file) is reported in its result and in silver.rejects, and
the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import supervision as sv
from trackers import ByteTrackTracker

from detectors.config import CameraConfig, resolve_source
from detectors.decoders import Detections
from detectors.enrich import describe_vehicle, event_row, evidence_jpeg
from detectors.model_cache import ModelCache
from detectors.models import Detector
from detectors.results import RunResult, Timings
from detectors.rules import Rule, RuleEvent, TrackedFrame, build_rules
from detectors.sightings import ClosedTrack, Sightings, sighting_row
from detectors.video import Frame, VideoError, VideoSource, prefetch
from detectors.writer import EventWriter, record_failures, register_cameras
from lake import Lake

# what a run's result keeps of each event (the full row goes to the lake)
_EVENT_SUMMARY = ("event_id", "rule_id", "rule", "category", "class_name", "track_id", "direction", "score",
                  "plate_text", "evidence_uri")


def event_id(camera_id: str, ev: RuleEvent) -> str:
    key = f"{camera_id}|{ev.rule_id}|{ev.track_id}|{ev.direction}|{ev.start_at.isoformat()}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]


class CameraPipeline:
    def __init__(self, cam: CameraConfig, lake: Lake | None, models: ModelCache, *, source: str | None = None,
                 max_frames: int | None = None, base: Path | None = None, reconnect_attempts: int = 5,
                 backoff_s: float = 0.5, max_box_area: float = 0.5, evidence: bool = True, batch_size: int = 50,
                 progress: Callable[[int, float], None] | None = None, mode: str = "async",
                 sightings: bool = True) -> None:
        if mode not in ("async", "sync"):
            raise ValueError(f"mode must be async or sync, not {mode!r}")
        self.cam, self.lake, self.models = cam, lake, models
        self.source = source or cam.source
        self.max_frames = max_frames
        self.base = base
        self.reconnect_attempts, self.backoff_s = reconnect_attempts, backoff_s
        self.max_box_area = max_box_area
        self.evidence = evidence
        self.batch_size = batch_size
        self.progress = progress
        self.mode = mode  # async: decode thread + AsyncInferQueue; sync: one request, one frame at a time
        self.sightings = sightings  # every tracked vehicle into silver.sightings (vehicle tracing)
        self.timings = Timings()

    def _start_time(self, uri: str, stream: bool) -> dt.datetime:
        if self.cam.start_time is not None:
            return self.cam.start_time.astimezone(dt.UTC)
        if not stream and Path(uri).exists():  # stable across reruns of the same file
            return dt.datetime.fromtimestamp(int(Path(uri).stat().st_mtime), dt.UTC)
        return dt.datetime.now(dt.UTC)

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

    def _row(self, ev: RuleEvent, frame: np.ndarray, eid: str, detector: Detector,
             writer: EventWriter, tracks: Sightings) -> dict[str, Any]:
        row = event_row(self.cam.id, ev, eid, detector)
        if ev.category != "violation":
            return row
        describe_vehicle(row, ev, frame, self.models, self.cam.plates)
        if self.evidence and writer.keeps_evidence:
            jpeg = evidence_jpeg(frame, ev.box)
            if jpeg is not None:
                row["evidence_uri"] = writer.store_evidence(eid, jpeg)
            strip = tracks.strip(ev.track_id)  # the vehicle over its last frames, for the review page
            if strip is not None:
                row["evidence_strip_uri"] = writer.store_evidence(f"{eid}-strip", strip)
        return row

    def _sightings(self, closed: list[ClosedTrack], detector: Detector, writer: EventWriter,
                   res: RunResult) -> None:
        for tr in closed:
            row, jpeg = sighting_row(self.cam.id, tr, self.models, self.cam.plates, detector)
            if jpeg is not None and writer.keeps_evidence:
                row["crop_uri"] = writer.store_crop(row["sighting_id"], jpeg)
            writer.add_sighting(row)
            res.sightings.append({k: row[k] for k in ("sighting_id", "track_id", "class_name", "vehicle_type",
                                                      "vehicle_color", "plate_text", "crop_uri")}
                                 | {"first_seen": row["first_seen"], "last_seen": row["last_seen"]})

    def detections(self, video: VideoSource, detector: Detector) -> Iterator[tuple[Frame, Detections]]:
        if self.mode == "sync":
            return ((f, detector.detect(f.image)) for f in video)
        return detector.infer_many(prefetch(video), key=lambda f: f.image)

    def _tracker(self, video: VideoSource) -> ByteTrackTracker:
        eff_fps = min(self.cam.fps, video.source_fps) if self.cam.fps else video.source_fps
        return ByteTrackTracker(frame_rate=eff_fps, lost_track_buffer=30, track_activation_threshold=self.cam.conf,
                                high_conf_det_threshold=self.cam.conf, minimum_consecutive_frames=2,
                                minimum_iou_threshold=0.1)

    def _process(self, video: VideoSource, writer: EventWriter, res: RunResult, start: dt.datetime) -> None:
        """Every sampled frame: track, apply the rules, enrich and write the events."""
        detector = self.models.detector(self.cam)  # decodes from conf/2: ByteTrack's low-score stage
        tracker = self._tracker(video)
        wh = video.size or (0, 0)
        rules: list[Rule] | None = build_rules(self.cam, wh, self.base) if wh != (0, 0) else None
        prev: dict[int, np.ndarray] = {}  # last bottom-centre of each track: line crossings
        seen: dict[int, float] = {}
        tracks = Sightings()  # sightings (written when self.sightings) and each track's recent crops
        tm = self.timings
        t_mark = time.perf_counter()
        for frame, det in self.detections(video, detector):
            t0 = time.perf_counter()
            tm.decode_infer += t0 - t_mark
            img_wh = (frame.image.shape[1], frame.image.shape[0])
            if rules is None:  # a stream that reports no size: the first frame tells
                rules = build_rules(self.cam, img_wh, self.base)
            at = start + dt.timedelta(seconds=frame.t)
            tf = self._tracked(tracker, det, frame.t, at, img_wh)
            t1 = time.perf_counter()
            tm.track += t1 - t0
            events: list[RuleEvent] = []
            for rule in rules:
                events.extend(rule.update(tf, prev))
            for i, tid in enumerate(tf.track_ids):
                prev[int(tid)] = tf.anchors[i].astype(np.float64)
                seen[int(tid)] = frame.t
            for tid in [k for k, s in seen.items() if frame.t - s > 5.0]:
                prev.pop(tid, None)
                seen.pop(tid, None)
            t2 = time.perf_counter()
            tm.rules += t2 - t1
            closed = tracks.update(tf, frame.image)  # before the events: their strips end on this frame
            for ev in events:
                row = self._row(ev, frame.image, event_id(self.cam.id, ev), detector, writer, tracks)
                t3 = time.perf_counter()
                tm.enrich += t3 - t2
                writer.add(row, ev)
                t2 = time.perf_counter()
                tm.write += t2 - t3
                res.events.append({k: row[k] for k in _EVENT_SUMMARY}
                                  | {"event_type": ev.event_type, "t": round(ev.end_t, 2),
                                     "start_t": round(ev.start_t, 2)})
            if self.sightings:
                t4 = time.perf_counter()
                self._sightings(closed, detector, writer, res)
                tm.enrich += time.perf_counter() - t4
            writer.tick(at)
            res.frames += 1
            if self.progress is not None:
                self.progress(res.frames, frame.t)
            t_mark = time.perf_counter()
        if self.sightings:  # the vehicles still in view when the source ends
            self._sightings(tracks.close_all(), detector, writer, res)

    def run(self) -> RunResult:
        res = RunResult(self.cam.id, source=self.source)
        t_start = time.perf_counter()
        writer = None
        video = None
        try:
            uri = resolve_source(self.source, self.models.assets)
            video = VideoSource(uri, fps=self.cam.fps, max_frames=self.max_frames,
                                reconnect_attempts=self.reconnect_attempts, backoff_s=self.backoff_s)
            video.open()
            writer = EventWriter(self.lake, self.cam.id, batch_size=self.batch_size)
            self._process(video, writer, res, self._start_time(uri, video.stream))
            t_w = time.perf_counter()
            writer.flush()
            self.timings.write += time.perf_counter() - t_w
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


def run_cameras(cams: list[CameraConfig], lake: Lake | None, models: ModelCache, parallel: bool = False,
                **kw: Any) -> list[RunResult]:
    """Run each enabled camera (in turn, or each in its own thread with ``parallel`` — what live streams
    need); a failure stays in that camera's result (and in silver.rejects), the others continue. Results
    in config order."""
    if lake is not None:
        register_cameras(lake, cams)
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
            return RunResult(cam.id, status="error", error=f"{type(exc).__name__}: {exc}",
                             source=kw.get("source") or cam.source)

    if not parallel or len(enabled) < 2:
        results = [one(c) for c in enabled]
    else:
        with ThreadPoolExecutor(max_workers=len(enabled), thread_name_prefix="camera") as pool:
            results = list(pool.map(one, enabled))
    if lake is not None:
        record_failures(lake, results)
    return results
