"""An operator decides on a violation: confirm it, dismiss it with a reason, or correct its plate or type.

Each decision is one row of silver.review_decisions (who, when, why, values before and after), applied to
silver.violations (a merge, retried on commit conflicts) and to the (day, camera) slice of
gold.violations_daily it falls in (lake.recompute, serialised), so silver and gold show it at once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import polars as pl

from core.fines import VIOLATION_TYPES, fine_vnd
from dashboards.access import Actor, require
from lake import Lake
from lake.recompute import refresh_violations_daily

DECISIONS = ("confirmed", "dismissed", "corrected")
# why a detection is dismissed: codes (labels dismiss_<code> in core.labels), or free text
DISMISS_REASONS = ("false_detection", "wrong_vehicle", "authorised", "duplicate", "other")


def decide(lake: Lake, actor: Actor, event_id: str, decision: str, *, reason: str = "",
           plate: str | None = None, violation_type: str | None = None) -> dict[str, Any]:
    """Apply ``decision`` on violation ``event_id`` for ``actor``; returns the audit row written.

    ``confirmed`` and ``dismissed`` set the review status (a dismissal needs a ``reason``); ``corrected``
    replaces the plate and/or the type (the fine follows the type) and keeps the status."""
    require(actor)  # the server-side check: the page hiding the buttons is not enough
    if decision not in DECISIONS:
        raise ValueError(f"review decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if decision == "dismissed" and not reason.strip():
        raise ValueError("a dismissal needs a reason")
    plate = plate.strip().upper() if plate and plate.strip() else None
    if decision == "corrected" and plate is None and violation_type is None:
        raise ValueError("a correction needs a plate or a violation type")
    if violation_type is not None and violation_type not in VIOLATION_TYPES:
        raise ValueError(f"unknown violation type {violation_type!r}")
    current = Lake(lake.root, lake.storage_options, role=lake.role)  # the row as it is now, not as a cached view saw it
    try:
        cur = current.sql("SELECT * FROM silver.violations WHERE event_id = $id", {"id": event_id})
    finally:
        current.close()
    if cur.height == 0:
        raise ValueError(f"no violation {event_id!r}")
    before = cur.row(0, named=True)
    after = dict(before)
    if decision == "corrected":
        after["plate_text"] = plate or before["plate_text"]
        after["violation_type"] = violation_type or before["violation_type"]
        after["fine_vnd"] = fine_vnd(after["violation_type"], before["class_name"] or "", before["start_at"])
    else:
        after["review_status"] = decision
    now = dt.datetime.now(dt.UTC)
    after.update(reviewed_by=actor.name, reviewed_at=now, review_note=reason.strip() or before["review_note"])
    audit = {
        "decision_id": uuid.uuid4().hex, "event_id": event_id, "decision": decision, "reason": reason.strip(),
        "reviewer": actor.name, "role": actor.role, "decided_at": now,
        "previous_status": before["review_status"] or "pending", "previous_plate": before["plate_text"],
        "previous_type": before["violation_type"], "previous_fine_vnd": before["fine_vnd"],
        "new_status": after["review_status"] or "pending", "new_plate": after["plate_text"],
        "new_type": after["violation_type"], "new_fine_vnd": after["fine_vnd"],
    }
    # audit first: a decision is never applied without its record
    lake.append("silver.review_decisions", pl.DataFrame([audit], infer_schema_length=None))
    lake.merge("silver.violations", pl.DataFrame([after], schema=cur.schema), update=True)
    refresh_violations_daily(lake, [(before["camera_id"], before["start_at"])])
    return audit
