"""Invariants over random inputs (hypothesis): deadlines, score parts, rates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import VN_TZ, add_working_days, is_working_day
from core.kpis import rates, shrunk, unit_score

# Receipt moments inside the calendar's years, in any of a few zones (the deadline must not care).
ZONES = st.sampled_from([dt.UTC, VN_TZ, dt.timezone(dt.timedelta(hours=-5))])
STARTS = st.builds(lambda d, z: d.replace(tzinfo=dt.UTC).astimezone(z),
                   st.datetimes(min_value=dt.datetime(2018, 1, 2), max_value=dt.datetime(2029, 12, 1)), ZONES)


@settings(max_examples=100, deadline=None)
@given(STARTS, st.integers(min_value=1, max_value=30))
def test_deadline_is_a_working_day_at_17_vietnam_time_after_the_start(start, n):
    due = add_working_days(start, n)
    local = due.astimezone(VN_TZ)
    assert local.time() == dt.time(17, 0)
    assert is_working_day(local.date())
    assert due > start
    # exactly n working days lie after the day of receipt, the deadline's day included; a report received
    # on a day off counts as received on the next working day, which is then not one of the n
    received = start.astimezone(VN_TZ).date()
    day, count = received, 0
    while day < local.date():
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    assert count == n + (0 if is_working_day(received) else 1)


@settings(max_examples=100, deadline=None)
@given(STARTS, st.integers(min_value=0, max_value=25), st.integers(min_value=1, max_value=10))
def test_more_working_days_never_give_an_earlier_deadline(start, n, extra):
    assert add_working_days(start, n + extra) > add_working_days(start, n)


WEIGHTS = st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=4, max_size=4).map(
    lambda ws: dict(zip(("on_time", "satisfaction", "processed", "speed"), (w / sum(ws) for w in ws), strict=True)))
PART = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({k: PART for k in ("on_time", "satisfaction", "processed", "speed")}), WEIGHTS)
def test_score_parts_add_up_to_the_score(parts, weights):
    score, points = unit_score(parts, weights)
    if all(v is None for v in parts.values()):
        assert score is None and all(p is None for p in points.values())
        return
    assert score == pytest.approx(sum(p for p in points.values() if p is not None), abs=1e-9)
    assert 0.0 <= score <= 100.0 + 1e-9
    for k, v in parts.items():
        assert (points[k] is None) == (v is None)


@st.composite
def counts(draw):
    """Consistent counts of one unit: what is processed was received, ratings come from processed reports."""
    received = draw(st.integers(0, 500))
    processed = draw(st.integers(0, received))
    on_time = draw(st.integers(0, processed))
    lwe = draw(st.integers(0, processed - on_time))
    overdue = processed - on_time - lwe
    open_overdue = draw(st.integers(0, received - processed))
    rated = draw(st.integers(0, processed))
    satisfied = draw(st.integers(0, rated))
    return {"received": received, "processed": processed, "on_time": on_time, "late_with_extension": lwe,
            "overdue": overdue, "open_overdue": open_overdue, "rated": rated, "satisfied": satisfied}


@settings(max_examples=300, deadline=None)
@given(counts())
def test_rates_are_within_0_and_1_or_none(c):
    r = rates(c)
    for name, v in r.items():
        assert v is None or 0.0 <= v <= 1.0, name
    assert (r["processed_rate"] is None) == (c["received"] == 0)
    assert (r["on_time_rate"] is None) == (c["processed"] == 0)
    if c["processed"]:  # on time + late with extension + overdue = processed
        total = r["on_time_rate"] + r["late_with_extension_rate"] + r["overdue_rate"]
        assert total == pytest.approx(1.0)
        assert r["strict_on_time_rate"] <= r["on_time_rate"] + 1e-12


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 1000), st.integers(0, 1000), st.floats(0.0, 1.0))
def test_shrunk_rate_lies_between_the_unit_and_the_city(num, den, prior):
    num = min(num, den)
    s = shrunk(num, den, prior)
    assert 0.0 <= s <= 1.0
    if den:
        lo, hi = sorted((num / den, prior))
        assert lo - 1e-12 <= s <= hi + 1e-12
