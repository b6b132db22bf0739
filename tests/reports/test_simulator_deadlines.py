"""The simulator's deadlines, checked by a route of the test's own: the `holidays` package and a plain loop
over days, not core.calendar (issue 17 planted bug: deadlines counted in UTC, 7 hours late)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import polars as pl
import pytest

from pipelines.sources.categories import categories_frame
from pipelines.sources.simulator import SimulatorConfig, simulate

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def nth_working_day_after(day: dt.date, n: int, off: holidays.HolidayBase) -> dt.date:
    """The day of receipt does not count; one received on a day off counts as received on the next
    working day (which then does not count either)."""
    while day.weekday() >= 5 or day in off:
        day += dt.timedelta(days=1)
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            n -= 1
    return day


@pytest.fixture(scope="module")
def timed_assignments() -> pl.DataFrame:
    sim = simulate(SimulatorConfig(seed=3, scale=0.01))
    cats = categories_frame().filter(pl.col("process_type") == "timed").select(
        "category_code", "deadline_working_days")
    reports = sim.reports.unique("report_id", keep="first").select("report_id", "category_code")
    # the unit that finally holds a report: its deadline runs from the last assignment (assigned, or the
    # transfer to it) and is the one carried on the transfer event, else on the assignment
    events = sim.events.unique("event_id").filter(pl.col("event_type").is_in(["assigned", "transferred"]))
    last = events.sort("at").group_by("report_id").last()
    return last.join(reports, on="report_id").join(cats, on="category_code")


def test_timed_deadlines_end_at_17h_vietnam_time_on_the_nth_working_day(timed_assignments: pl.DataFrame) -> None:
    assert timed_assignments.height > 100
    off = holidays.country_holidays("VN", years=range(2019, 2024))
    wrong = []
    for r in timed_assignments.iter_rows(named=True):
        local = r["deadline_at"].replace(tzinfo=dt.UTC).astimezone(HCM)
        start = r["at"].replace(tzinfo=dt.UTC).astimezone(HCM).date()
        want = nth_working_day_after(start, r["deadline_working_days"], off)
        if (local.date(), local.hour, local.minute) != (want, 17, 0):
            wrong.append((r["report_id"], local.isoformat(), want.isoformat()))
    assert wrong == []
