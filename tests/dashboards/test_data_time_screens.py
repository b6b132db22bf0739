"""The wall and the flood page say how far their data go ("Dữ liệu đến …", Vietnamese format), from the data
(plain SQL here), never the clock ("Cập nhật …" was the clock)."""

from __future__ import annotations

from core import fmt
from lake import Lake
from tests.dashboards.conftest import no_errors


def _expected(lake: Lake) -> dict[str, str]:
    reports = lake.sql("SELECT greatest(max(updated_at), max(received_at)) FROM silver.reports").item()
    gauges = lake.sql("SELECT max(observed_at) FROM silver.gauge_readings").item()
    violations = lake.sql("SELECT max(greatest(detected_at, coalesce(reviewed_at, detected_at))) "
                          "FROM silver.violations").item()
    return {"Tổng quan": fmt.datetime(reports), "Phản ánh hiện trường": fmt.datetime(reports),
            "Thiên tai & ngập lụt": fmt.datetime(gauges), "Vi phạm": fmt.datetime(violations)}


def test_wall_says_the_data_time_of_each_panel(full_lake: Lake, make_app) -> None:
    want = _expected(full_lake)
    at = make_app(full_lake, wall=True).run()
    seen = set()
    for _ in range(4):
        no_errors(at)
        title = at.title[0].value
        captions = " ".join(c.value for c in at.caption)
        assert f"Dữ liệu đến {want[title]}" in captions, (title, captions)
        assert "Cập nhật" not in captions
        seen.add(title)
        at.run()
    assert seen == set(want)


def test_flood_page_says_the_newest_reading(full_lake: Lake, make_app) -> None:
    at = make_app(full_lake).run()
    at.switch_page("app_pages/floods.py").run()
    no_errors(at)
    assert f"Dữ liệu đến {_expected(full_lake)['Thiên tai & ngập lụt']}" in [c.value for c in at.caption]
