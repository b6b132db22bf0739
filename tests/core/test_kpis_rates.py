"""KPI rates and per-report flags on hand-made cases (DESIGN.md "KPI definitions")."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from core.kpis import classify_reports, rates, ratio, strict_on_time_rate


def test_ratio():
    assert ratio(3, 4) == 0.75
    assert ratio(0, 5) == 0.0  # a real 0 %, not "no figure"
    assert ratio(3, 0) is None
    assert ratio(None, 4) is None
    assert ratio(1, None) is None


def test_strict_on_time_rate():
    # 6 of 10 closed on time, 5 open past their deadline: 6 / 15
    assert strict_on_time_rate(6, 10, 5) == pytest.approx(0.4)
    assert strict_on_time_rate(6, 10, 0) == pytest.approx(0.6)
    assert strict_on_time_rate(0, 0, 3) == 0.0  # only backlog: 0 %, not "no figure"
    assert strict_on_time_rate(0, 0, 0) is None


def test_every_rate_on_one_hand_case():
    # 40 received (+3 invalid, counted apart), 30 processed: 18 on time, 9 late with extension, 3 overdue;
    # 2 open overdue; 12 rated of which 9 satisfied.
    r = rates({"received": 40, "invalid": 3, "processed": 30, "on_time": 18, "late_with_extension": 9,
               "overdue": 3, "open_overdue": 2, "rated": 12, "satisfied": 9})
    assert r == {
        "processed_rate": pytest.approx(30 / 40),  # 0.75
        "on_time_rate": pytest.approx(18 / 30),  # 0.6
        "late_with_extension_rate": pytest.approx(9 / 30),  # 0.3
        "overdue_rate": pytest.approx(3 / 30),  # 0.1
        "strict_on_time_rate": pytest.approx(18 / 32),  # 0.5625: the 2 open overdue count against it
        "satisfaction_rate": pytest.approx(9 / 12),  # 0.75
        "participation_rate": pytest.approx(12 / 30),  # 0.4
    }


def test_rates_with_missing_or_null_counts():
    # missing and null counts are 0; a rate over nothing is None, never 0 %
    r = rates({"received": 5, "processed": None, "rated": 0})
    assert r["processed_rate"] == 0.0
    assert r["on_time_rate"] is None and r["participation_rate"] is None and r["satisfaction_rate"] is None
    assert r["strict_on_time_rate"] is None
    r = rates({"received": 5, "processed": 2, "open_overdue": 2})
    assert r["strict_on_time_rate"] == 0.0 and r["overdue_rate"] == 0.0
    assert all(v is None for v in rates({}).values())


UTC = dt.UTC
NOON = dt.datetime(2022, 5, 10, 12, tzinfo=UTC)


def T(hours: float) -> dt.datetime:
    return NOON + dt.timedelta(hours=hours)


def _flags(rows, as_of):
    cols = ["report_id", "deadline_at", "resolved_at", "extension_granted_at", "extended_deadline_at"]
    df = pl.DataFrame([dict(zip(cols, r, strict=True)) for r in rows],
                      schema={c: (pl.String if c == "report_id" else pl.Datetime("us", "UTC")) for c in cols})
    out = classify_reports(df, as_of).collect()
    return {r["report_id"]: (r["on_time"], r["late_with_extension"], r["overdue_closed"], r["open_overdue"])
            for r in out.iter_rows(named=True)}


def test_classify_boundaries():
    # deadline at T(0) for all; as of T(0) exactly or later
    f = _flags([
        ("ext_at_deadline", T(0), T(5), T(0), T(24)),  # extension granted at the deadline itself counts
        ("ext_after", T(0), T(5), T(0.01), T(24)),  # a moment later it does not
        ("resolved_a_moment_late", T(0), T(0.01), None, None),
        ("open_at_deadline", T(0), None, None, None),  # as of the deadline itself: not yet overdue
        ("open_no_deadline", None, None, None, None),  # no deadline: never overdue, never null
        ("closed_no_deadline", None, T(1), None, None),
        ("ext_without_new_deadline", T(0), None, T(-1), None),  # granted, no new date: the original holds
        ("extended_but_on_time", T(0), T(0), T(-1), T(24)),  # closed at the deadline: on time, not "late"
        ("closed_no_deadline_extended", None, T(1), T(0), T(24)),  # no deadline to compare: no flag
    ], as_of=T(0))
    assert f["ext_at_deadline"] == (False, True, False, False)
    assert f["ext_after"] == (False, False, True, False)
    assert f["resolved_a_moment_late"] == (False, False, True, False)
    assert f["open_at_deadline"] == (False, False, False, False)
    assert f["open_no_deadline"] == (False, False, False, False)
    assert f["closed_no_deadline"] == (False, False, False, False)
    assert f["ext_without_new_deadline"] == (False, False, False, False)
    assert f["extended_but_on_time"] == (True, False, False, False)
    assert f["closed_no_deadline_extended"] == (False, False, False, False)
    later = _flags([("open", T(0), None, None, None), ("ext_without_new_deadline", T(0), None, T(-1), None),
                    ("extended", T(0), None, T(-1), T(2)), ("ext_late", T(0), None, T(1), T(48))],
                   as_of=T(1))
    assert later["open"] == (False, False, False, True)
    assert later["ext_without_new_deadline"] == (False, False, False, True)
    assert later["extended"] == (False, False, False, False)  # within the extension
    assert later["ext_late"] == (False, False, False, True)  # granted after the deadline: does not extend it


def test_classify_as_of_is_read_as_an_instant():
    # as_of 19:00 Vietnam time = 12:00 UTC: a deadline at 12:00 UTC is not yet passed
    vn = dt.timezone(dt.timedelta(hours=7))
    f = _flags([("r", T(0), None, None, None)], as_of=dt.datetime(2022, 5, 10, 19, tzinfo=vn))
    assert f["r"] == (False, False, False, False)
    f = _flags([("r", T(0), None, None, None)], as_of=dt.datetime(2022, 5, 10, 19, 1, tzinfo=vn))
    assert f["r"] == (False, False, False, True)
