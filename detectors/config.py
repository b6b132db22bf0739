"""Per-camera YAML configuration (Frigate style), validated on load.

```yaml
defaults: {model: person-vehicle-bike-detection-2000, fps: 5}
cameras:
  - id: hue-le-loi-01
    name: Lê Lợi – Hùng Vương
    location: {name: Ngã tư Lê Lợi – Hùng Vương, lat: 16.4637, lon: 107.5909}
    source: asset:videos/intel-sample-videos/car-detection.mp4   # file path, asset:…, rtsp://…, http(s)://…
    fps: 5
    zones:
      - id: no_parking
        polygon: [[0.0, 0.2], [0.5, 0.2], [0.5, 0.9], [0.0, 0.9]]   # relative 0..1 (x, y)
        rule: {type: dwell, seconds: 3, classes: [vehicle]}
    lines:
      - id: entry
        points: [[0.0, 0.6], [1.0, 0.6]]
        direction: up            # the lawful direction of travel: up | down | left | right
        rule: count
```

Every error names the camera and the field (``camera 'x': zones[0].polygon[2]: ...``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.tz import VN_TZ
from detectors.model_catalog import MODELS, asset_file

RULE_TYPES = {
    "zone": ("dwell", "encroachment", "congestion"),
    "line": ("count", "wrong_way", "stop_line"),
}
DIRECTIONS = {"up": (0.0, -1.0), "down": (0.0, 1.0), "left": (-1.0, 0.0), "right": (1.0, 0.0)}


class ConfigError(ValueError):
    """A camera configuration that cannot be used; the message names the camera and the field."""


@dataclass(frozen=True)
class RuleConfig:
    type: str
    classes: tuple[str, ...] = ()  # empty = every class of the model
    seconds: float = 0.0  # dwell: minimum time in zone; encroachment: minimum presence
    threshold: float = 0.0  # congestion: objects in zone
    window_s: float = 0.0  # congestion: how long the threshold must hold
    dedup_s: float = 600.0  # one event per (camera, rule, track) within this window
    event_type: str = ""  # violation type written to the lake (illegal_parking, illegal_stopping, ...)
    phase: dict[str, Any] = field(default_factory=dict)  # stop_line: fixed-time plan or external feed


@dataclass(frozen=True)
class ZoneConfig:
    id: str
    polygon: tuple[tuple[float, float], ...]
    rule: RuleConfig


@dataclass(frozen=True)
class LineConfig:
    id: str
    points: tuple[tuple[float, float], tuple[float, float]]
    direction: str
    rule: RuleConfig


@dataclass(frozen=True)
class CameraConfig:
    id: str
    name: str
    source: str
    lat: float
    lon: float
    location_name: str = ""
    model: str = "person-vehicle-bike-detection-2000"
    precision: str | None = None
    device: str = "CPU"
    conf: float = 0.5
    fps: float = 5.0
    start_time: dt.datetime | None = None  # wall-clock time of a file's first frame
    zones: tuple[ZoneConfig, ...] = ()
    lines: tuple[LineConfig, ...] = ()
    plates: bool = True  # read plates of violators
    enabled: bool = True

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(MODELS[self.model].labels.values())


def _err(cam: str, path: str, msg: str) -> ConfigError:
    return ConfigError(f"camera '{cam}': trường {path} không hợp lệ / camera '{cam}': {path}: {msg}")


def _num(cam: str, path: str, v: Any, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _err(cam, path, f"expected a number, got {v!r}")
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise _err(cam, path, f"{v} outside {lo}..{hi}")
    return float(v)


def _point(cam: str, path: str, p: Any) -> tuple[float, float]:
    if not isinstance(p, list | tuple) or len(p) != 2:
        raise _err(cam, path, f"a point is [x, y] with relative 0..1 coordinates, got {p!r}")
    return (_num(cam, f"{path}[0]", p[0], 0.0, 1.0), _num(cam, f"{path}[1]", p[1], 0.0, 1.0))


def _rule(cam: str, path: str, raw: Any, kind: str, labels: tuple[str, ...]) -> RuleConfig:
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict) or "type" not in raw:
        raise _err(cam, path, f"a rule is a name or a mapping with 'type'; one of {RULE_TYPES[kind]}")
    rtype = raw["type"]
    if rtype not in RULE_TYPES[kind]:
        raise _err(cam, f"{path}.type", f"unknown rule {rtype!r} for a {kind}; known: {list(RULE_TYPES[kind])}")
    known = {"type", "classes", "seconds", "threshold", "window_s", "dedup_s", "event_type", "phase"}
    extra = set(raw) - known
    if extra:
        raise _err(cam, path, f"unknown keys {sorted(extra)}")
    classes = raw.get("classes") or ()
    if isinstance(classes, str):
        classes = (classes,)
    for i, c in enumerate(classes):
        if c not in labels:
            raise _err(cam, f"{path}.classes[{i}]", f"unknown class {c!r}; the model knows {list(labels)[:12]}")
    out = RuleConfig(
        type=rtype, classes=tuple(classes),
        seconds=_num(cam, f"{path}.seconds", raw.get("seconds", 0.0), 0.0),
        threshold=_num(cam, f"{path}.threshold", raw.get("threshold", 0.0), 0.0),
        window_s=_num(cam, f"{path}.window_s", raw.get("window_s", 0.0), 0.0),
        dedup_s=_num(cam, f"{path}.dedup_s", raw.get("dedup_s", 600.0), 0.0),
        event_type=str(raw.get("event_type", "")),
        phase=dict(raw.get("phase") or {}),
    )
    if rtype == "dwell" and out.seconds <= 0:
        raise _err(cam, f"{path}.seconds", "dwell needs seconds > 0")
    if rtype == "congestion" and out.threshold <= 0:
        raise _err(cam, f"{path}.threshold", "congestion needs threshold > 0 (objects in the zone)")
    if rtype == "stop_line":
        ph = out.phase
        if not ph or not ({"plan", "feed"} & set(ph)):
            raise _err(cam, f"{path}.phase", "stop_line needs phase: {plan: {green, amber, red, offset}} "
                       "or {feed: <file of phase changes>}")
        if "plan" in ph:
            plan = ph["plan"]
            if not isinstance(plan, dict):
                raise _err(cam, f"{path}.phase.plan", "expected a mapping {green, amber, red, offset}")
            for k in ("green", "red"):
                _num(cam, f"{path}.phase.plan.{k}", plan.get(k), 0.1)
    return out


def _geometry_id(cam: str, path: str, raw: Any, kind: str, index: int, ids: set[str], shape: str) -> str:
    """The id of a zone or line (unique within the camera), after checking it is a mapping with a rule."""
    if not isinstance(raw, dict):
        raise _err(cam, path, f"expected a mapping {shape}")
    if "rule" not in raw:
        raise _err(cam, f"{path}.rule", "missing")
    gid = str(raw.get("id") or f"{kind}{index}")
    if gid in ids:
        raise _err(cam, f"{path}.id", f"duplicate id {gid!r}")
    ids.add(gid)
    return gid


def _camera(raw: Any, index: int, defaults: dict[str, Any], base: Path | None) -> CameraConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"cameras[{index}]: expected a mapping, got {type(raw).__name__}")
    merged = {**defaults, **raw}
    cam = str(merged.get("id") or "")
    if not cam:
        raise ConfigError(f"cameras[{index}]: thiếu 'id' / missing 'id'")
    for req in ("name", "source", "location"):
        if req not in merged:
            raise _err(cam, req, "missing")
    model = merged.get("model", "person-vehicle-bike-detection-2000")
    if model not in MODELS or MODELS[model].decoder not in ("ssd", "yolox", "yolov8") or not MODELS[model].labels:
        raise _err(cam, "model", f"unknown detector {model!r}; known: "
                   f"{[m for m, s in MODELS.items() if s.labels and 'plate' not in s.labels.values()]}")
    labels = tuple(MODELS[model].labels.values())
    loc = merged["location"]
    if not isinstance(loc, dict):
        raise _err(cam, "location", "expected {name, lat, lon}")
    lat = _num(cam, "location.lat", loc.get("lat"), -90, 90)
    lon = _num(cam, "location.lon", loc.get("lon"), -180, 180)
    precision = merged.get("precision")
    if precision is not None and precision not in MODELS[model].precisions:
        raise _err(cam, "precision", f"{precision!r} not available for {model}: {list(MODELS[model].precisions)}")
    start = merged.get("start_time")
    if start is not None:
        try:
            start = start if isinstance(start, dt.datetime) else dt.datetime.fromisoformat(str(start))
        except ValueError:
            raise _err(cam, "start_time", f"not an ISO date-time: {start!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=VN_TZ)  # Huế local time
    zones, lines, ids = [], [], set[str]()
    for i, z in enumerate(merged.get("zones") or []):
        p = f"zones[{i}]"
        zid = _geometry_id(cam, p, z, "zone", i, ids, "{id, polygon, rule}")
        poly = z.get("polygon")
        if not isinstance(poly, list) or len(poly) < 3:
            raise _err(cam, f"{p}.polygon", "a polygon needs at least 3 points [x, y] (relative 0..1)")
        pts = tuple(_point(cam, f"{p}.polygon[{j}]", q) for j, q in enumerate(poly))
        from shapely.geometry import Polygon

        if not Polygon(pts).is_valid or Polygon(pts).area <= 0:
            raise _err(cam, f"{p}.polygon", "self-intersecting or empty polygon")
        zones.append(ZoneConfig(zid, pts, _rule(cam, f"{p}.rule", z["rule"], "zone", labels)))
    for i, ln in enumerate(merged.get("lines") or []):
        p = f"lines[{i}]"
        lid = _geometry_id(cam, p, ln, "line", i, ids, "{id, points, direction, rule}")
        pts = ln.get("points")
        if not isinstance(pts, list) or len(pts) != 2:
            n = len(pts) if isinstance(pts, list) else 0
            raise _err(cam, f"{p}.points", f"a line needs exactly two points [[x, y], [x, y]], got {n}")
        a, b = (_point(cam, f"{p}.points[{j}]", q) for j, q in enumerate(pts))
        if a == b:
            raise _err(cam, f"{p}.points", "the two points are the same")
        direction = ln.get("direction")
        if direction not in DIRECTIONS:
            raise _err(cam, f"{p}.direction", f"expected one of {list(DIRECTIONS)}, got {direction!r}")
        lines.append(LineConfig(lid, (a, b), direction, _rule(cam, f"{p}.rule", ln["rule"], "line", labels)))
    source = str(merged["source"])
    if base is not None and "://" not in source and not source.startswith("asset:") and not Path(source).is_absolute():
        cand = base / source
        source = str(cand) if cand.exists() else source
    return CameraConfig(
        id=cam, name=str(merged["name"]), source=source, lat=lat, lon=lon,
        location_name=str(loc.get("name", "")), model=model, precision=precision,
        device=str(merged.get("device", "CPU")),
        conf=_num(cam, "conf", merged.get("conf", 0.5), 0.01, 1.0),
        fps=_num(cam, "fps", merged.get("fps", 5.0), 0.1, 120.0),
        start_time=start, zones=tuple(zones), lines=tuple(lines),
        plates=bool(merged.get("plates", True)), enabled=bool(merged.get("enabled", True)),
    )


def parse_cameras(data: Any, base: Path | None = None) -> list[CameraConfig]:
    if not isinstance(data, dict) or not isinstance(data.get("cameras"), list) or not data["cameras"]:
        raise ConfigError("tệp cấu hình cần danh sách 'cameras:' / the file needs a non-empty 'cameras:' list")
    defaults = data.get("defaults") or {}
    cams = [_camera(c, i, defaults, base) for i, c in enumerate(data["cameras"])]
    seen: set[str] = set()
    for c in cams:
        if c.id in seen:
            raise _err(c.id, "id", "duplicate camera id")
        seen.add(c.id)
    return cams


def load_cameras(path: str | Path) -> list[CameraConfig]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"không tìm thấy tệp cấu hình camera / camera config not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_cameras(data, path.parent)


def camera_by_id(cams: list[CameraConfig], camera_id: str) -> CameraConfig:
    for c in cams:
        if c.id == camera_id:
            return c
    raise ConfigError(f"camera '{camera_id}' not in the config; have {[c.id for c in cams]}")


def resolve_source(source: str, assets: str | Path | None) -> str:
    """``asset:videos/…`` → a path under the assets folder the caller gives; everything else as given."""
    if source.startswith("asset:"):
        return str(asset_file(assets, source.removeprefix("asset:")))
    return source
