"""The unit drill-down answers the same from the lake's kept results (keeps_results True) and from its
filtered statements (an engine that keeps nothing, such as the reading bench's PostgreSQL twin), and its
open reports equal plain SQL written here; a new Delta version of silver.reports is seen at once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from views.filters import Filters
from views.newest import data_clock
from views.unit_detail import unit_categories, unit_open_reports, unit_transfers, unit_trend

from .conftest import StatementRoute


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.schema == b.schema
    assert a.equals(b)


def _units(lake: Lake) -> list[str | None]:
    """The units holding most open reports, one holding few, and one unknown."""
    held = lake.sql("SELECT current_unit_id u FROM silver.reports WHERE is_valid AND resolved_at IS NULL "
                    "AND current_unit_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1")["u"].to_list()
    return [*held[:3], held[-1], "no-such-unit"]


def _areas(lake: Lake) -> tuple[str, ...]:
    return tuple(lake.sql("SELECT admin_unit_code_2025 a FROM silver.reports WHERE is_valid AND resolved_at IS NULL "
                          "AND admin_unit_code_2025 IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2")["a"])


PERIODS = [(dt.date(2022, 1, 1), dt.date(2022, 5, 27)),  # all the lake holds
           (dt.date(2000, 1, 1), dt.date(2030, 12, 31)),  # wider than the data
           (dt.date(2022, 4, 28), dt.date(2022, 5, 27)),  # the last 30 days
           (dt.date(2022, 2, 10), dt.date(2022, 2, 10)),  # one day
           (dt.date(2022, 1, 15), dt.date(2022, 3, 31)),  # from mid-month to a month's end
           (dt.date(2021, 12, 1), dt.date(2022, 2, 1))]  # from a month's start to the next one's first day


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("by_area", [False, True])
def test_kept_and_statement_routes_agree(views_lake: Lake, start: dt.date, end: dt.date, by_area: bool) -> None:
    f = Filters.of(start, end, _areas(views_lake) if by_area else ())
    at = data_clock(views_lake)
    plain = StatementRoute(views_lake)
    shown = 0
    for unit in _units(views_lake):
        kept = unit_open_reports(views_lake, unit, f, at)
        _same(kept, unit_open_reports(plain, unit, f, at))
        _same(unit_open_reports(views_lake, unit, f, at, limit=3), unit_open_reports(plain, unit, f, at, limit=3))
        _same(unit_trend(views_lake, unit, f), unit_trend(plain, unit, f))
        _same(unit_categories(views_lake, unit, f), unit_categories(plain, unit, f))
        for k, s in zip(unit_transfers(views_lake, unit, f), unit_transfers(plain, unit, f), strict=True):
            _same(k, s)
        shown += kept.height
    assert shown > 0 or start == end


# what the drill-down promises, written out: the unit's open valid reports of the period and areas, open
# overdue (past the deadline in force at ``at``, not withdrawn) first, then by deadline and id
WANT = """
    WITH o AS (
        SELECT r.report_id, r.deadline_at,
               coalesce(r.deadline_at IS NOT NULL AND $at > CASE
                   WHEN r.extension_granted_at IS NOT NULL AND r.extension_granted_at <= r.deadline_at
                   THEN coalesce(r.extended_deadline_at, r.deadline_at) ELSE r.deadline_at END
                   AND coalesce(r.status, '') <> 'withdrawn', false) AS open_overdue
        FROM silver.reports r
        WHERE r.current_unit_id = $u AND r.is_valid AND r.resolved_at IS NULL
          AND timezone('Asia/Ho_Chi_Minh', r.received_at)::DATE BETWEEN $s AND $e
          AND ($all OR r.admin_unit_code_2025 IN (SELECT unnest($areas::VARCHAR[]))))
    SELECT report_id, open_overdue FROM o ORDER BY open_overdue DESC, deadline_at NULLS LAST, report_id LIMIT $n"""


@pytest.mark.parametrize(("start", "end"), PERIODS[:3])
@pytest.mark.parametrize("by_area", [False, True])
def test_open_reports_equal_plain_sql(views_lake: Lake, start: dt.date, end: dt.date, by_area: bool) -> None:
    areas = _areas(views_lake) if by_area else ()
    f = Filters.of(start, end, areas)
    clock = data_clock(views_lake)
    assert clock is not None
    for unit, at in ((u, a) for u in _units(views_lake) for a in (clock, clock + dt.timedelta(days=20))):
        for n in (500, 4):
            want = views_lake.sql(WANT, {"u": unit, "at": at, "s": start, "e": end, "all": not areas,
                                         "areas": list(areas), "n": n})
            got = unit_open_reports(views_lake, unit, f, at, limit=n)
            assert got.select("report_id", "open_overdue").rows() == want.rows()
            assert got["resolved_at"].null_count() == got.height
    # a later judgement makes some overdue: the order then puts them first
    later = unit_open_reports(views_lake, _units(views_lake)[0], Filters.of(*PERIODS[0]), clock + dt.timedelta(days=20))
    assert later["open_overdue"].any() and not later["open_overdue"].all()


def test_a_new_version_of_the_reports_is_seen(views_lake: Lake, tmp_path: Path) -> None:
    shutil.copytree(views_lake.root, tmp_path / "lake")
    lake = Lake.open(tmp_path / "lake")
    f = Filters.of(*PERIODS[0])
    at = data_clock(lake)
    unit = _units(lake)[0]
    before = unit_open_reports(lake, unit, f, at)
    row = lake.sql("SELECT * FROM silver.reports WHERE current_unit_id = $u AND is_valid AND resolved_at IS NULL "
                   "ORDER BY report_id LIMIT 1", {"u": unit})
    # the unit closes one of its reports and receives a new one, in an area and category nobody had
    closed = row.with_columns(resolved_at=pl.col("received_at") + pl.duration(days=1), status=pl.lit("resolved"))
    new = row.with_columns(report_id=pl.lit("ZZ-new-1"), received_at=pl.col("received_at") + pl.duration(hours=1),
                           admin_unit_code_2025=pl.lit("new-area"), category_code=pl.lit("new-cat"),
                           deadline_at=pl.lit(None, pl.Datetime("us", "UTC")))
    lake.merge("silver.reports", pl.concat([closed, new]))
    after = unit_open_reports(lake, unit, f, at)
    assert row["report_id"][0] in before["report_id"].to_list()
    assert set(after["report_id"]) == set(before["report_id"]) - {row["report_id"][0]} | {"ZZ-new-1"}
    _same(after, unit_open_reports(StatementRoute(lake), unit, f, at))
    _same(unit_open_reports(lake, unit, Filters.of(*PERIODS[0], ("new-area",)), at),
          unit_open_reports(StatementRoute(lake), unit, Filters.of(*PERIODS[0], ("new-area",)), at))
    assert unit_open_reports(lake, unit, Filters.of(*PERIODS[0], ("new-area",)), at)["report_id"].to_list() == [
        "ZZ-new-1"]


CATEGORIES = """
    SELECT coalesce(c.name_vi, k.category_code) name_vi, sum(k.received) received, sum(k.processed) processed
    FROM gold.kpi_daily k LEFT JOIN silver.categories c ON c.category_code = k.category_code
    WHERE k.unit_id = $u AND k.date >= $s AND k.date <= $e
      AND ($all OR k.admin_unit_code_2025 IN (SELECT unnest($areas::VARCHAR[])))
    GROUP BY 1 HAVING sum(k.received) > 0 ORDER BY 2 DESC, 1"""


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("by_area", [False, True])
def test_categories_equal_plain_sql(views_lake: Lake, start: dt.date, end: dt.date, by_area: bool) -> None:
    areas = _areas(views_lake) if by_area else ()
    for unit in _units(views_lake):
        want = views_lake.sql(CATEGORIES, {"u": unit, "s": start, "e": end, "all": not areas, "areas": list(areas)})
        got = unit_categories(views_lake, unit, Filters.of(start, end, areas))
        assert got.select("name_vi", "received", "processed").rows() == want.rows()
        assert got.schema == {"name_vi": pl.String, "name_en": pl.String, "received": pl.Int64, "processed": pl.Int64}


def test_a_new_version_of_the_daily_figures_is_seen(views_lake: Lake, tmp_path: Path) -> None:
    shutil.copytree(views_lake.root, tmp_path / "lake")
    lake = Lake.open(tmp_path / "lake")
    unit = _units(lake)[0]
    f = Filters.of(*PERIODS[0])
    before = unit_categories(lake, unit, f)
    # a day in a whole month of the period gains reports of a category the catalogue does not name
    row = lake.sql("SELECT * FROM gold.kpi_daily WHERE unit_id = $u AND date BETWEEN DATE '2022-02-01' AND "
                   "DATE '2022-02-28' ORDER BY ALL LIMIT 1", {"u": unit})
    assert row.height == 1
    lake.merge("gold.kpi_daily", row.with_columns(category_code=pl.lit("new-cat"), received=pl.lit(7, pl.Int64),
                                                  processed=pl.lit(None, pl.Int64)))
    after = unit_categories(lake, unit, f)
    assert after.filter(pl.col("name_vi") == "new-cat").rows() == [("new-cat", "new-cat", 7, None)]
    assert after.filter(pl.col("name_vi") != "new-cat").equals(before)
    _same(after, unit_categories(StatementRoute(lake), unit, f))
