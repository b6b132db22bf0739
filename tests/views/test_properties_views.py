"""Properties of the read layer over random periods (hypothesis): the ranking of any period adds up to the
headline of that period, and both equal plain SQL over silver (issue 17 item 3)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lake import Lake
from views.headline import headline
from views.period import Period
from views.ranking import ranking

from .conftest import END, START

SPAN = (END - START).days
RECEIVED_SQL = """SELECT count(*) FROM silver.reports WHERE is_valid
    AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $s AND $e"""

periods = st.tuples(st.integers(0, SPAN), st.integers(0, 60)).map(
    lambda t: (START + dt.timedelta(days=t[0]), min(END, START + dt.timedelta(days=t[0] + t[1]))))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(period=periods)
def test_ranking_totals_equal_the_headline_for_any_period(views_lake: Lake, period: tuple[dt.date, dt.date]) -> None:
    start, end = period
    ranked = ranking(views_lake, Period.range(start, end))
    head = headline(views_lake, start=start, end=end)
    want = views_lake.sql(RECEIVED_SQL, {"s": start, "e": end}).item()
    assert int(ranked["received"].sum()) == head["received"] == want
    for key in ("processed", "on_time", "rated", "satisfied"):
        assert int(ranked[key].sum()) == head[key], key
