"""An operator moderates a new report: accepts it, merges it into the original it repeats, marks it invalid
with a reason, or blocks its reporter. Each decision is one row of silver.moderation_decisions (who, when,
why, what the queue flagged); a block also puts the reporter's phone in silver.blocked_reporters, so the
reporter's next reports are flagged. Refused without the operator role."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import polars as pl

from dashboards.access import Actor, require
from lake import Lake

DECISIONS = ("accepted", "merged", "invalid", "blocked")
INVALID_REASONS = ("spam", "inciting", "out_of_scope", "duplicate", "other")


def moderate(lake: Lake, actor: Actor, report_id: str, decision: str, *, reason: str = "",
             duplicate_of: str | None = None, flags: list[str] | None = None) -> dict[str, Any]:
    """Apply ``decision`` on report ``report_id``; returns the audit row written."""
    require(actor)
    if decision not in DECISIONS:
        raise ValueError(f"a moderation decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    reason = reason.strip()
    if decision in ("invalid", "blocked") and not reason:
        raise ValueError(f"{decision}: a reason is needed")
    duplicate_of = (duplicate_of or "").strip() or None
    if decision == "merged" and not duplicate_of:
        raise ValueError("a merge needs the original report")
    if duplicate_of == report_id:
        raise ValueError("a report cannot be merged into itself")
    current = Lake(lake.root, lake.storage_options)
    try:
        ids = [report_id] + ([duplicate_of] if decision == "merged" else [])
        found = current.sql("SELECT report_id, reporter_phone FROM silver.reports WHERE list_contains($ids, report_id)",
                            {"ids": ids})
    finally:
        current.close()
    known = dict(zip(found["report_id"].to_list(), found["reporter_phone"].to_list(), strict=True))
    for rid in ids:
        if rid not in known:
            raise ValueError(f"no report {rid!r}")
    if decision == "blocked" and not known[report_id]:
        raise ValueError(f"report {report_id} has no reporter phone to block")
    now = dt.datetime.now(dt.UTC)
    audit = {"decision_id": uuid.uuid4().hex, "report_id": report_id, "decision": decision, "reason": reason or None,
             "duplicate_of": duplicate_of if decision == "merged" else None,
             "flags": ",".join(flags or []) or None, "moderator": actor.name, "role": actor.role, "decided_at": now}
    lake.append("silver.moderation_decisions", pl.DataFrame([audit], infer_schema_length=None))
    if decision == "blocked":
        lake.merge("silver.blocked_reporters", pl.DataFrame([{
            "reporter_phone": known[report_id], "reason": reason, "report_id": report_id, "blocked_by": actor.name,
            "blocked_at": now}]), update=True)
    return audit
