"""The ranking answered from answers kept per Delta version (no statement per call) equals the ranking of the
statements (the route of an engine that keeps nothing and of area filters), frame for frame, on the demo
lake and the hand lake; its medians and scores equal plain SQL written here; and a new Delta version of a
table it reads is seen."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from core.kpis import score_parts, unit_score
from core.settings import settings
from lake import Lake
from tests.figures.hand_lake import build_hand_lake, daily_frame, reports_frame, transfers_frame
from tests.routes import StatementRoute
from views.period import Period
from views.ranking import RANK_COUNTS, ranking

from .conftest import END, START

TYPES: tuple[tuple[str, ...], ...] = ((), ("state",), ("enterprise",), ("enterprise", "state"), ("nobody",))


def _periods(first: dt.date, last: dt.date, seed: int) -> list[Period]:
    """Every month and quarter touching [first, last], and random ranges a little past both ends."""
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append(Period.month(y, m))
        if (m - 1) % 3 == 0:
            out.append(Period.quarter(y, (m - 1) // 3 + 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    rng = random.Random(seed)
    span = (last - first).days + 20
    for _ in range(6):
        a = first - dt.timedelta(days=10) + dt.timedelta(days=rng.randrange(span))
        out.append(Period.range(a, a + dt.timedelta(days=rng.randrange(40))))
    out.append(Period.range(first, first))  # a single day
    out.append(Period.range(last + dt.timedelta(days=30), last + dt.timedelta(days=60)))  # past the data
    out.append(Period.range(first - dt.timedelta(days=400), last + dt.timedelta(days=400)))  # all time: every row
    return out


def _same_both_routes(lake: Lake, periods: Sequence[Period]) -> None:
    assert lake.keeps_results
    for period in periods:
        for types in TYPES:
            kept, stated = ranking(lake, period, unit_types=types), ranking(StatementRoute(lake), period,
                                                                             unit_types=types)
            try:
                assert_frame_equal(kept, stated, check_exact=True)
            except AssertionError as e:
                raise AssertionError(f"{period} {types}: {e}") from None


def test_kept_route_equals_the_statements_on_the_demo_lake(views_lake: Lake) -> None:
    _same_both_routes(views_lake, _periods(START, END, seed=3))


def test_kept_route_equals_the_statements_on_the_hand_lake(tmp_path: Path) -> None:
    _same_both_routes(build_hand_lake(tmp_path / "lake"), _periods(dt.date(2022, 2, 1), dt.date(2022, 4, 30), 5))


def _by_sql(lake: Lake, period: Period, types: tuple[str, ...]) -> dict[str, dict]:
    """Each ranked unit's counts, median hours and score from plain SQL (counts from gold.kpi_daily, medians
    from silver.reports, the units' types by a join) and core.kpis."""
    t = {"t": list(types), "all": not types}
    p, p_ts = {"s": period.start, "e": period.end, **t}, {"s_ts": period.start_ts, "e_ts": period.end_ts, **t}
    typed = "($all OR list_contains($t::VARCHAR[], u.unit_type))"
    counts = lake.sql(f"""
        SELECT k.unit_id, {', '.join(f'sum(k.{c})::BIGINT AS {c}' for c in RANK_COUNTS)}
        FROM gold.kpi_daily k LEFT JOIN silver.units u ON u.unit_id = k.unit_id
        WHERE k.date >= $s AND k.date <= $e AND k.unit_id IS NOT NULL AND {typed}
        GROUP BY k.unit_id HAVING sum(k.received) > 0""", p)
    resolved = f"""FROM silver.reports r LEFT JOIN silver.units u ON u.unit_id = r.current_unit_id
        WHERE r.is_valid AND r.status = 'resolved' AND r.current_unit_id IS NOT NULL
          AND r.received_at >= $s_ts AND r.received_at < $e_ts AND {typed}"""
    hours = "epoch(r.resolved_at - r.received_at) / 3600.0"
    medians = dict(lake.sql(f"SELECT r.current_unit_id, median({hours}) {resolved} GROUP BY 1", p_ts).iter_rows())
    overall = lake.sql(f"SELECT median({hours}) {resolved}", p_ts).item()
    prior = {c: int(counts[c].sum()) for c in RANK_COUNTS}
    weights = dict(settings().score_weights)
    out = {}
    for row in counts.iter_rows(named=True):
        median = medians.get(row["unit_id"])
        out[row["unit_id"]] = {**row, "median": median,
                               "score": unit_score(score_parts(row, median, prior, overall), weights)[0]}
    return out


@pytest.mark.parametrize("types", [(), ("state",), ("enterprise",)])
def test_kept_medians_and_scores_equal_plain_sql(views_lake: Lake, types: tuple[str, ...]) -> None:
    for period in (Period.month(2022, 2), Period.quarter(2022, 1), Period.range(dt.date(2022, 3, 5),
                                                                                   dt.date(2022, 4, 17))):
        got = ranking(views_lake, period, unit_types=types).filter(pl.col("received") > 0)
        want = _by_sql(views_lake, period, types)
        assert len(want) > 0 and sorted(got["unit_id"].to_list()) == sorted(want), (period, types)
        for row in got.iter_rows(named=True):
            w = want[row["unit_id"]]
            assert {c: row[c] for c in RANK_COUNTS} == {c: w[c] for c in RANK_COUNTS}
            assert row["median_hours_to_resolve"] == w["median"], (period, types, row["unit_id"])
            assert row["score"] == w["score"], (period, types, row["unit_id"])


def test_kept_route_issues_no_statement(views_lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    period = Period.quarter(2022, 2)
    for types in ((), ("state",)):
        ranking(views_lake, period, unit_types=types)  # the first call after a version fills the memo
    statements: list[str] = []
    engine = views_lake._engine
    real = engine.sql
    monkeypatch.setattr(engine, "sql", lambda q, params=None: statements.append(q) or real(q, params))
    for types in ((), ("state",)):
        ranking(views_lake, Period.month(2022, 4), unit_types=types)
    assert statements == []
    ranking(views_lake, period, areas=["no-such-area"])  # an area filter takes the statements
    assert len(statements) == 2


def test_kept_route_sees_a_new_version_of_each_table(tmp_path: Path) -> None:
    lake = build_hand_lake(tmp_path / "lake")
    march = Period.month(2022, 3)
    before = ranking(lake, march).row(by_predicate=pl.col("unit_id") == "U-B", named=True)
    assert (before["received"], before["median_hours_to_resolve"], before["transfers_in"]) == (3, 108.0, 2)
    at = dt.datetime(2022, 3, 5, tzinfo=dt.UTC)
    lake.overwrite("silver.reports", reports_frame([("b1", "U-B", "X1", at, 10, True, "resolved")]))
    lake.overwrite("gold.kpi_daily", daily_frame([(dt.date(2022, 3, 5), "X1", "U-B", 9, 0, 1, 1, 0, 0, 0, 0, 0)]))
    lake.overwrite("gold.unit_transfers", transfers_frame([(dt.date(2022, 3, 9), "U-A", "U-B", 5)]))
    after = ranking(lake, march)
    assert after["unit_id"].to_list()[0] == "U-B" and after["rank"].to_list()[:2] == [1, None]
    b = after.row(0, named=True)
    assert (b["received"], b["processed"], b["median_hours_to_resolve"], b["transfers_in"]) == (9, 1, 10.0, 5)
    assert_frame_equal(after, ranking(StatementRoute(lake), march), check_exact=True)
