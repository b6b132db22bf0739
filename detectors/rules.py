"""Zone and line rules over tracked objects.

A box is in a zone by its bottom-centre point (supervision ``PolygonZone`` with the BOTTOM_CENTER
anchor); a line is crossed when that point's path between two frames cuts the line segment. Each rule
emits at most one event per (rule, track) within its de-duplication window (``dedup_s``).

Rules: ``LineCountRule`` (counts by class and direction), ``WrongWayRule`` (crossing against the lawful
direction), ``StopLineRule`` (crossing while the signal is red: ``FixedTimePlan`` or ``PhaseFeed``),
``DwellRule`` (staying in a zone over T seconds: illegal parking/stopping), ``EncroachmentRule``
(presence in a sidewalk zone), ``CongestionRule`` (occupancy over a threshold for a window). Signal
phases for the stop line come from ``detectors.signals``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import supervision as sv

from detectors.config import DIRECTIONS, CameraConfig, LineConfig, RuleConfig, ZoneConfig
from detectors.signals import phase_source


@dataclass
class TrackedFrame:
    """What the rules see for one sampled frame."""

    t: float  # seconds since the source started
    at: dt.datetime  # wall-clock time of the frame (UTC)
    xyxy: np.ndarray  # [N,4] pixels
    confidence: np.ndarray
    class_names: list[str]
    track_ids: np.ndarray  # [N] int
    frame_wh: tuple[int, int]

    @property
    def anchors(self) -> np.ndarray:
        """Bottom-centre points [N,2] in pixels."""
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, self.xyxy[:, 3]], 1) if len(self.xyxy) \
            else np.zeros((0, 2), np.float32)


@dataclass
class RuleEvent:
    rule_id: str  # "<zone or line id>:<rule type>"
    rule: str  # rule type: count | wrong_way | stop_line | dwell | encroachment | congestion
    event_type: str  # line_count | wrong_way | red_light | illegal_parking | encroachment | congestion
    category: str  # count | violation | incident
    track_id: int
    class_name: str
    start_t: float
    end_t: float
    start_at: dt.datetime
    end_at: dt.datetime
    score: float
    box: tuple[float, float, float, float]  # pixels at the event frame
    direction: str = ""  # forward | reverse | sideways (lines)
    detail: dict[str, Any] = field(default_factory=dict)


class Rule(ABC):
    rule = ""
    event_type = ""
    category = "violation"

    def __init__(self, owner_id: str, cfg: RuleConfig) -> None:
        self.id = f"{owner_id}:{cfg.type}"
        self.cfg = cfg
        self.classes = set(cfg.classes)
        self.event_type = cfg.event_type or self.event_type
        self._last: dict[Any, float] = {}  # de-dup key → t of the last event

    def wanted(self, cls: str) -> bool:
        return not self.classes or cls in self.classes

    def _emit(self, key: Any, t: float) -> bool:
        last = self._last.get(key)
        if last is not None and t - last < self.cfg.dedup_s:
            return False
        self._last[key] = t
        return True

    def _event(self, f: TrackedFrame, i: int, start_t: float, start_at: dt.datetime, **kw: Any) -> RuleEvent:
        b = f.xyxy[i]
        return RuleEvent(self.id, self.rule, self.event_type, self.category, int(f.track_ids[i]),
                         f.class_names[i], start_t, f.t, start_at, f.at, float(f.confidence[i]),
                         (float(b[0]), float(b[1]), float(b[2]), float(b[3])), **kw)

    @abstractmethod
    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        """Events this frame produces (each rule decides what its geometry means)."""


class _LineRule(Rule):
    def __init__(self, line: LineConfig, frame_wh: tuple[int, int]) -> None:
        super().__init__(line.id, line.rule)
        w, h = frame_wh
        (ax, ay), (bx, by) = line.points
        self.a = np.array([ax * w, ay * h], np.float64)
        self.b = np.array([bx * w, by * h], np.float64)
        self.lawful = np.array(DIRECTIONS[line.direction], np.float64)

    def crossings(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[tuple[int, str]]:
        """(row index, forward|reverse|sideways) for tracks whose bottom-centre path crossed the segment."""
        out = []
        ab = self.b - self.a
        anchors = f.anchors
        for i, tid in enumerate(f.track_ids):
            p0 = prev.get(int(tid))
            if p0 is None:
                continue
            p1 = anchors[i].astype(np.float64)
            d0 = ab[0] * (p0[1] - self.a[1]) - ab[1] * (p0[0] - self.a[0])
            d1 = ab[0] * (p1[1] - self.a[1]) - ab[1] * (p1[0] - self.a[0])
            if (d0 >= 0) == (d1 >= 0):  # same side (a point on the line counts as the positive side)
                continue
            motion = p1 - p0
            e0 = motion[0] * (self.a[1] - p0[1]) - motion[1] * (self.a[0] - p0[0])
            e1 = motion[0] * (self.b[1] - p0[1]) - motion[1] * (self.b[0] - p0[0])
            if e0 * e1 > 0:  # the path passes beside the segment, not through it
                continue
            along = float(np.dot(motion, self.lawful))
            # a path at right angles to the lawful direction (a diagonal line crossed sideways) goes neither
            # way: no wrong-way or red-light event can rest on it, and a count records it as sideways
            out.append((i, "forward" if along > 0 else "reverse" if along < 0 else "sideways"))
        return out


class LineCountRule(_LineRule):
    rule, event_type, category = "count", "line_count", "count"

    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        out = []
        for i, direction in self.crossings(f, prev):
            if self.wanted(f.class_names[i]) and self._emit((int(f.track_ids[i]), direction), f.t):
                out.append(self._event(f, i, f.t, f.at, direction=direction))
        return out


class WrongWayRule(_LineRule):
    rule, event_type = "wrong_way", "wrong_way"

    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        out = []
        for i, direction in self.crossings(f, prev):
            if direction == "reverse" and self.wanted(f.class_names[i]) and self._emit(int(f.track_ids[i]), f.t):
                out.append(self._event(f, i, f.t, f.at, direction=direction))
        return out


class StopLineRule(_LineRule):
    rule, event_type = "stop_line", "red_light"

    def __init__(self, line: LineConfig, frame_wh: tuple[int, int], base: Path | None = None) -> None:
        super().__init__(line, frame_wh)
        self.signal = phase_source(line.rule.phase, base)

    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        out = []
        phase = self.signal.phase(f.at)
        if phase != "red":
            return out
        for i, direction in self.crossings(f, prev):
            if direction == "forward" and self.wanted(f.class_names[i]) and self._emit(int(f.track_ids[i]), f.t):
                out.append(self._event(f, i, f.t, f.at, direction=direction, detail={"phase": phase}))
        return out


class _ZoneRule(Rule):
    GRACE_S = 1.0  # a track unseen for this long has left the zone

    def __init__(self, zone: ZoneConfig, frame_wh: tuple[int, int]) -> None:
        super().__init__(zone.id, zone.rule)
        w, h = frame_wh
        poly = np.round(np.array(zone.polygon) * [w, h]).astype(np.int64)
        self.zone = sv.PolygonZone(poly, triggering_anchors=(sv.Position.BOTTOM_CENTER,))
        self.entered: dict[int, tuple[float, dt.datetime]] = {}
        self.last_seen: dict[int, float] = {}

    def inside(self, f: TrackedFrame) -> np.ndarray:
        if not len(f.xyxy):
            return np.zeros(0, bool)
        det = sv.Detections(xyxy=f.xyxy.astype(np.float32))
        mask = self.zone.trigger(det)
        return mask & np.array([self.wanted(c) for c in f.class_names], bool)

    def _presence(self, f: TrackedFrame) -> list[tuple[int, float, dt.datetime]]:
        """(row, entered_t, entered_at) for tracks in the zone now; forgets tracks gone > GRACE_S."""
        now = []
        for i in np.flatnonzero(self.inside(f)):
            tid = int(f.track_ids[i])
            last = self.last_seen.get(tid)
            if tid not in self.entered or (last is not None and f.t - last > self.GRACE_S):
                self.entered[tid] = (f.t, f.at)
            self.last_seen[tid] = f.t
            now.append((int(i), *self.entered[tid]))
        for tid in [t for t, s in self.last_seen.items() if f.t - s > self.GRACE_S]:
            self.last_seen.pop(tid, None)
            self.entered.pop(tid, None)
        return now


class _PresenceRule(_ZoneRule):
    """A track in the zone for ``seconds`` or more: one event per track within the de-dup window."""

    def detail(self, seconds_in_zone: float) -> dict[str, Any]:
        return {}

    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        out = []
        for i, t0, at0 in self._presence(f):
            if f.t - t0 >= self.cfg.seconds and self._emit(int(f.track_ids[i]), f.t):
                out.append(self._event(f, i, t0, at0, detail=self.detail(f.t - t0)))
        return out


class DwellRule(_PresenceRule):
    """Staying in the zone for ``seconds`` or more: illegal parking / stopping."""

    rule, event_type = "dwell", "illegal_parking"

    def detail(self, seconds_in_zone: float) -> dict[str, Any]:
        return {"dwell_s": round(seconds_in_zone, 2)}


class EncroachmentRule(_PresenceRule):
    """Presence in a sidewalk zone (for at least ``seconds``, default: seen in one frame)."""

    rule, event_type = "encroachment", "encroachment"


class CongestionRule(_ZoneRule):
    """Occupancy (tracked objects in the zone) at or over ``threshold`` for ``window_s`` seconds:
    one incident per de-dup window (track id -1)."""

    rule, event_type, category = "congestion", "congestion", "incident"

    def __init__(self, zone: ZoneConfig, frame_wh: tuple[int, int]) -> None:
        super().__init__(zone, frame_wh)
        self.since: tuple[float, dt.datetime] | None = None
        self.peak = 0

    def update(self, f: TrackedFrame, prev: dict[int, np.ndarray]) -> list[RuleEvent]:
        rows = np.flatnonzero(self.inside(f))
        n = len(rows)
        if n < self.cfg.threshold:
            self.since, self.peak = None, 0
            return []
        if self.since is None:
            self.since = (f.t, f.at)
        self.peak = max(self.peak, n)
        if f.t - self.since[0] < self.cfg.window_s or not self._emit(-1, f.t):
            return []
        x0, y0 = f.xyxy[rows, :2].min(0)
        x1, y1 = f.xyxy[rows, 2:].max(0)
        classes = sorted({f.class_names[i] for i in rows})
        return [RuleEvent(self.id, self.rule, self.event_type, self.category, -1, ",".join(classes),
                          self.since[0], f.t, self.since[1], f.at, float(f.confidence[rows].mean()),
                          (float(x0), float(y0), float(x1), float(y1)),
                          detail={"occupancy": n, "peak": self.peak, "threshold": self.cfg.threshold})]


def build_rules(cam: CameraConfig, frame_wh: tuple[int, int], base: Path | None = None) -> list[Rule]:
    rules: list[Rule] = []
    for z in cam.zones:
        cls = {"dwell": DwellRule, "encroachment": EncroachmentRule, "congestion": CongestionRule}.get(z.rule.type)
        if cls is None:
            raise ValueError(f"camera '{cam.id}': zone {z.id}: rule {z.rule.type!r} is not a zone rule")
        rules.append(cls(z, frame_wh))
    for ln in cam.lines:
        if ln.rule.type == "count":
            rules.append(LineCountRule(ln, frame_wh))
        elif ln.rule.type == "wrong_way":
            rules.append(WrongWayRule(ln, frame_wh))
        elif ln.rule.type == "stop_line":
            rules.append(StopLineRule(ln, frame_wh, base))
        else:
            raise ValueError(f"camera '{cam.id}': line {ln.id}: rule {ln.rule.type!r} is not a line rule")
    return rules
