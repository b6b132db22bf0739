"""Edges of the decree schedule that the other fine tests leave open (issue 17, surviving mutants of
``core.fines``): no decree before the schedule starts, and a naive time is UTC whatever the machine's zone."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from core.fines import day_of, decree_on


def test_no_decree_before_the_schedule() -> None:
    # the schedule starts on 2016-08-01 (Nghị định 46/2016/NĐ-CP)
    assert decree_on(dt.date(2016, 7, 31)) is None
    assert decree_on(dt.date(2016, 8, 1)) == "46/2016/NĐ-CP"


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch):
    # a server whose local zone is not UTC: a naive time must not be read as local time
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_naive_time_is_utc_on_any_machine(new_york: None) -> None:
    # 2024-12-31 16:30 UTC is 23:30 in Huế; read as New York time (21:30 UTC) it would be the 1st
    assert day_of(dt.datetime(2024, 12, 31, 16, 30)) == dt.date(2024, 12, 31)
    assert day_of(dt.datetime(2024, 12, 31, 17, 30)) == dt.date(2025, 1, 1)
    # an aware time keeps its zone: 12:00 at UTC-5 is 17:00 UTC, midnight of the 1st in Huế
    minus5 = dt.timezone(dt.timedelta(hours=-5))
    assert day_of(dt.datetime(2024, 12, 31, 12, 0, tzinfo=minus5)) == dt.date(2025, 1, 1)
    assert day_of(dt.date(2024, 12, 31)) == dt.date(2024, 12, 31)
