"""Frigate's ``frigate/events`` messages → our violations and count contributions.

A message (Frigate ≥ 0.12): ``{"type": "new"|"update"|"end", "before": {...}, "after": {...}}``; ``after`` is
the tracked object now: ``id`` ("1607123955.475377-mxklsc"), ``camera``, ``label``, ``score``, ``top_score``,
``box`` [x0, y0, x1, y1] in pixels of the detect stream, ``start_time``/``frame_time``/``end_time`` (epoch
seconds), ``current_zones`` (zones it is in now) and ``entered_zones`` (every zone it entered), ``false_positive``.

Mapping onto our camera's zone rules (by zone name): an object in a zone whose rule is ``encroachment`` that has
been tracked for at least the rule's seconds is an encroachment; an object that is in a ``dwell`` zone now and
has been tracked for at least the rule's seconds is a dwell violation. Frigate gives the object's tracking
time, not its time inside the zone, so the dwell is measured from the object's start. Zone-occupancy rules
(``congestion``) need every object at once and are not derived from single events. One violation per
(camera, rule, Frigate object id). Counts: every object once (line "*") and once per zone it entered, in the
minute it was first seen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from core.fines import fine_vnd, vehicle_kind
from pipelines.disasters.common import stable_id
from pipelines.live.zones import CameraZones

TYPES = ("new", "update", "end")
# Frigate labels (COCO) → the classes of our detector's models, when the camera's model does not know the label.
CLASSES = {"car": "vehicle", "truck": "vehicle", "bus": "vehicle", "motorcycle": "bike", "bicycle": "bike",
           "person": "person"}
ALL_OBJECTS = "*"  # the count "line" of every object seen


class BadMessage(ValueError):
    """A message that cannot be used; the text is the reject reason."""


@dataclass(frozen=True)
class FrigateObject:
    type: str
    id: str
    camera: str
    label: str
    score: float
    top_score: float
    box: tuple[float, float, float, float]
    start: dt.datetime
    frame: dt.datetime
    end: dt.datetime | None
    current_zones: tuple[str, ...]
    entered_zones: tuple[str, ...]
    false_positive: bool

    @property
    def tracked_s(self) -> float:
        return ((self.end or self.frame) - self.start).total_seconds()


def _epoch(obj: dict[str, Any], name: str, required: bool = True) -> dt.datetime | None:
    v = obj.get(name)
    if v is None and not required:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise BadMessage(f"after.{name}: expected epoch seconds, got {v!r}")
    return dt.datetime.fromtimestamp(float(v), dt.UTC)


def _zones(obj: dict[str, Any], name: str) -> tuple[str, ...]:
    v = obj.get(name) or []
    if not isinstance(v, list) or not all(isinstance(z, str) for z in v):
        raise BadMessage(f"after.{name}: expected a list of zone names, got {v!r}")
    return tuple(v)


def parse(payload: bytes) -> FrigateObject:
    """The object of a Frigate event message, or :class:`BadMessage` naming what is wrong."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadMessage("not a Frigate event: expected a JSON object")
    kind = doc.get("type")
    if kind not in TYPES:
        raise BadMessage(f"type: expected one of {list(TYPES)}, got {kind!r}")
    after = doc.get("after")
    if not isinstance(after, dict):
        raise BadMessage("after: missing or not an object")
    for name in ("id", "camera", "label"):
        if not isinstance(after.get(name), str) or not after[name]:
            raise BadMessage(f"after.{name}: missing or not text")
    box = after.get("box")
    if not isinstance(box, list) or len(box) != 4 or not all(
            isinstance(b, int | float) and not isinstance(b, bool) for b in box):
        raise BadMessage(f"after.box: expected [x0, y0, x1, y1], got {box!r}")
    start = _epoch(after, "start_time")
    assert start is not None
    score = after.get("score", after.get("top_score", 0.0))
    top = after.get("top_score", score)
    if not isinstance(score, int | float) or not isinstance(top, int | float):
        raise BadMessage("after.score/top_score: expected numbers")
    return FrigateObject(
        type=kind, id=after["id"], camera=after["camera"], label=after["label"], score=float(score),
        top_score=float(top), box=(float(box[0]), float(box[1]), float(box[2]), float(box[3])),
        start=start, frame=_epoch(after, "frame_time", required=False) or start,
        end=_epoch(after, "end_time", required=False), current_zones=_zones(after, "current_zones"),
        entered_zones=_zones(after, "entered_zones"), false_positive=bool(after.get("false_positive", False)))


def our_class(label: str, labels: tuple[str, ...]) -> str:
    return label if label in labels else CLASSES.get(label, label)


def violations(obj: FrigateObject, cam: CameraZones, detected_at: dt.datetime) -> list[dict[str, Any]]:
    """silver.violations rows this object's state calls for under the camera's zone rules."""
    if obj.false_positive:
        return []
    cls = our_class(obj.label, cam.labels)
    out = []
    for z in cam.zones:
        if z.classes and cls not in z.classes:
            continue
        if z.rule == "encroachment":
            hit = z.zone_id in obj.entered_zones and obj.tracked_s >= z.seconds
        elif z.rule == "dwell":
            hit = z.zone_id in obj.current_zones and obj.tracked_s >= z.seconds
        else:
            hit = False
        if not hit:
            continue
        kind = vehicle_kind(obj.label)
        x0, y0, x1, y1 = obj.box
        out.append({
            "event_id": stable_id(cam.camera_id, z.rule_id, obj.id), "camera_id": cam.camera_id,
            "rule_id": z.rule_id, "rule": z.rule, "violation_type": z.violation_type, "category": "violation",
            "class_name": cls, "vehicle_type": kind if kind != "other" else None, "track_id": None,
            "start_at": obj.start, "end_at": obj.end or obj.frame, "score": obj.top_score,
            "box_x0": x0, "box_y0": y0, "box_x1": x1, "box_y1": y1, "model_name": "frigate",
            "fine_vnd": fine_vnd(z.violation_type, obj.label, obj.start), "source": "frigate", "detected_at": detected_at,
            "review_status": "pending",
        })
    return out


def contributions(obj: FrigateObject, cam: CameraZones) -> list[tuple[str, str, str]]:
    """(line id, class, contribution id) this object adds to the counts of its start minute."""
    if obj.false_positive:
        return []
    cls = our_class(obj.label, cam.labels)
    lines = [ALL_OBJECTS, *sorted(set(obj.entered_zones))]
    return [(line, cls, f"{obj.id}|{line}") for line in lines]
