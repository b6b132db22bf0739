"""Our own detector's events on ``hue-ioc/cameras/<camera>/events``: the event row ``detectors.enrich.event_row``
makes (event_id, camera_id, rule_id, rule, violation_type, category, class_name, track_id, start_at, end_at,
score, box_*, direction, plate_*, model_*, fine_vnd, source), with times as ISO 8601 with an offset.

A ``count`` event is one line crossing (a count contribution); a ``violation`` or ``incident`` is a row of
silver.violations (insert-only: an officer's review is never overwritten).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa

from lake.catalog import spec
from pipelines.live.frigate import BadMessage

CATEGORIES = ("count", "violation", "incident")
VIOLATION_COLUMNS = tuple(spec("silver.violations").schema.names)


def _moment(doc: dict[str, Any], name: str) -> dt.datetime:
    v = doc.get(name)
    if not isinstance(v, str):
        raise BadMessage(f"{name}: expected an ISO 8601 time with an offset, got {v!r}")
    try:
        t = dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise BadMessage(f"{name}: not an ISO 8601 time: {v!r}") from None
    if t.tzinfo is None:
        raise BadMessage(f"{name}: {v!r} has no UTC offset")
    return t.astimezone(dt.UTC)


def parse(payload: bytes, camera_id: str) -> dict[str, Any]:
    """The event as a dict with UTC datetimes, or :class:`BadMessage`; its camera must be the topic's."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadMessage("not a camera event: expected a JSON object")
    for name in ("event_id", "rule_id", "class_name"):
        if not isinstance(doc.get(name), str) or not doc[name]:
            raise BadMessage(f"{name}: missing or not text")
    if doc.get("camera_id", camera_id) != camera_id:
        raise BadMessage(f"camera_id {doc.get('camera_id')!r} differs from the topic's camera {camera_id!r}")
    if doc.get("category") not in CATEGORIES:
        raise BadMessage(f"category: expected one of {list(CATEGORIES)}, got {doc.get('category')!r}")
    out = dict(doc, camera_id=camera_id, start_at=_moment(doc, "start_at"))
    out["end_at"] = _moment(doc, "end_at") if doc.get("end_at") is not None else out["start_at"]
    if doc.get("reviewed_at") is not None:
        out["reviewed_at"] = _moment(doc, "reviewed_at")
    return out


def _family(t: pa.DataType) -> tuple[type, ...]:
    if pa.types.is_string(t):
        return (str,)
    if pa.types.is_integer(t):
        return (int,)
    if pa.types.is_floating(t):
        return (int, float)
    if pa.types.is_boolean(t):
        return (bool,)
    return (dt.datetime,)


_TYPES = {f.name: _family(f.type) for f in spec("silver.violations").schema}


def violation_row(event: dict[str, Any], detected_at: dt.datetime) -> dict[str, Any]:
    """The silver.violations row of a violation or incident event; :class:`BadMessage` names a field of the
    wrong type (one bad message must not hold up the batch it came in)."""
    row = {k: event.get(k) for k in VIOLATION_COLUMNS}
    for k, v in row.items():
        ok = _TYPES[k]
        if v is not None and (not isinstance(v, ok) or (isinstance(v, bool) and bool not in ok)):
            raise BadMessage(f"{k}: expected {' or '.join(t.__name__ for t in ok)}, got {v!r}")
    row["detected_at"] = detected_at
    row["source"] = event.get("source") or "detector"
    row["review_status"] = event.get("review_status") or "pending"
    row["rule"] = event.get("rule") or event["rule_id"].split(":")[-1]
    row["violation_type"] = event.get("violation_type") or row["rule"]
    return row


def contribution(event: dict[str, Any]) -> tuple[str, str, str, str]:
    """(line id, class, direction, contribution id) of a count event."""
    return (event["rule_id"].split(":")[0], event["class_name"], event.get("direction") or "forward",
            event["event_id"])
