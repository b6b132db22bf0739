"""A report's case: the report, its lifecycle from silver.report_events (received → validated → assigned →
transfers → extension → resolved → rating) with units and deadlines, the IOC's own actions on it (reminders,
escalations from silver.case_actions), and the list of open overdue reports the operators follow."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.overdue import flag_reports

TABLES = ("silver.reports", "silver.report_events", "silver.units", "silver.categories", "silver.case_actions")
# the lifecycle's order within one instant (a report received and validated in the same second)
STEP = {"received": 0, "validated": 1, "invalidated": 1, "assigned": 2, "transferred": 3,
        "extension_requested": 4, "extension_granted": 5, "resolved": 6, "reopened": 7, "rated": 8}


def report(lake: Lake, report_id: str) -> dict | None:
    """The report as it is now, with its category's and current unit's names; None when unknown."""
    rows = lake.sql("""
        SELECT r.report_id, r.received_at, r.channel, r.category_code, c.name_vi category_vi, c.name_en category_en,
               r.title, r.description, r.lat, r.lon, r.status, r.is_valid, r.invalid_reason, r.current_unit_id,
               u.name current_unit, r.deadline_at, r.extended_deadline_at, r.resolved_at, r.rating, r.transfers,
               r.first_assigned_at, r.extension_granted_at, r.on_time, r.late_with_extension, r.overdue_closed,
               r.process_type, r.reporter_name, r.reporter_phone, r.source
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
             LEFT JOIN silver.units u ON u.unit_id = r.current_unit_id
        WHERE r.report_id = $id""", {"id": report_id})
    return rows.row(0, named=True) if rows.height else None


def timeline(lake: Lake, report_id: str) -> pl.DataFrame:
    """The report's lifecycle events and the IOC's actions on it, in time order: at, step (the event type,
    or ``ioc_reminder`` / ``ioc_escalation``), the unit (and the unit it went to), the deadline the step set,
    the rating, a note, and who acted (IOC actions)."""
    events = lake.sql("""
        SELECT e.at, e.event_type step, e.unit_id, u.name unit, e.to_unit_id, tu.name to_unit, e.deadline_at,
               e.rating, e.note, CAST(NULL AS VARCHAR) actor
        FROM silver.report_events e LEFT JOIN silver.units u ON u.unit_id = e.unit_id
             LEFT JOIN silver.units tu ON tu.unit_id = e.to_unit_id
        WHERE e.report_id = $id""", {"id": report_id})
    actions = lake.sql("""
        SELECT a.acted_at AS "at", 'ioc_' || a.action step, a.unit_id, u.name unit, CAST(NULL AS VARCHAR) to_unit_id,
               a.escalated_to to_unit, a.deadline_at, CAST(NULL AS VARCHAR) rating, a.note, a.actor
        FROM silver.case_actions a LEFT JOIN silver.units u ON u.unit_id = a.unit_id
        WHERE a.report_id = $id""", {"id": report_id})
    both = pl.concat([events, actions], how="vertical_relaxed")
    return (both.with_columns(pl.col("step").replace_strict(STEP, default=9, return_dtype=pl.Int32).alias("_o"))
            .sort(["at", "_o"]).drop("_o"))


def deadline_in_force(row: dict) -> dt.datetime | None:
    """The deadline a report is judged against now: the extended one when an extension was granted."""
    return row.get("extended_deadline_at") or row.get("deadline_at")


def open_overdue(lake: Lake, at: dt.datetime, limit: int = 200) -> pl.DataFrame:
    """Open reports past the deadline in force at ``at`` (``views.overdue.flag_reports``, the one
    definition), most overdue first, with the unit, the days overdue and how many IOC actions they had."""
    reports = lake.sql("""
        SELECT r.*, c.name_vi category_vi, c.name_en category_en, u.name unit,
               (SELECT count(*) FROM silver.case_actions a WHERE a.report_id = r.report_id) ioc_actions
        FROM silver.reports r LEFT JOIN silver.categories c USING (category_code)
             LEFT JOIN silver.units u ON u.unit_id = r.current_unit_id
        WHERE r.is_valid AND r.resolved_at IS NULL AND r.received_at <= $at""", {"at": at})
    if reports.is_empty():
        return reports
    ref = pl.lit(at).cast(pl.Datetime("us", "UTC"))
    due = pl.coalesce(pl.col("extended_deadline_at"), pl.col("deadline_at"))
    return (flag_reports(reports, at).filter(pl.col("open_overdue"))
            .with_columns(((ref - due).dt.total_seconds() / 86400.0).alias("days_overdue"))
            .sort("days_overdue", descending=True).head(limit)
            .select("report_id", "received_at", "category_code", "category_vi", "category_en", "title",
                    "current_unit_id", "unit", "deadline_at", "extended_deadline_at", "days_overdue",
                    "ioc_actions"))
