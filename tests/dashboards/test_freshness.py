"""Freshness marks on the pages and the wall, and the wall's alarm banner, against a lake the test writes.

The expected state of each mark is computed here from the age the test wrote and the thresholds the test
configured (hue_ioc.toml [dashboard.freshness]), not by the code under test."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from tests.dashboards.conftest import no_errors

# amber after / red after (seconds), as configured for the test
THRESHOLDS = {"camera": (30, 120), "gauge": (1800, 10800), "reports": (300, 3600)}
COLOUR = {"green": "green", "amber": "orange", "red": "red"}


def expected_state(age_s: float, source: str) -> str:
    amber, red = THRESHOLDS[source]
    return "red" if age_s > red else "amber" if age_s > amber else "green"


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "hue_ioc.toml"
    cfg.write_text("[dashboard.freshness]\n" + "".join(f"{k} = [{a}, {r}]\n" for k, (a, r) in THRESHOLDS.items()))
    monkeypatch.setenv("HUE_IOC_CONFIG", str(cfg))


def _marks(at) -> str:
    return "\n".join(m.value for m in at.markdown if "●" in m.value)


@pytest.mark.parametrize("wall", [False, True])
def test_marks_say_age_and_turn_amber_then_red(lake: Lake, make_app, configured, wall: bool) -> None:
    now = dt.datetime.now(dt.UTC)
    ages = {"camera": 5.0, "gauge": 2 * 3600.0, "reports": 2 * 86400.0}
    lake.append("silver.violations", pl.DataFrame({"event_id": ["e1"], "camera_id": ["cam"],
                                                   "detected_at": [now - dt.timedelta(seconds=ages["camera"])]}))
    lake.append("silver.gauge_readings", pl.DataFrame({
        "station_code": ["71520"], "observed_at": [now - dt.timedelta(seconds=ages["gauge"])],
        "water_level_m": [1.0]}))
    lake.append("silver.reports", pl.DataFrame({"report_id": ["r1"], "is_valid": [True],
                                                "received_at": [now - dt.timedelta(seconds=ages["reports"])],
                                                "updated_at": [now - dt.timedelta(seconds=ages["reports"])]}))
    states = {k: expected_state(v, k) for k, v in ages.items()}
    assert states == {"camera": "green", "gauge": "amber", "reports": "red"}  # the test's own premise
    at = make_app(lake, wall=wall).run()
    no_errors(at)
    text = _marks(at)
    cam = re.search(rf":{COLOUR[states['camera']]}\[● Camera: (\d+) giây trước\]", text)
    assert cam and 5 <= int(cam.group(1)) < 30, text  # written 5 s before the page was drawn
    assert f":{COLOUR[states['gauge']]}[● Trạm mực nước: 2 giờ trước]" in text
    assert f":{COLOUR[states['reports']]}[● Phản ánh: 2 ngày trước]" in text
    assert ":gray[● Cảnh báo CAP: chưa có dữ liệu]" in text  # nothing written: no age, no colour


def _gauge_lake(lake: Lake, level_of: str) -> float:
    """Huế's stations and one reading of Kim Long (71520) ten minutes ago; returns the level written."""
    from pipelines.disasters import gauges

    gauges.load_stations(lake)
    a1, a2, a3 = lake.sql("SELECT alarm1_m, alarm2_m, alarm3_m FROM silver.gauge_stations "
                          "WHERE station_code = '71520'").row(0)
    level = {"between_2_and_3": round((a2 + a3) / 2, 2), "below_1": round(a1 - 0.5, 2)}[level_of]
    gauges.load_readings(lake, pl.DataFrame({
        "station_code": ["71520"], "observed_at": [dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)],
        "water_level_m": [level], "line": [1]}), [], source="test", origin="test")
    return level


def _banners(at) -> list[str]:
    return [m.value for m in at.markdown if "hue-alarm" in m.value]


def test_wall_banner_while_a_gauge_is_above_alarm_2(lake: Lake, make_app, configured) -> None:
    level = _gauge_lake(lake, "between_2_and_3")
    at = make_app(lake, wall=True).run()
    no_errors(at)
    banners = _banners(at)
    assert len(banners) == 1, banners
    assert "BÁO ĐỘNG 2" in banners[0] and f"{level:.2f}".replace(".", ",") in banners[0]


def test_no_banner_below_the_alarms(lake: Lake, make_app, configured) -> None:
    _gauge_lake(lake, "below_1")
    at = make_app(lake, wall=True).run()
    no_errors(at)
    assert _banners(at) == []
    assert "Trạm mực nước" in _marks(at)
