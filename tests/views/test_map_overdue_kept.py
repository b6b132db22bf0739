"""The reports map's "overdue only" answers the same from its kept rows (keeps_results True) as from its
statements (an engine that keeps nothing) at reference moments before, inside and after the data and exactly
at a deadline in force (± 1 µs); its counts and newest N equal plain SQL written here (the README's overdue:
closed after the original deadline without an extension granted before it, or open past the deadline in
force); a new Delta version of silver.reports is seen at once."""

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
from views.reports_map import map_reports, unlocated_count

from .conftest import StatementRoute

US = dt.timedelta(microseconds=1)
# the deadline in force: the extended deadline when an extension was granted before the original deadline
IN_FORCE = ("CASE WHEN extension_granted_at IS NOT NULL AND extension_granted_at <= deadline_at "
            "THEN coalesce(extended_deadline_at, deadline_at) ELSE deadline_at END")
OVERDUE = f"""(
    (resolved_at IS NOT NULL AND resolved_at > deadline_at
     AND NOT (extension_granted_at IS NOT NULL AND extension_granted_at <= deadline_at))
 OR (resolved_at IS NULL AND deadline_at IS NOT NULL AND coalesce(status, '') <> 'withdrawn' AND $at > {IN_FORCE}))"""
PLAIN = f"""SELECT report_id FROM silver.reports
    WHERE is_valid AND received_at >= $s AND received_at < $e AND $located = (lat IS NOT NULL AND lon IS NOT NULL)
      AND ($all_cats OR category_code IN (SELECT unnest($cats::VARCHAR[]))) AND {OVERDUE}
    ORDER BY received_at DESC, report_id"""


def _top(lake: Lake, column: str, n: int) -> tuple[str, ...]:
    return tuple(lake.sql(f"SELECT {column} v FROM silver.reports WHERE is_valid AND {column} IS NOT NULL "
                          "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $n", {"n": n})["v"])


def _deadline(lake: Lake, extended: bool) -> dt.datetime:
    """The latest deadline in force of an open, not withdrawn report (extended or not)."""
    return lake.sql(f"""SELECT max({IN_FORCE}) t FROM silver.reports WHERE is_valid AND resolved_at IS NULL
        AND coalesce(status, '') <> 'withdrawn' AND deadline_at IS NOT NULL
        AND {'' if extended else 'NOT'} coalesce(extension_granted_at <= deadline_at, false)""")["t"][0]


def _moments(lake: Lake) -> list[dt.datetime | None]:
    clock = data_clock(lake)
    assert clock is not None
    out: list[dt.datetime | None] = [dt.datetime(2021, 6, 1, tzinfo=dt.UTC), dt.datetime(2022, 3, 1, 12, tzinfo=dt.UTC),
                                     clock, dt.datetime(2031, 1, 1, tzinfo=dt.UTC), None]
    for extended in (False, True):
        d = _deadline(lake, extended)
        if d is not None:
            out += [d - US, d, d + US]
    return out


def _picks(lake: Lake) -> list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]:
    st, cats, chans = _top(lake, "status", 2), _top(lake, "category_code", 3), _top(lake, "channel", 1)
    return [((), (), ()), (st[:1], (), ()), ((), cats, ()), ((), (), chans), (st, cats[:2], chans),
            ((), ("no-such-category",), ()), (("open", "no-such-status"), (), ())]


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("by_area", [False, True])
def test_kept_and_statement_routes_agree(views_lake: Lake, start: dt.date, end: dt.date, by_area: bool) -> None:
    f = Filters.of(start, end, _top(views_lake, "admin_unit_code_2025", 3) if by_area else ())
    plain = StatementRoute(views_lake)
    for at in _moments(views_lake):
        for picked in _picks(views_lake):
            for limit in (20_000, 7, 1, None):
                kept = map_reports(views_lake, f, *picked, overdue_only=True, at=at, limit=limit)
                stated = map_reports(plain, f, *picked, overdue_only=True, at=at, limit=limit)
                assert kept.schema == stated.schema
                assert kept.equals(stated)
            assert (unlocated_count(views_lake, f, *picked, overdue_only=True, at=at)
                    == unlocated_count(plain, f, *picked, overdue_only=True, at=at))


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
@pytest.mark.parametrize("n_cats", [0, 2])
def test_counts_and_newest_equal_plain_sql(views_lake: Lake, start: dt.date, end: dt.date, n_cats: int) -> None:
    cats = _top(views_lake, "category_code", n_cats)
    f = Filters.of(start, end)
    picked = ((), cats if n_cats else (), ())
    seen = 0
    for at in [m for m in _moments(views_lake) if m is not None]:  # the SQL needs the moment
        params = {"s": f.start_ts, "e": f.end_ts, "all_cats": not n_cats, "cats": list(cats), "at": at}
        located = views_lake.sql(PLAIN, params | {"located": True})["report_id"].to_list()
        unlocated = views_lake.sql(PLAIN, params | {"located": False})["report_id"].to_list()
        assert map_reports(views_lake, f, *picked, overdue_only=True, at=at)["report_id"].to_list() == located
        assert unlocated_count(views_lake, f, *picked, overdue_only=True, at=at) == len(unlocated)
        for n in (1, len(located) // 2 + 1):
            got = map_reports(views_lake, f, *picked, overdue_only=True, at=at, limit=n)
            assert got["report_id"].to_list() == located[:n]
        seen += len(located)
    assert seen > 0


def test_a_deadline_is_past_only_after_it(views_lake: Lake) -> None:
    # at the very microsecond of a deadline in force the report is not yet overdue; one microsecond later it is
    f = Filters.of(*PERIODS[1])
    for extended in (False, True):
        d = _deadline(views_lake, extended)
        if d is None:
            continue
        due = views_lake.sql(f"SELECT report_id FROM silver.reports WHERE is_valid AND resolved_at IS NULL "
                             f"AND coalesce(status, '') <> 'withdrawn' AND {IN_FORCE} = $d", {"d": d})["report_id"]
        assert due.len() > 0
        ids = {at: set(map_reports(views_lake, f, overdue_only=True, at=at)["report_id"])
               | set(_unlocated_ids(views_lake, f, at)) for at in (d, d + US)}
        assert not ids[d] & set(due)
        assert set(due) <= ids[d + US]


def _unlocated_ids(lake: Lake, f: Filters, at: dt.datetime) -> list[str]:
    params = {"s": f.start_ts, "e": f.end_ts, "all_cats": True, "cats": [], "at": at, "located": False}
    return lake.sql(PLAIN, params)["report_id"].to_list()


def test_a_new_version_of_the_reports_is_seen(views_lake: Lake, tmp_path: Path) -> None:
    shutil.copytree(views_lake.root, tmp_path / "lake")
    lake = Lake.open(tmp_path / "lake")
    f, at = Filters.of(*PERIODS[0]), data_clock(lake)
    assert at is not None
    before = map_reports(lake, f, overdue_only=True, at=at)
    unplaced = unlocated_count(lake, f, overdue_only=True, at=at)
    # a new open report past its deadline, newest of all; an overdue report resolved on time after all; an
    # overdue report loses its place
    newest = lake.sql("SELECT * FROM silver.reports WHERE is_valid AND lat IS NOT NULL ORDER BY received_at DESC, "
                      "report_id LIMIT 1")
    new = newest.with_columns(report_id=pl.lit("ZZ-new-1"), received_at=pl.col("received_at") + pl.duration(minutes=1),
                              status=pl.lit("open"), resolved_at=pl.lit(None, pl.Datetime("us", "UTC")),
                              deadline_at=pl.lit(at - dt.timedelta(hours=1), pl.Datetime("us", "UTC")),
                              extension_granted_at=pl.lit(None, pl.Datetime("us", "UTC")))
    ids = before["report_id"].to_list()
    assert len(ids) >= 2
    old = lake.sql("SELECT * FROM silver.reports WHERE list_contains($ids, report_id) ORDER BY report_id",
                   {"ids": ids[:2]})
    fixed = old[:1].with_columns(status=pl.lit("resolved"), resolved_at=pl.col("deadline_at"))
    moved = old[1:].with_columns(lat=pl.lit(None, pl.Float64))
    lake.merge("silver.reports", pl.concat([new, fixed, moved], how="vertical_relaxed"))
    after = map_reports(lake, f, overdue_only=True, at=at)
    gone = set(old["report_id"])
    assert after["report_id"].to_list() == ["ZZ-new-1", *(i for i in ids if i not in gone)]
    assert unlocated_count(lake, f, overdue_only=True, at=at) == unplaced + 1
    plain = StatementRoute(lake)
    assert after.equals(map_reports(plain, f, overdue_only=True, at=at))
    assert after.head(3).equals(map_reports(plain, f, overdue_only=True, at=at, limit=3))
