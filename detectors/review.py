"""The operator's review of a violation: confirmed or dismissed by an officer, the detection kept as it was."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake

REVIEW_STATUSES = ("pending", "confirmed", "dismissed")


def review_violation(lake: Lake, event_id: str, status: str, reviewer: str, note: str = "") -> None:
    """An officer confirms or dismisses a violation: only the review columns change."""
    if status not in REVIEW_STATUSES:
        raise ValueError(f"review status must be pending, confirmed or dismissed, not {status!r}")
    cur = lake.sql("select * from silver.violations where event_id = $id", {"id": event_id})
    if cur.height == 0:
        raise ValueError(f"no violation {event_id!r}")
    row = cur.with_columns(pl.lit(status).alias("review_status"), pl.lit(reviewer).alias("reviewed_by"),
                           pl.lit(dt.datetime.now(dt.UTC)).alias("reviewed_at"), pl.lit(note).alias("review_note"))
    lake.merge("silver.violations", row, update=True)
