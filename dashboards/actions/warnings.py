"""An operator decides on a warning draft: edit its texts, approve it, or discard it with a reason.

Each decision is one row of silver.warning_decisions (who, when, the texts before and after), then applied to
the draft in silver.warning_drafts (a merge, retried on commit conflicts). Approving does not write the CAP
message itself: the issuer (``pipelines.disasters.warning_drafts.issue_approved``, run by the live service every
few seconds and by ``hue-ioc cap issue-approved``) issues approved drafts, the single writer of issued warnings.
Only a draft still in status ``draft`` can be decided: an approved, issued or discarded one is refused."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import polars as pl

from dashboards.access import Actor, require
from lake import Lake

DRAFTS, DECISIONS = "silver.warning_drafts", "silver.warning_decisions"
TEXTS = ("headline_vi", "description_vi", "instruction_vi", "headline_en", "description_en", "instruction_en")
DECISION_STATUS = {"edited": "draft", "approved": "approved", "discarded": "discarded"}


def _current(lake: Lake, draft_id: str) -> pl.DataFrame:
    fresh = Lake(lake.root, lake.storage_options)  # the draft as it is now, not as a cached view saw it
    try:
        if not fresh.exists(DRAFTS):
            return pl.DataFrame()
        return fresh.sql("SELECT * FROM silver.warning_drafts WHERE draft_id = $id", {"id": draft_id})
    finally:
        fresh.close()


def decide(lake: Lake, actor: Actor, draft_id: str, decision: str, *, texts: dict[str, str] | None = None,
           reason: str = "") -> dict[str, Any]:
    """Apply ``decision`` (edited | approved | discarded) to draft ``draft_id`` for ``actor``; returns the audit
    row written. ``texts`` replaces any of the six texts (headline, description, instruction × vi, en); an
    approval may carry the last edits. A discard needs a ``reason``; an edit needs a changed text."""
    require(actor)  # the server-side check: the page hiding the buttons is not enough
    if decision not in DECISION_STATUS:
        raise ValueError(f"a warning decision is one of {', '.join(DECISION_STATUS)}, not {decision!r}")
    if decision == "discarded" and not reason.strip():
        raise ValueError("discarding a warning draft needs a reason")
    unknown = set(texts or {}) - set(TEXTS)
    if unknown:
        raise ValueError(f"unknown warning texts {sorted(unknown)}")
    cur = _current(lake, draft_id)
    if cur.height == 0:
        raise ValueError(f"no warning draft {draft_id!r}")
    before = cur.row(0, named=True)
    if before["status"] != "draft":
        raise ValueError(f"warning draft {draft_id!r} is {before['status']}, no longer a draft")
    edits = {k: v.strip() for k, v in (texts or {}).items() if v is not None and v.strip() != (before[k] or "")}
    if any(not edits.get(k, before[k] or "").strip() for k in ("headline_vi", "headline_en")):
        raise ValueError("a warning needs a headline in Vietnamese and in English")
    if decision == "edited" and not edits:
        raise ValueError("nothing was changed")
    now = dt.datetime.now(dt.UTC)
    after = before | edits | {"status": DECISION_STATUS[decision]}
    if decision != "edited":
        after |= {"decided_by": actor.name, "decided_at": now}
    audit = {"decision_id": uuid.uuid4().hex, "draft_id": draft_id, "decision": decision, "reason": reason.strip(),
             "actor": actor.name, "role": actor.role, "decided_at": now, "previous_status": before["status"],
             "previous_texts": json.dumps({k: before[k] for k in TEXTS}, ensure_ascii=False),
             "new_texts": json.dumps({k: after[k] for k in TEXTS}, ensure_ascii=False)}
    # audit first: a decision is never applied without its record
    lake.append(DECISIONS, pl.DataFrame([audit], infer_schema_length=None))
    lake.merge(DRAFTS, pl.DataFrame([after], schema=cur.schema), update=True)
    return audit


def edit(lake: Lake, actor: Actor, draft_id: str, texts: dict[str, str]) -> dict[str, Any]:
    return decide(lake, actor, draft_id, "edited", texts=texts)


def approve(lake: Lake, actor: Actor, draft_id: str, texts: dict[str, str] | None = None) -> dict[str, Any]:
    return decide(lake, actor, draft_id, "approved", texts=texts)


def discard(lake: Lake, actor: Actor, draft_id: str, reason: str) -> dict[str, Any]:
    return decide(lake, actor, draft_id, "discarded", reason=reason)
