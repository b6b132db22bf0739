"""KPI formulas on hand-made cases (DESIGN.md definitions)."""

import datetime as dt

import polars as pl
import pytest

from core.kpis import classify_reports, rates, speed_part, strict_on_time_rate, unit_score

UTC = dt.UTC


def T(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2022, 5, day, hour, tzinfo=UTC)


def frame(rows):
    cols = ["report_id", "deadline_at", "resolved_at", "extension_granted_at", "extended_deadline_at"]
    return pl.DataFrame([dict(zip(cols, r, strict=True)) for r in rows],
                        schema={c: (pl.String if c == "report_id" else pl.Datetime("us", "UTC")) for c in cols})


def test_classify_each_case():
    df = frame([
        ("on_time", T(10), T(9), None, None),
        ("on_deadline_exactly", T(10), T(10), None, None),
        ("late_with_extension", T(10), T(12), T(9), T(15)),
        ("extension_granted_after_deadline", T(10), T(12), T(11), T(15)),
        ("late_no_extension", T(10), T(12), None, None),
        ("open_overdue", T(10), None, None, None),
        ("open_not_due", T(25), None, None, None),
        ("open_extended_not_due", T(10), None, T(9), T(25)),
        ("open_extended_past_extension", T(10), None, T(9), T(15)),
    ])
    out = classify_reports(df, as_of=T(20)).collect()
    flags = {r["report_id"]: (r["on_time"], r["late_with_extension"], r["overdue_closed"], r["open_overdue"])
             for r in out.iter_rows(named=True)}
    assert flags["on_time"] == (True, False, False, False)
    assert flags["on_deadline_exactly"] == (True, False, False, False)
    assert flags["late_with_extension"] == (False, True, False, False)
    assert flags["extension_granted_after_deadline"] == (False, False, True, False)
    assert flags["late_no_extension"] == (False, False, True, False)
    assert flags["open_overdue"] == (False, False, False, True)
    assert flags["open_not_due"] == (False, False, False, False)
    assert flags["open_extended_not_due"] == (False, False, False, False)
    assert flags["open_extended_past_extension"] == (False, False, False, True)


def test_strict_on_time_rate_counts_open_backlog():
    # 6 closed on time of 10 closed, and 5 open past their deadline: 6 / 15, not 6 / 10
    assert strict_on_time_rate(6, 10, 5) == pytest.approx(0.4)
    assert strict_on_time_rate(0, 0, 0) is None


def test_rates_from_counts():
    r = rates({"received": 200, "processed": 150, "on_time": 90, "late_with_extension": 55, "overdue": 8,
               "open_overdue": 3, "rated": 60, "satisfied": 45})
    assert r["processed_rate"] == pytest.approx(0.75)
    assert r["on_time_rate"] == pytest.approx(0.6)
    assert r["late_with_extension_rate"] == pytest.approx(55 / 150)
    assert r["strict_on_time_rate"] == pytest.approx(90 / 153)
    assert r["satisfaction_rate"] == pytest.approx(0.75)
    assert r["participation_rate"] == pytest.approx(0.4)
    assert rates({})["processed_rate"] is None  # nothing received: no rate, not 0 %


def test_unit_score_parts_add_up_and_renormalise():
    w = {"on_time": 0.4, "satisfaction": 0.3, "processed": 0.2, "speed": 0.1}
    score, parts = unit_score({"on_time": 0.5, "satisfaction": 1.0, "processed": 1.0, "speed": 0.5}, w)
    assert score == pytest.approx(100 * (0.4 * 0.5 + 0.3 + 0.2 + 0.1 * 0.5))
    assert sum(parts.values()) == pytest.approx(score)
    # no ratings yet: satisfaction drops out, the rest is renormalised to 100
    score2, parts2 = unit_score({"on_time": 1.0, "satisfaction": None, "processed": 1.0, "speed": 1.0}, w)
    assert score2 == pytest.approx(100.0)
    assert parts2["satisfaction"] is None


def test_speed_part():
    assert speed_part(10) == 1.0
    assert speed_part(96) == pytest.approx(0.5)
    assert speed_part(None) is None


def test_shrinkage_keeps_small_units_from_topping_on_luck():
    from core.kpis import shrunk

    # 2 of 2 on time is not better evidence than 90 of 100
    assert shrunk(2, 2, 0.5, k=10) < shrunk(90, 100, 0.5, k=10)
    assert shrunk(90, 100, 0.5, k=0) == pytest.approx(0.9)
    assert shrunk(0, 0, 0.5, k=10) == pytest.approx(0.5)  # no evidence: the city's rate
    assert shrunk(3, 4, None) == pytest.approx(0.75)
