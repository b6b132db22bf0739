"""The reports map answers the same from its kept index (keeps_results True) as from its statements (an
engine that keeps nothing), its newest N and its counts equal plain SQL written here, and a new Delta version
of silver.reports (new values among them) is seen at once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from tests.views.test_unit_detail_routes import PERIODS
from views.filters import Filters
from views.newest import data_clock
from views.reports_map import map_reports, map_reports_total, unlocated_count

from .conftest import StatementRoute


def _top(lake: Lake, column: str, n: int) -> tuple[str, ...]:
    return tuple(lake.sql(f"SELECT {column} v FROM silver.reports WHERE is_valid AND {column} IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $n", {"n": n})["v"])


def _picks(lake: Lake) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    """(statuses, categories, channels): none, each alone, together, and a value nobody has."""
    st, cats, chans = _top(lake, "status", 2), _top(lake, "category_code", 3), _top(lake, "channel", 1)
    return [((), (), ()), (st[:1], (), ()), ((), cats, ()), ((), (), chans), (st, cats[:2], chans),
            ((), ("no-such-category",), ()), (("resolved", "no-such-status"), (), ())]


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("by_area", [False, True])
def test_kept_and_statement_routes_agree(views_lake: Lake, start: dt.date, end: dt.date, by_area: bool) -> None:
    f = Filters.of(start, end, _top(views_lake, "admin_unit_code_2025", 2) if by_area else ())
    at = data_clock(views_lake)
    plain = StatementRoute(views_lake)
    for picked in _picks(views_lake):
        for limit in (20_000, 50, 1, None):
            kept = map_reports(views_lake, f, *picked, at=at, limit=limit)
            stated = map_reports(plain, f, *picked, at=at, limit=limit)
            assert kept.schema == stated.schema
            assert kept.equals(stated)
        assert map_reports_total(views_lake, f, *picked) == map_reports_total(plain, f, *picked)
        assert unlocated_count(views_lake, f, *picked) == unlocated_count(plain, f, *picked)


COUNT = """SELECT count(*) FILTER (WHERE lat IS NOT NULL AND lon IS NOT NULL) located,
                  count(*) FILTER (WHERE lat IS NULL OR lon IS NULL) unlocated
           FROM silver.reports WHERE is_valid
             AND timezone('Asia/Ho_Chi_Minh', received_at)::DATE BETWEEN $s AND $e
             AND ($all_areas OR admin_unit_code_2025 IN (SELECT unnest($areas::VARCHAR[])))
             AND ($all_cats OR category_code IN (SELECT unnest($cats::VARCHAR[])))"""
NEWEST = """SELECT report_id FROM silver.reports WHERE is_valid AND lat IS NOT NULL AND lon IS NOT NULL
              AND timezone('Asia/Ho_Chi_Minh', received_at)::DATE BETWEEN $s AND $e
              AND ($all_areas OR admin_unit_code_2025 IN (SELECT unnest($areas::VARCHAR[])))
              AND ($all_cats OR category_code IN (SELECT unnest($cats::VARCHAR[])))
            ORDER BY received_at DESC, report_id LIMIT $n"""


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
@pytest.mark.parametrize(("n_areas", "n_cats"), [(0, 0), (2, 0), (0, 2), (3, 1)])
def test_counts_and_newest_equal_plain_sql(views_lake: Lake, start: dt.date, end: dt.date, n_areas: int,
                                           n_cats: int) -> None:
    areas, cats = _top(views_lake, "admin_unit_code_2025", n_areas), _top(views_lake, "category_code", n_cats)
    f = Filters.of(start, end, areas if n_areas else ())
    params = {"s": start, "e": end, "all_areas": not n_areas, "areas": list(areas), "all_cats": not n_cats,
              "cats": list(cats)}
    want = views_lake.sql(COUNT, params).row(0, named=True)
    picked = ((), cats if n_cats else (), ())
    assert map_reports_total(views_lake, f, *picked) == want["located"] > 0
    assert unlocated_count(views_lake, f, *picked) == want["unlocated"]
    for n in (want["located"] // 3 + 1, want["located"] + 5):
        got = map_reports(views_lake, f, *picked, at=data_clock(views_lake), limit=n)
        assert got["report_id"].to_list() == views_lake.sql(NEWEST, params | {"n": n})["report_id"].to_list()


def test_a_new_version_of_the_reports_is_seen(views_lake: Lake, tmp_path: Path) -> None:
    shutil.copytree(views_lake.root, tmp_path / "lake")
    lake = Lake.open(tmp_path / "lake")
    f = Filters.of(*PERIODS[0])
    at = data_clock(lake)
    before = map_reports(lake, f, at=at, limit=10)
    total = map_reports_total(lake, f)
    # a report newer than all, of a category, channel and area nobody had, and the newest report loses its place
    newest = lake.sql("SELECT * FROM silver.reports WHERE is_valid AND lat IS NOT NULL ORDER BY received_at DESC, "
                      "report_id LIMIT 1")
    new = newest.with_columns(report_id=pl.lit("ZZ-new-1"), received_at=pl.col("received_at") + pl.duration(minutes=1),
                              category_code=pl.lit("new-cat"), channel=pl.lit("new-channel"),
                              admin_unit_code_2025=pl.lit("new-area"))
    moved = newest.with_columns(lat=pl.lit(None, pl.Float64))
    lake.merge("silver.reports", pl.concat([new, moved]))
    after = map_reports(lake, f, at=at, limit=10)
    assert after["report_id"].to_list() == ["ZZ-new-1", *before["report_id"].to_list()[1:], *after["report_id"][10:]]
    assert map_reports_total(lake, f) == total
    plain = StatementRoute(lake)
    for picked in (((), ("new-cat",), ()), ((), (), ("new-channel",)), ((), (), ())):
        for g in (f, Filters.of(*PERIODS[0], ("new-area",))):
            assert map_reports(lake, g, *picked, at=at, limit=10).equals(map_reports(plain, g, *picked, at=at, limit=10))
            assert map_reports_total(lake, g, *picked) == map_reports_total(plain, g, *picked)
            assert unlocated_count(lake, g, *picked) == unlocated_count(plain, g, *picked)
    assert map_reports(lake, f, (), ("new-cat",), (), at=at, limit=10)["report_id"].to_list() == ["ZZ-new-1"]
    assert unlocated_count(lake, f) == unlocated_count(views_lake, f) + 1


def test_reports_within_one_second_are_cut_as_the_statement_cuts(views_lake: Lake, tmp_path: Path) -> None:
    # the index keeps whole seconds: reports received in the same second as the cut-off, and one on the next
    # second's boundary, must still give the statement's newest N
    shutil.copytree(views_lake.root, tmp_path / "lake")
    lake = Lake.open(tmp_path / "lake")
    newest = lake.sql("SELECT * FROM silver.reports WHERE is_valid AND lat IS NOT NULL ORDER BY received_at DESC, "
                      "report_id LIMIT 1")
    second = newest["received_at"][0].replace(microsecond=0) + dt.timedelta(minutes=5)
    rows = [newest.with_columns(report_id=pl.lit(rid), received_at=pl.lit(at, pl.Datetime("us", "UTC")))
            for rid, at in (("ZZ-a", second + dt.timedelta(microseconds=700)), ("ZZ-b", second),
                            ("ZZ-c", second + dt.timedelta(microseconds=700)), ("ZZ-d", second + dt.timedelta(seconds=1)),
                            ("ZZ-e", second - dt.timedelta(microseconds=1)))]
    lake.merge("silver.reports", pl.concat(rows))
    f, at = Filters.of(*PERIODS[0]), data_clock(lake)
    for n in range(1, 7):
        got = map_reports(lake, f, at=at, limit=n)
        assert got.equals(map_reports(StatementRoute(lake), f, at=at, limit=n))
        assert got["report_id"].to_list() == ["ZZ-d", "ZZ-a", "ZZ-c", "ZZ-b", "ZZ-e", newest["report_id"][0]][:n]
