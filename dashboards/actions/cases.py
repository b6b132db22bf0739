"""An operator follows up a case: a reminder to the unit holding the report, or an escalation (to whom, why).
Each is an IOC action event in silver.case_actions (who, when, the unit, the deadline in force), shown on the
report's timeline. Refused without the operator role."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import polars as pl

from dashboards.access import Actor, require
from lake import Lake
from views import cases

ACTIONS = ("reminder", "escalation")


def follow_up(lake: Lake, actor: Actor, report_id: str, action: str, *, note: str = "",
              escalated_to: str = "") -> dict[str, Any]:
    """Record ``action`` on report ``report_id`` for ``actor``; returns the row written. An escalation needs
    whom it goes to; a closed or invalid report takes no follow-up."""
    require(actor)
    if action not in ACTIONS:
        raise ValueError(f"a follow-up is one of {', '.join(ACTIONS)}, not {action!r}")
    if action == "escalation" and not escalated_to.strip():
        raise ValueError("an escalation needs whom it goes to")
    current = Lake(lake.root, lake.storage_options)  # the report as it is now, not as a cached view saw it
    try:
        row = cases.report(current, report_id)
    finally:
        current.close()
    if row is None:
        raise ValueError(f"no report {report_id!r}")
    if not row["is_valid"] or row["resolved_at"] is not None or row["status"] == "withdrawn":
        raise ValueError(f"report {report_id} is closed: nothing to follow up")
    event = {"action_id": uuid.uuid4().hex, "report_id": report_id, "action": action,
             "unit_id": row["current_unit_id"], "escalated_to": escalated_to.strip() or None,
             "note": note.strip() or None, "deadline_at": cases.deadline_in_force(row), "actor": actor.name,
             "role": actor.role, "acted_at": dt.datetime.now(dt.UTC)}
    lake.append("silver.case_actions", pl.DataFrame([event], infer_schema_length=None))
    return event
