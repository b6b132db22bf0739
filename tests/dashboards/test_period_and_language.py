"""The sidebar's period: switching the language keeps it, and the default is the last complete month of
the data (not the last 30 days, whose still-open tail shows as a drop). Browser-free: Streamlit's AppTest
runs the real app and its session state."""

from __future__ import annotations

import datetime as dt

from tests.dashboards.conftest import last_day, no_errors
from views.filters import Filters
from views.period import Period


def _period(at) -> Period:
    f = at.session_state["filters"]
    assert isinstance(f, Filters)
    return f.period


def _last_complete_month(last: dt.date) -> Period:
    """By hand: the month of the last data day if that day ends its month, else the month before."""
    nxt = last + dt.timedelta(days=1)
    if nxt.month != last.month:
        return Period.month(last.year, last.month)
    first = last.replace(day=1) - dt.timedelta(days=1)
    return Period.month(first.year, first.month)


def test_default_period_is_the_last_complete_month(reports_lake, make_app):
    at = make_app(reports_lake).run()
    no_errors(at)
    assert _period(at) == _last_complete_month(last_day(reports_lake))


def test_switching_language_keeps_every_kind_of_period(reports_lake, make_app):
    at = make_app(reports_lake).run()
    last = last_day(reports_lake)
    # a month that is not the default one
    at.selectbox(key="period_preset").set_value("month").run()
    months = at.selectbox(key="period_month").options
    assert len(months) >= 3
    at.selectbox(key="period_month").set_value(at.selectbox(key="period_month").options[2]).run()
    picked = _period(at)
    at.radio(key="lang").set_value("en").run()
    no_errors(at)
    assert _period(at) == picked
    at.radio(key="lang").set_value("vi").run()
    assert _period(at) == picked
    # a quarter
    at.selectbox(key="period_preset").set_value("quarter").run()
    at.selectbox(key="period_quarter").set_value(at.selectbox(key="period_quarter").options[1]).run()
    picked = _period(at)
    at.radio(key="lang").set_value("en").run()
    assert _period(at) == picked
    at.radio(key="lang").set_value("vi").run()
    assert _period(at) == picked
    # a range preset
    at.selectbox(key="period_preset").set_value("90").run()
    picked = _period(at)
    assert picked.end == last and picked.days == 90
    at.radio(key="lang").set_value("en").run()
    assert _period(at) == picked


def test_switching_language_keeps_custom_dates(reports_lake, make_app):
    at = make_app(reports_lake).run()
    last = last_day(reports_lake)
    at.selectbox(key="period_preset").set_value("custom").run()
    days = (last - dt.timedelta(days=50), last - dt.timedelta(days=40))
    at.date_input(key="period_custom").set_value(days).run()
    picked = _period(at)
    assert (picked.start, picked.end) == days
    at.radio(key="lang").set_value("en").run()
    no_errors(at)
    assert _period(at) == picked
    at.radio(key="lang").set_value("vi").run()
    assert _period(at) == picked
