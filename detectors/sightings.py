"""Every tracked vehicle as a sighting: camera, first and last seen, class, type, colour, plate, best crop.

``Sightings.update`` is called with each tracked frame; it keeps, per track, the times, the classes seen and
the largest crop so far. A track unseen for ``gap_s`` seconds (or every track at the end of the run) is
closed: its best crop gives the colour (``dominant_colour``: OpenCV, HSV), the type (the attributes model for
cars, ``motorbike`` for two-wheelers) and the plate (the plate reader, when the camera reads plates). People
are not sightings: tracing is about vehicles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from core.fines import vehicle_kind
from detectors.model_cache import ModelCache
from detectors.models import Detector
from detectors.rules import TrackedFrame

# colour names, the attributes model's vocabulary plus orange and purple
COLOURS = ("white", "gray", "black", "red", "orange", "yellow", "green", "blue", "purple")
# hue bins of OpenCV's 0..179 hue: (upper bound exclusive, name); red wraps around 180
_HUES = ((8, "red"), (22, "orange"), (35, "yellow"), (85, "green"), (130, "blue"), (160, "purple"), (180, "red"))
MIN_CHROMA_SHARE = 0.25  # a car is "red" when at least this share of its body is saturated red
MIN_WHITE_SHARE = 0.35  # and white when this share of its body is bright and colourless


def _hue_name(h: np.ndarray) -> np.ndarray:
    bounds = np.array([b for b, _ in _HUES])
    names = np.array([n for _, n in _HUES])
    return names[np.searchsorted(bounds, h, side="right")]


def dominant_colour(crop: np.ndarray) -> tuple[str | None, float]:
    """The dominant colour of a BGR vehicle crop, from its central part (the body, not the road around it),
    in HSV. Saturated pixels (S ≥ 80, V ≥ 70) are named by hue; bright, colourless ones (V ≥ 190, S < 10)
    are white; dark ones (V < 50) black; the other unsaturated ones gray (silver paint has a slight
    tint and reflects the road). The vehicle is coloured when its saturated pixels are at least
    ``MIN_CHROMA_SHARE`` of the body (windows, tyres and shadows are not): the most frequent hue; else white
    when white pixels are at least ``MIN_WHITE_SHARE`` of it; else the more frequent of gray and black.
    Returns (colour, share of the body's pixels of that colour); (None, 0) for an empty crop."""
    if crop is None or crop.size == 0 or min(crop.shape[:2]) < 4:
        return None, 0.0
    h, w = crop.shape[:2]
    body = crop[int(0.2 * h):max(int(0.8 * h), int(0.2 * h) + 1), int(0.2 * w):max(int(0.8 * w), int(0.2 * w) + 1)]
    hsv = cv2.cvtColor(body, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    n = len(hsv)
    dark = val < 50
    chroma = ~dark & (sat >= 80) & (val >= 70)
    if chroma.sum() >= MIN_CHROMA_SHARE * n:
        names, counts = np.unique(_hue_name(hue[chroma]), return_counts=True)
        best = int(np.argmax(counts))
        return str(names[best]), float(counts[best] / n)
    white = (val >= 190) & (sat < 10)
    if white.sum() >= MIN_WHITE_SHARE * n:
        return "white", float(white.sum() / n)
    gray, black = int((~dark & ~chroma & ~white).sum()), int(dark.sum())
    return ("gray", gray / n) if gray >= black else ("black", black / n)


def sighting_id(camera_id: str, track_id: int, first_seen: dt.datetime) -> str:
    return hashlib.sha1(f"{camera_id}|{track_id}|{first_seen.isoformat()}".encode()).hexdigest()[:20]


@dataclass
class _Track:
    track_id: int
    first_t: float
    first_at: dt.datetime
    last_t: float = 0.0
    last_at: dt.datetime | None = None
    frames: int = 0
    classes: Counter[str] = field(default_factory=Counter)
    score: float = 0.0
    best_area: float = -1.0
    crop: np.ndarray | None = None  # the best box with a margin
    box_in_crop: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


@dataclass
class ClosedTrack:
    """A track that ended, ready to be described and written."""

    track: _Track

    @property
    def track_id(self) -> int:
        return self.track.track_id


STRIP_FRAMES = 5  # frames in a violation's strip
STRIP_HEIGHT = 120  # px of each frame in the strip


class Sightings:
    """Follows the vehicle tracks of one camera run and closes them when they leave; keeps each track's recent
    crops, for the strip of frames of a violation."""

    def __init__(self, gap_s: float = 5.0, margin: float = 0.15, keep_frames: int = 12) -> None:
        self.gap_s, self.margin = gap_s, margin
        self.open: dict[int, _Track] = {}
        self.keep_frames = keep_frames
        self.recent: dict[int, deque[tuple[float, np.ndarray]]] = {}

    def _remember(self, tid: int, t: float, image: np.ndarray, box: tuple[float, float, float, float]) -> None:
        h, w = image.shape[:2]
        x0, y0, x1, y1 = box
        mx, my = 0.3 * (x1 - x0), 0.3 * (y1 - y0)
        cx0, cy0, cx1, cy1 = int(max(0, x0 - mx)), int(max(0, y0 - my)), int(min(w, x1 + mx)), int(min(h, y1 + my))
        crop = image[cy0:cy1, cx0:cx1]
        if crop.size == 0:
            return
        crop = cv2.resize(crop, (max(1, int(crop.shape[1] * STRIP_HEIGHT / crop.shape[0])), STRIP_HEIGHT))
        cv2.rectangle(crop, (int((x0 - cx0) * STRIP_HEIGHT / (cy1 - cy0)), int((y0 - cy0) * STRIP_HEIGHT / (cy1 - cy0))),
                      (int((x1 - cx0) * STRIP_HEIGHT / (cy1 - cy0)) - 1, int((y1 - cy0) * STRIP_HEIGHT / (cy1 - cy0)) - 1),
                      (0, 0, 255), 2)
        self.recent.setdefault(tid, deque(maxlen=self.keep_frames)).append((t, crop))

    def strip(self, track_id: int, frames: int = STRIP_FRAMES) -> bytes | None:
        """A JPEG of up to ``frames`` of the track's recent crops, evenly spaced, oldest left; None without any."""
        recent = list(self.recent.get(int(track_id), ()))
        if not recent:
            return None
        pick = sorted({round(i * (len(recent) - 1) / max(1, frames - 1)) for i in range(frames)})
        row = np.hstack([np.pad(recent[i][1], ((0, 0), (0, 4), (0, 0))) for i in pick])
        ok, buf = cv2.imencode(".jpg", row, [cv2.IMWRITE_JPEG_QUALITY, 85])
        return buf.tobytes() if ok else None

    def update(self, tf: TrackedFrame, image: np.ndarray) -> list[ClosedTrack]:
        """Take one tracked frame; returns the tracks that closed (unseen for ``gap_s``)."""
        h, w = image.shape[:2]
        for i, tid in enumerate(tf.track_ids):
            name = tf.class_names[i]
            if vehicle_kind(name) == "other":
                continue  # people and unknown classes are not vehicle sightings
            tid = int(tid)
            self._remember(tid, tf.t, image, tuple(float(v) for v in tf.xyxy[i]))
            tr = self.open.get(tid)
            if tr is None:
                tr = self.open[tid] = _Track(tid, tf.t, tf.at)
            tr.last_t, tr.last_at = tf.t, tf.at
            tr.frames += 1
            tr.classes[name] += 1
            tr.score = max(tr.score, float(tf.confidence[i]))
            x0, y0, x1, y1 = (float(v) for v in tf.xyxy[i])
            bx0, by0, bx1, by1 = max(0.0, x0), max(0.0, y0), min(float(w), x1), min(float(h), y1)
            area = max(0.0, bx1 - bx0) * max(0.0, by1 - by0)
            if area > tr.best_area and area > 0:
                mx, my = self.margin * (bx1 - bx0), self.margin * (by1 - by0)
                cx0, cy0 = int(max(0, bx0 - mx)), int(max(0, by0 - my))
                cx1, cy1 = int(min(w, bx1 + mx)), int(min(h, by1 + my))
                tr.best_area = area
                tr.crop = image[cy0:cy1, cx0:cx1].copy()
                tr.box_in_crop = (bx0 - cx0, by0 - cy0, bx1 - cx0, by1 - cy0)
        gone = [tid for tid, tr in self.open.items() if tf.t - tr.last_t > self.gap_s]
        for tid in gone:
            self.recent.pop(tid, None)
        return [ClosedTrack(self.open.pop(tid)) for tid in gone]

    def close_all(self) -> list[ClosedTrack]:
        out = [ClosedTrack(tr) for tr in self.open.values()]
        self.open = {}
        return out


def sighting_row(camera_id: str, closed: ClosedTrack, models: ModelCache, read_plates: bool,
                 detector: Detector) -> tuple[dict[str, Any], bytes | None]:
    """The sighting's lake row (crop_uri left empty) and the JPEG of its best crop, box outlined."""
    tr = closed.track
    class_name = tr.classes.most_common(1)[0][0] if tr.classes else "vehicle"
    crop = tr.crop
    x0, y0, x1, y1 = (int(v) for v in tr.box_in_crop)
    body = crop[y0:y1, x0:x1] if crop is not None else None
    colour, share = dominant_colour(body) if body is not None else (None, 0.0)
    kind = vehicle_kind(class_name)
    vtype: str | None = "motorbike" if kind == "motorbike" else None
    if kind == "car" and body is not None and body.size and min(body.shape[:2]) >= 16:
        attrs = models.attributes()(body)
        vtype = attrs["type"] if attrs["type_score"] >= 0.5 else "car"
    row: dict[str, Any] = {
        "sighting_id": sighting_id(camera_id, tr.track_id, tr.first_at), "camera_id": camera_id,
        "track_id": tr.track_id, "first_seen": tr.first_at.astimezone(dt.UTC),
        "last_seen": (tr.last_at or tr.first_at).astimezone(dt.UTC), "frames": tr.frames,
        "class_name": class_name, "vehicle_type": vtype, "vehicle_color": colour, "color_share": round(share, 3),
        "plate_text": None, "plate_raw": None, "plate_confidence": None, "plate_province": None,
        "score": round(tr.score, 4), "crop_uri": None, "model_name": detector.name,
        "model_version": detector.version, "source": "detector",
    }
    if read_plates and crop is not None and kind in ("car", "motorbike"):
        plate = models.plates().read(crop, tr.box_in_crop)
        if plate is not None and plate.text:
            row["plate_raw"], row["plate_confidence"] = plate.text, plate.confidence
            row["plate_text"] = plate.normalised
            row["plate_province"] = plate.vn.province if plate.vn else None
    jpeg = None
    if crop is not None and crop.size:
        shown = crop.copy()
        cv2.rectangle(shown, (x0, y0), (max(x0, x1 - 1), max(y0, y1 - 1)), (0, 0, 255), 2)
        ok, buf = cv2.imencode(".jpg", shown, [cv2.IMWRITE_JPEG_QUALITY, 90])
        jpeg = buf.tobytes() if ok else None
    return row, jpeg
