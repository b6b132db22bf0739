"""Overdue reports, flagged by ``core.kpis.classify_reports`` (the one definition): the per-report flags
the map and the unit drill-down show, and the list of overdue reports a leader's report prints."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core import kpis
from lake import Lake
from views.period import Period
from views.sql import query

OVERDUE_COLUMNS = ("unit_id", "report_id", "category_code", "category_vi", "category_en", "title", "received_at",
                   "deadline_at", "extended_deadline_at", "resolved_at", "status", "overdue_kind", "days_overdue")


def flag_reports(frame: pl.DataFrame, at: dt.datetime | None) -> pl.DataFrame:
    """Add on_time, late_with_extension, overdue_closed, open_overdue (judged at ``at``, default now) and
    ``overdue`` = closed late without extension or open overdue."""
    flagged = kpis.classify_reports(frame, at or dt.datetime.now(dt.UTC)).collect()
    return flagged.with_columns(overdue=pl.col("overdue_closed") | pl.col("open_overdue"))


def overdue_reports(lake: Lake, period: Period, unit_ids: list[str], reference: dt.datetime) -> pl.DataFrame:
    """The overdue reports (closed late without extension, or open past the deadline in force at
    ``reference``) received in the period by the given units, most overdue first per unit."""
    schema = {c: (pl.Float64 if c == "days_overdue" else pl.Utf8) for c in OVERDUE_COLUMNS}
    if not unit_ids:
        return pl.DataFrame(schema=schema)
    reports = query(lake, """
        SELECT r.*, c.name_vi AS category_vi, c.name_en AS category_en
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
        WHERE r.is_valid AND list_contains($units, r.current_unit_id)
          AND r.received_at >= $t0 AND r.received_at < $t1""",
                    {"units": unit_ids, "t0": period.start_ts, "t1": period.end_ts})
    if reports.is_empty():
        return pl.DataFrame(schema=schema)
    ref = pl.lit(reference).cast(pl.Datetime("us", "UTC"))
    out = flag_reports(reports, reference).filter(pl.col("overdue")).with_columns(
        pl.col("current_unit_id").alias("unit_id"),
        pl.when(pl.col("open_overdue")).then(pl.lit("open")).otherwise(pl.lit("closed_late")).alias("overdue_kind"),
        ((pl.coalesce(pl.col("resolved_at"), ref) - pl.col("deadline_at")).dt.total_seconds() / 86400.0)
        .alias("days_overdue"),
    )
    return out.select(OVERDUE_COLUMNS).sort(["unit_id", "days_overdue"], descending=[False, True])
