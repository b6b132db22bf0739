"""A rule event → its lake row: the fine the schedule sets, and for a violation the vehicle's type and
colour, its plate and a JPEG evidence crop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import cv2
import numpy as np

from core.fines import fine_vnd, vehicle_kind
from detectors.model_cache import ModelCache
from detectors.models import Detector
from detectors.rules import RuleEvent


def event_row(camera_id: str, ev: RuleEvent, event_id: str, detector: Detector) -> dict[str, Any]:
    """The event as written: what the rule saw, the model that saw it, review pending."""
    x0, y0, x1, y1 = ev.box
    return {
        "event_id": event_id, "camera_id": camera_id, "rule_id": ev.rule_id, "rule": ev.rule,
        "violation_type": ev.event_type, "category": ev.category, "class_name": ev.class_name,
        "vehicle_type": None, "vehicle_color": None, "track_id": ev.track_id,
        "start_at": ev.start_at.astimezone(dt.UTC), "end_at": ev.end_at.astimezone(dt.UTC), "score": ev.score,
        "box_x0": x0, "box_y0": y0, "box_x1": x1, "box_y1": y1, "direction": ev.direction,
        "plate_text": None, "plate_raw": None, "plate_confidence": None, "plate_province": None,
        "evidence_uri": None, "model_name": detector.name, "model_version": detector.version,
        "fine_vnd": fine_vnd(ev.event_type, ev.class_name, ev.start_at), "source": "detector",
        "review_status": "pending", "reviewed_by": None, "reviewed_at": None, "review_note": None,
        "detail": ev.detail,
    }


def _box_in_frame(box: tuple[float, float, float, float], frame: np.ndarray) -> tuple[int, int, int, int]:
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = box
    return int(max(0, x0)), int(max(0, y0)), int(min(w, x1)), int(min(h, y1))


def describe_vehicle(row: dict[str, Any], ev: RuleEvent, frame: np.ndarray, models: ModelCache,
                     read_plates: bool) -> None:
    """Fills the vehicle's type, colour and plate into ``row``; a car's fine follows its recognised type."""
    kind = vehicle_kind(ev.class_name)
    bx0, by0, bx1, by1 = _box_in_frame(ev.box, frame)
    crop = frame[by0:by1, bx0:bx1]
    if kind == "car" and crop.size and min(crop.shape[:2]) >= 16:
        attrs = models.attributes()(crop)
        row["vehicle_type"], row["vehicle_color"] = attrs["type"], attrs["color"]
        if ev.class_name in ("vehicle", "car") and attrs["type_score"] >= 0.5:
            row["fine_vnd"] = fine_vnd(ev.event_type, attrs["type"], ev.start_at)
    elif kind == "motorbike":
        row["vehicle_type"] = "motorbike"
    if read_plates and kind in ("car", "motorbike"):
        plate = models.plates().read(frame, ev.box)
        if plate is not None and plate.text:
            row["plate_raw"], row["plate_confidence"] = plate.text, plate.confidence
            row["plate_text"] = plate.normalised
            row["plate_province"] = plate.vn.province if plate.vn else None


def evidence_jpeg(frame: np.ndarray, box: tuple[float, float, float, float]) -> bytes | None:
    """The box with a 15 % margin around it, outlined in red; None when it cannot be encoded."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = box
    bx0, by0, bx1, by1 = _box_in_frame(box, frame)
    mx, my = int(0.15 * (x1 - x0)), int(0.15 * (y1 - y0))
    left, top = max(0, bx0 - mx), max(0, by0 - my)
    crop = frame[top:min(h, by1 + my), left:min(w, bx1 + mx)].copy()
    cv2.rectangle(crop, (bx0 - left, by0 - top), (bx1 - left - 1, by1 - top - 1), (0, 0, 255), 2)
    ok, jpg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return jpg.tobytes() if ok else None
