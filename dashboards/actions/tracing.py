"""An operator traces a vehicle for a case: the search runs, and the request is logged (who, which case, which
criteria, which sightings) in silver.tracing_searches before the results are shown; the results export as a
PDF evidence sheet (typst, the report's DejaVu font)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

import matplotlib
import polars as pl
import typst

from core import fmt
from core.labels import pick
from dashboards.access import Actor, require
from lake import Lake
from views import vehicle_tracing as tracing

TEMPLATE = Path(__file__).parent / "evidence.typ"
FONTS = {"font_paths": [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")], "ignore_system_fonts": True}
COLOURS: dict[str, tuple[str, str]] = {
    "white": ("trắng", "white"), "gray": ("xám / bạc", "gray / silver"), "black": ("đen", "black"),
    "red": ("đỏ", "red"), "orange": ("cam", "orange"), "yellow": ("vàng", "yellow"),
    "green": ("xanh lá", "green"), "blue": ("xanh dương", "blue"), "purple": ("tím", "purple"),
}
TYPES: dict[str, tuple[str, str]] = {
    "car": ("ô tô con", "car"), "van": ("xe van", "van"), "bus": ("xe khách", "bus"), "truck": ("xe tải", "truck"),
    "motorbike": ("xe máy", "motorbike"),
}


def colour_label(code: str | None, lang: str = "vi") -> str:
    return pick(COLOURS[code], lang) if code in COLOURS else (code or fmt.DASH)


def type_label(code: str | None, lang: str = "vi") -> str:
    return pick(TYPES[code], lang) if code in TYPES else (code or fmt.DASH)


def trace(lake: Lake, actor: Actor, case_ref: str, *, plate: str | None = None, colour: str | None = None,
          vehicle_type: str | None = None, cameras: list[str] | None = None, start: dt.datetime | None = None,
          end: dt.datetime | None = None) -> tuple[dict[str, Any], pl.DataFrame]:
    """Search the sightings for ``actor`` and case ``case_ref``; returns (the logged request, the results).
    Refused without the operator role; a case reference and at least one criterion besides the time window
    are required (tracing is done for a case, never browsing)."""
    require(actor)
    case_ref = (case_ref or "").strip()
    if not case_ref:
        raise ValueError("a tracing request needs a case reference")
    plate = (plate or "").strip() or None
    if not (plate or colour or vehicle_type):
        raise ValueError("a tracing request needs a plate, a colour or a type")
    if start is not None and end is not None and end <= start:
        raise ValueError("the time window ends before it starts")
    found = tracing.search(lake, plate=plate, colour=colour, vehicle_type=vehicle_type, cameras=cameras or [],
                           start=start, end=end)
    criteria = {"plate": plate, "colour": colour, "vehicle_type": vehicle_type, "cameras": sorted(cameras or []),
                "start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    request = {"request_id": uuid.uuid4().hex, "case_ref": case_ref, "requested_by": actor.name,
               "role": actor.role, "requested_at": dt.datetime.now(dt.UTC),
               "criteria_json": json.dumps(criteria, ensure_ascii=False, sort_keys=True),
               "results": found.height, "sighting_ids": json.dumps(found["sighting_id"].to_list())}
    lake.append("silver.tracing_searches", pl.DataFrame([request], infer_schema_length=None))
    return request, found


def evidence_pdf(lake: Lake, actor: Actor, request: dict[str, Any], found: pl.DataFrame) -> bytes:
    """The evidence sheet of a logged request: the case, who searched and when, the criteria, then each
    sighting in time order with its camera, times, type, colour, plate and best crop. Operators only."""
    require(actor)
    criteria = json.loads(request["criteria_json"])
    files: dict[str, bytes] = {}
    rows = []
    for i, r in enumerate(found.iter_rows(named=True)):
        crop = None
        if r["crop_uri"]:
            try:
                files[f"crop{i}.jpg"] = lake.get_artifact(r["crop_uri"])
                crop = f"crop{i}.jpg"
            except (OSError, ValueError):
                crop = None
        rows.append({
            "n": str(i + 1), "camera": f"{r['camera_name']} ({r['camera_id']})", "place": r["location_name"] or "",
            "first": fmt.datetime(r["first_seen"]), "last": fmt.datetime(r["last_seen"]),
            "type": type_label(r["vehicle_type"]), "colour": colour_label(r["vehicle_color"]),
            "plate": r["plate_text"] or fmt.DASH,
            "plate_conf": fmt.pct(r["plate_confidence"]) if r["plate_confidence"] is not None else fmt.DASH,
            "crop": crop})
    data = {
        "case_ref": request["case_ref"], "request_id": request["request_id"], "by": request["requested_by"],
        "at": fmt.datetime(request["requested_at"]),
        "criteria": [
            ["Biển số / Plate", criteria.get("plate") or fmt.DASH],
            ["Màu / Colour", colour_label(criteria.get("colour"))],
            ["Loại xe / Type", type_label(criteria.get("vehicle_type"))],
            ["Camera", ", ".join(criteria.get("cameras") or []) or "tất cả / all"],
            ["Từ / From", fmt.datetime(dt.datetime.fromisoformat(criteria["start"])) if criteria.get("start")
             else fmt.DASH],
            ["Đến / To", fmt.datetime(dt.datetime.fromisoformat(criteria["end"])) if criteria.get("end")
             else fmt.DASH]],
        "n": fmt.num(found.height), "rows": rows,
    }
    payload = json.dumps(data, ensure_ascii=False, default=str)
    # typst reads images from files: the template and the crops go to a temporary folder, its root
    with tempfile.TemporaryDirectory(prefix="hue-ioc-evidence-") as tmp:
        folder = Path(tmp)
        for name, blob in files.items():
            (folder / name).write_bytes(blob)
        (folder / "evidence.typ").write_bytes(TEMPLATE.read_bytes())
        out = typst.compile(str(folder / "evidence.typ"), root=str(folder), sys_inputs={"data": payload},
                            timestamp=int(request["requested_at"].timestamp()), **FONTS)
    assert isinstance(out, bytes)
    return out
