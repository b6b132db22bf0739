"""The operators' review queue: camera violations no officer has confirmed or dismissed yet.

The queue does not depend on the period being looked at: a detection waits for review until someone
decides, however old it is."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lake import Lake
from views.precision import OUTCOMES, VIOLATIONS
from views.violations import TABLES as VIOLATION_TABLES
from views.violations import camera_filter

TABLES = VIOLATION_TABLES  # the violations, and the cameras with their communes for the area filter
# pending violations (incidents need no review) of the cameras picked by ``camera_filter``
PENDING = """coalesce(v.category, 'violation') = 'violation' AND coalesce(v.review_status, 'pending') = 'pending'
          AND ($all_cams OR list_contains($cams::VARCHAR[], v.camera_id))"""


def pending(lake: Lake, areas: Sequence[str] = (), limit: int = 24) -> pl.DataFrame:
    """Pending violations (not incidents) of the cameras in ``areas`` (all when empty), newest first,
    with camera name, plate, confidence, evidence and fine."""
    return lake.sql(f"""
        SELECT v.event_id, v.start_at, v.camera_id, coalesce(c.name, v.camera_id) camera_name,
               coalesce(c.location_name, '') location_name, v.rule_id, v.rule,
               split_part(v.rule_id, ':', 1) zone_id, v.vehicle_color,
               v.violation_type, v.class_name, v.vehicle_type, v.plate_text, v.plate_raw, v.plate_confidence, v.score,
               v.evidence_uri, v.evidence_strip_uri, v.fine_vnd
        FROM silver.violations v LEFT JOIN silver.cameras c USING (camera_id)
        WHERE {PENDING}
        ORDER BY v.start_at DESC, v.event_id LIMIT $limit""", {"limit": limit, **camera_filter(lake, areas)})


def pending_count(lake: Lake, areas: Sequence[str] = ()) -> int:
    """How many violations of the cameras in ``areas`` (all when empty) wait for review: the queue's length."""
    return int(lake.sql(f"SELECT count(*) FROM silver.violations v WHERE {PENDING}", camera_filter(lake, areas)).item())


DECISION_TABLES = ("silver.review_decisions",)


def precision(lake: Lake, areas: Sequence[str] = ()) -> pl.DataFrame:
    """How often the cameras are right, from the officers' decisions: per camera and violation type,
    confirmed, dismissed, still pending, and precision = confirmed / (confirmed + dismissed) (null before
    any decision), worst first."""
    return lake.sql(f"""
        SELECT v.camera_id, coalesce(c.name, v.camera_id) camera_name, v.violation_type,
               {OUTCOMES}
        {VIOLATIONS}
          AND ($all_cams OR list_contains($cams::VARCHAR[], v.camera_id))
        GROUP BY ALL ORDER BY "precision" NULLS LAST, camera_name, v.violation_type""", camera_filter(lake, areas))


def decisions(lake: Lake, limit: int = 20) -> pl.DataFrame:
    """The latest review decisions, newest first: who decided what, when, and the values before and after."""
    if not lake.exists("silver.review_decisions"):
        return pl.DataFrame()
    return lake.sql("""SELECT decided_at, reviewer, event_id, decision, reason, previous_status, new_status,
               previous_plate, new_plate, previous_type, new_type
        FROM silver.review_decisions ORDER BY decided_at DESC, decision_id LIMIT $limit""", {"limit": limit})
