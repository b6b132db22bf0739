"""The newest reports (looked for in a recent window first) and a few reports' details (looked for in the
range of their ids) equal plain SQL over every report."""

from __future__ import annotations

import pytest

from lake import Lake
from views.newest import newest_reports
from views.reports_map import report_details


def _areas(lake: Lake) -> list[str]:
    """The busiest and the quietest area (the quietest has fewer recent reports than the limits below)."""
    got = lake.sql("SELECT admin_unit_code_2025 a FROM silver.reports WHERE is_valid AND a IS NOT NULL "
                   "GROUP BY 1 ORDER BY count(*) DESC, 1")["a"].to_list()
    return [got[0], got[-1]]


@pytest.mark.parametrize("limit", [1, 10, 400, 100_000])
def test_newest_reports_are_the_newest_of_all(views_lake: Lake, limit: int) -> None:
    for areas in [(), *((a,) for a in _areas(views_lake))]:
        want = views_lake.sql(
            "SELECT report_id FROM silver.reports WHERE is_valid AND ($none OR admin_unit_code_2025 = $a) "
            "ORDER BY received_at DESC, report_id LIMIT $n", {"none": not areas, "a": areas[0] if areas else "",
                                                              "n": limit})["report_id"].to_list()
        got = newest_reports(views_lake, areas, limit)
        assert got["report_id"].to_list() == want
        assert got["received_at"].is_sorted(descending=True)


def test_report_details_of_ids_spread_over_the_whole_range(views_lake: Lake) -> None:
    every = views_lake.sql("SELECT report_id FROM silver.reports ORDER BY report_id")["report_id"].to_list()
    ids = tuple(every[:: max(1, len(every) // 7)] + ["no-such-report"])
    got = report_details(views_lake, ids)
    want = views_lake.sql("SELECT report_id, title, current_unit_id, rating FROM silver.reports "
                          "WHERE report_id IN (SELECT unnest($ids::VARCHAR[]))", {"ids": list(ids)})
    assert got.height == len(ids) - 1
    assert sorted(got.select("report_id", "title", "current_unit_id", "rating").iter_rows(), key=repr) == \
        sorted(want.iter_rows(), key=repr)
    assert report_details(views_lake, ()).is_empty()
