"""A report its citizen withdrew is closed: never open overdue, whatever its deadline (issue 17: the status
test in ``classify_reports`` survived every mutation). Expected flags written by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.kpis import classify_reports

UTC = dt.UTC
AS_OF = dt.datetime(2024, 6, 10, tzinfo=UTC)
PAST = dt.datetime(2024, 6, 1, tzinfo=UTC)  # a deadline before AS_OF


def _frame(statuses: list[str | None]) -> pl.DataFrame:
    n = len(statuses)
    ts = pl.Datetime("us", "UTC")
    return pl.DataFrame({"report_id": [f"r{i}" for i in range(n)], "status": statuses,
                         "deadline_at": [PAST] * n, "resolved_at": [None] * n, "extension_granted_at": [None] * n,
                         "extended_deadline_at": [None] * n},
                        schema={"report_id": pl.Utf8, "status": pl.Utf8, "deadline_at": ts, "resolved_at": ts,
                                "extension_granted_at": ts, "extended_deadline_at": ts})


def test_withdrawn_is_never_open_overdue() -> None:
    got = classify_reports(_frame(["open", "withdrawn", None, "pending"]), AS_OF).collect()
    assert got["open_overdue"].to_list() == [True, False, True, True]


def test_without_a_status_column_every_open_report_past_its_deadline_is_overdue() -> None:
    got = classify_reports(_frame(["open", "withdrawn"]).drop("status"), AS_OF).collect()
    assert got["open_overdue"].to_list() == [True, True]
