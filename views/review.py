"""The operators' review queue: camera violations no officer has confirmed or dismissed yet.

The queue does not depend on the period being looked at: a detection waits for review until someone
decides, however old it is."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lake import Lake
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
               v.violation_type, v.class_name, v.vehicle_type, v.plate_text, v.plate_confidence, v.score,
               v.evidence_uri, v.fine_vnd
        FROM silver.violations v LEFT JOIN silver.cameras c USING (camera_id)
        WHERE {PENDING}
        ORDER BY v.start_at DESC, v.event_id LIMIT $limit""", {"limit": limit, **camera_filter(lake, areas)})


def pending_count(lake: Lake, areas: Sequence[str] = ()) -> int:
    """How many violations of the cameras in ``areas`` (all when empty) wait for review: the queue's length."""
    return int(lake.sql(f"SELECT count(*) FROM silver.violations v WHERE {PENDING}", camera_filter(lake, areas)).item())
