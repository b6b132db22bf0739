"""The headline of some areas and categories, answered on the lake from per-(day, area, category) totals
kept per Delta version, equals plain SQL over gold.kpi_daily written here, and equals the views' filtered
statement (the route an engine that keeps nothing takes) for random periods and filters."""

from __future__ import annotations

import datetime as dt
import math
import random

import polars as pl
import pytest

from core.kpis import COUNT_KEYS
from lake import Lake
from views.headline import headline

from .conftest import END, START, StatementRoute

SUMS = ", ".join(f"coalesce(sum({k}), 0) AS {k}" for k in COUNT_KEYS)


def _by_sql(lake: Lake, start: dt.date | None, end: dt.date | None, areas: list[str], cats: list[str]) -> dict:
    got = lake.sql(f"SELECT {SUMS}, sum(hours_to_resolve_sum) AS hours FROM gold.kpi_daily "
                   "WHERE ($s IS NULL OR date >= $s) AND ($e IS NULL OR date <= $e) "
                   "AND (len($a) = 0 OR admin_unit_code_2025 IN (SELECT unnest($a))) "
                   "AND (len($c) = 0 OR category_code IN (SELECT unnest($c)))",
                   {"s": start, "e": end, "a": areas, "c": cats}).row(0, named=True)
    mean = None if got["hours"] is None or not got["processed"] else got["hours"] / float(got["processed"])
    return {**{k: int(got[k]) for k in COUNT_KEYS}, "mean": mean}


def _cases(lake: Lake) -> list[tuple]:
    areas = lake.sql("SELECT DISTINCT admin_unit_code_2025 a FROM gold.kpi_daily WHERE a IS NOT NULL "
                     "ORDER BY 1")["a"].to_list()
    cats = lake.sql("SELECT DISTINCT category_code c FROM gold.kpi_daily ORDER BY 1")["c"].to_list()
    rng = random.Random(5)
    out = [(START, END, areas[:1], []), (None, None, [], cats[:2]), (None, dt.date(2022, 2, 10), areas[:3], cats[:1]),
           (dt.date(2022, 3, 15), None, areas[-2:], []), (START, END, ["không-có"], []),
           (dt.date(2030, 1, 1), dt.date(2030, 1, 31), areas[:1], cats[:1])]
    for _ in range(8):
        a = START + dt.timedelta(days=rng.randrange(140))
        out.append((a, a + dt.timedelta(days=rng.randrange(1, 60)), rng.sample(areas, rng.randint(0, 3)),
                    rng.sample(cats, rng.randint(1 if not out[-1][2] else 0, 2))))
    return out


def test_headline_of_areas_and_categories_equals_plain_sql_and_the_statement(views_lake: Lake) -> None:
    for start, end, areas, cats in _cases(views_lake):
        kept = headline(views_lake, start, end, areas, cats)
        stated = headline(StatementRoute(views_lake), start, end, areas, cats)  # type: ignore[arg-type]
        want = _by_sql(views_lake, start, end, areas, cats)
        case = (start, end, areas, cats)
        assert {k: kept[k] for k in COUNT_KEYS} == {k: want[k] for k in COUNT_KEYS}, case
        assert {k: stated[k] for k in COUNT_KEYS} == {k: want[k] for k in COUNT_KEYS}, case
        assert kept["units"] == stated["units"], case
        if want["mean"] is None:
            assert kept["mean_hours_to_resolve"] is None and stated["mean_hours_to_resolve"] is None, case
        else:  # the same sums added in another order: equal to the last bits of a double
            assert math.isclose(kept["mean_hours_to_resolve"], want["mean"], rel_tol=1e-12), case


def test_headline_of_an_area_follows_a_new_gold_version(tmp_path) -> None:
    lake = Lake.open(tmp_path / "lake", role="service")
    day = dt.date(2022, 1, 5)
    row = {"date": day, "category_code": "c", "channel": "app", "admin_unit_code_2025": "a", "unit_id": "u1",
           **dict.fromkeys(COUNT_KEYS, 1), "hours_to_resolve_sum": 2.0}
    lake.overwrite("silver.units", pl.DataFrame({"unit_id": ["u1"], "joined_on": [dt.date(2020, 1, 1)]}))
    lake.overwrite("gold.kpi_daily", pl.DataFrame([row, row | {"admin_unit_code_2025": None, "received": 5}]))
    assert headline(lake, day, day, ["a"], ["c"])["received"] == 1
    assert headline(lake, day, day, None, ["c"])["received"] == 6  # a report without an area has a category
    lake.overwrite("gold.kpi_daily", pl.DataFrame([row | {"received": 7}]))
    assert headline(lake, day, day, ["a"])["received"] == 7
    assert headline(lake, day, day, ["b"])["received"] == 0


@pytest.mark.parametrize("start", [START, None])
def test_whole_network_statement_route_equals_the_kept_route(views_lake: Lake, start: dt.date | None) -> None:
    kept, stated = headline(views_lake, start, END), headline(StatementRoute(views_lake), start, END)  # type: ignore[arg-type]
    assert {k: kept[k] for k in (*COUNT_KEYS, "units")} == {k: stated[k] for k in (*COUNT_KEYS, "units")}


def test_an_engine_that_says_nothing_of_keeping_gets_the_statements(views_lake: Lake) -> None:
    """Every view reads ``keeps_results`` the same way: an engine without it keeps nothing."""
    from tests.routes import PlainEngine
    from views.filters import Filters
    from views.trends import slices

    plain = PlainEngine(views_lake)
    assert headline(plain, START, END)["received"] == headline(views_lake, START, END)["received"]  # type: ignore[arg-type]
    assert slices(plain, Filters.of(START, END)).height == slices(views_lake, Filters.of(START, END)).height  # type: ignore[arg-type]
