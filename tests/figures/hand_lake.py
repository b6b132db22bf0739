"""The hand-made reports lake of tests/figures: a few units, daily rows, reports and transfers of March 2022,
small enough that a mutant's test run stays well under a second (issue 17, the mutation run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lake import Lake

UTC = dt.UTC
D = dt.date


def units_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"unit_id": pl.Utf8, "name": pl.Utf8, "unit_type": pl.Utf8,
                                      "joined_on": pl.Date, "valid_to": pl.Date}, orient="row")


COUNTS = ("received", "invalid", "processed", "on_time", "late_with_extension", "overdue", "open_overdue",
          "rated", "satisfied")


def daily_frame(rows: list[tuple]) -> pl.DataFrame:
    """(date, area, unit, received, invalid, processed, on_time, late_ext, overdue, open_overdue, rated,
    satisfied)"""
    schema = {"date": pl.Date, "admin_unit_code_2025": pl.Utf8, "unit_id": pl.Utf8,
              **{c: pl.Int64 for c in COUNTS}}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.lit("cat").alias("category_code"), pl.lit("app").alias("channel"))


def reports_frame(rows: list[tuple]) -> pl.DataFrame:
    """(id, unit, area, received_at UTC, hours to resolve, is_valid, status)"""
    out = []
    for rid, unit, area, at, hours, valid, status in rows:
        out.append({"report_id": rid, "current_unit_id": unit, "admin_unit_code_2025": area, "received_at": at,
                    "resolved_at": at + dt.timedelta(hours=hours), "is_valid": valid, "status": status})
    return pl.DataFrame(out, schema={"report_id": pl.Utf8, "current_unit_id": pl.Utf8,
                                     "admin_unit_code_2025": pl.Utf8,
                                     "received_at": pl.Datetime("us", "UTC"), "resolved_at": pl.Datetime("us", "UTC"),
                                     "is_valid": pl.Boolean, "status": pl.Utf8})


def transfers_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"date": pl.Date, "from_unit_id": pl.Utf8, "to_unit_id": pl.Utf8,
                                      "transfers": pl.Int64}, orient="row")


# Vietnam midnight starting 1 March = 17:00 UTC on 28 February; the period ends at 17:00 UTC on 31 March.
START = dt.datetime(2022, 2, 28, 17, tzinfo=UTC)
END = dt.datetime(2022, 3, 31, 17, tzinfo=UTC)


def build_hand_lake(root: Path) -> Lake:
    """See tests/figures/test_ranking_hand_lake.py for the figures worked out by hand."""
    lake = Lake.open(root)
    lake.overwrite("silver.units", units_frame([
        ("U-A", "Phuong A", "state", D(2020, 1, 1), None),
        ("U-B", "Cong ty B", "enterprise", D(2020, 1, 1), None),
        ("U-C", "Xa C", "state", D(2020, 1, 1), None),
        ("U-D", "Huyen D", "state", D(2020, 1, 1), D(2022, 3, 30)),  # left the day before the period's end
        ("U-E", "Phuong E", "state", D(2022, 4, 1), None),  # joined the day after it
        ("U-F", "Phuong F", "state", D(2020, 1, 1), D(2022, 3, 31)),  # still there on the last day
        ("U-G", "Phuong G", "state", D(2022, 3, 31), None),  # joined on the last day
        ("U-H", "Phuong H", "state", None, None),  # joining date unknown
        ("U-I", "Cong ty I", "enterprise", D(2020, 1, 1), None),
    ]))
    lake.overwrite("gold.kpi_daily", daily_frame([
        # date         area   unit   rec inv proc ot  late ovd oo  rated sat
        (D(2022, 3, 1), "X1", "U-A", 6, 0, 5, 4, 1, 1, 0, 4, 3),
        (D(2022, 3, 31), "X2", "U-A", 4, 0, 2, 1, 0, 1, 1, 1, 1),
        (D(2022, 3, 15), "X1", "U-B", 3, 0, 3, 3, 0, 0, 0, 2, 2),
        (D(2022, 2, 28), "X1", "U-A", 100, 0, 0, 0, 0, 0, 0, 0, 0),  # the day before: not counted
        (D(2022, 4, 1), "X1", "U-B", 50, 0, 50, 0, 0, 50, 0, 0, 0),  # the day after: not counted
        (D(2022, 3, 10), "X1", None, 0, 7, 0, 0, 0, 0, 0, 0, 0),  # invalid reports carry no unit
        (D(2022, 3, 20), "X1", "U-C", 0, 2, 0, 0, 0, 0, 0, 0, 0),  # only invalid ones: C stays unranked
    ]))
    lake.overwrite("silver.reports", reports_frame([
        ("a1", "U-A", "X1", START, 10, True, "resolved"),  # received at the period's first instant
        ("a2", "U-A", "X2", START + dt.timedelta(days=5), 30, True, "resolved"),
        ("a3", "U-A", "X1", END - dt.timedelta(hours=1), 60, True, "resolved"),
        ("a4", "U-A", "X1", START - dt.timedelta(seconds=1), 1000, True, "resolved"),  # before the period
        ("a5", "U-A", "X1", END, 1000, True, "resolved"),  # at the exclusive end
        ("a6", "U-A", "X1", START + dt.timedelta(days=2), 1000, False, "resolved"),  # invalid
        ("a7", "U-A", "X1", START + dt.timedelta(days=2), 1000, True, "open"),  # not resolved
        ("n1", None, "X1", START + dt.timedelta(days=2), 1000, True, "resolved"),  # no unit
        ("b1", "U-B", "X1", START + dt.timedelta(days=3), 96, True, "resolved"),
        ("b2", "U-B", "X1", START + dt.timedelta(days=4), 120, True, "resolved"),
    ]))
    lake.overwrite("gold.unit_transfers", transfers_frame([
        (D(2022, 3, 1), "U-A", "U-B", 2),
        (D(2022, 3, 31), "U-B", "U-A", 1),
        (D(2022, 4, 1), "U-A", "U-B", 5),  # after the period
        (D(2022, 2, 28), "U-B", "U-A", 7),  # before it
    ]))
    return lake


