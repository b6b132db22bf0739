"""The reports map's filters against plain SQL over silver.reports (issue 17: a map that ignored the area
filter passed every test, because the page tests only ever used the whole city)."""

from __future__ import annotations

import datetime as dt

from lake import Lake
from views.filters import Filters
from views.reports_map import map_reports, map_reports_total, unlocated_count

START, END = dt.date(2022, 3, 1), dt.date(2022, 5, 27)  # May holds the open tail

COUNT = """SELECT count(*) FILTER (WHERE lat IS NOT NULL AND lon IS NOT NULL) located,
                  count(*) FILTER (WHERE lat IS NULL OR lon IS NULL) unlocated
           FROM silver.reports WHERE is_valid AND admin_unit_code_2025 IN ($a, $b)
             AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $s AND $e
             AND ($no_status OR status = $status)"""


def _two_areas(lake: Lake) -> tuple[str, str]:
    rows = lake.sql("SELECT admin_unit_code_2025 a FROM silver.reports WHERE is_valid AND lat IS NOT NULL "
                    "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2")["a"].to_list()
    return rows[0], rows[1]


def _want(lake: Lake, areas: tuple[str, str], status: str | None = None) -> dict:
    return lake.sql(COUNT, {"a": areas[0], "b": areas[1], "s": START, "e": END,
                            "no_status": status is None, "status": status or ""}).row(0, named=True)


def test_map_of_two_areas_holds_their_reports_only(views_lake: Lake) -> None:
    areas = _two_areas(views_lake)
    f = Filters.of(START, END, areas)
    want = _want(views_lake, areas)
    city = views_lake.sql("SELECT count(*) FROM silver.reports WHERE is_valid AND lat IS NOT NULL").item()
    assert 0 < want["located"] < city
    shown = map_reports(views_lake, f)
    assert shown.height == want["located"] == map_reports_total(views_lake, f)
    assert set(shown["admin_unit_code_2025"]) == set(areas)
    assert unlocated_count(views_lake, f) == want["unlocated"]


def test_map_area_and_status_filters_combine(views_lake: Lake) -> None:
    areas = _two_areas(views_lake)
    f = Filters.of(START, END, areas)
    want = _want(views_lake, areas, "resolved")["located"]
    assert 0 < want < _want(views_lake, areas)["located"]
    assert map_reports(views_lake, f, statuses=("resolved",)).height == want
    assert map_reports_total(views_lake, f, statuses=("resolved",)) == want
