"""Fixtures for the dashboard tests: one small simulator lake per session (scale 0.02, seed 7),
an empty lake, and an AppTest factory with the lake, role and wall mode set in the environment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lake import Lake

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
PAGES = ["app_pages/overview.py", "app_pages/units.py", "app_pages/reports_map.py",
         "app_pages/violations.py", "app_pages/review.py", "app_pages/floods.py", "app_pages/wall.py"]


@pytest.fixture(scope="session")
def reports_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The Hue-S simulator and the real reports pipeline, small (scale 0.02 ≈ 1,300 reports)."""
    from pipelines.reports.build import build_reports_lake

    lake = Lake.open(tmp_path_factory.mktemp("dash") / "lake")
    build_reports_lake(lake, seed=7, scale=0.02)
    return lake


@pytest.fixture(scope="session")
def full_lake(reports_lake: Lake) -> Lake:
    """The reports lake plus the disasters demo (Huế gauges of the November 2025 flood, CAP warnings,
    simulated SOS) and the simulated camera history: what the violations and flood pages read."""
    from pipelines.disasters.demo import build_demo_disasters
    from pipelines.sources.camera_simulator import load_camera_history

    build_demo_disasters(reports_lake, central=False)
    load_camera_history(reports_lake)
    return reports_lake


@pytest.fixture
def empty_lake(tmp_path: Path) -> Lake:
    return Lake.open(tmp_path / "empty_lake")


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    def make(lake: Lake, role: str = "leader", wall: bool = False) -> AppTest:
        monkeypatch.setenv("HUE_IOC_LAKE", lake.root)
        monkeypatch.setenv("HUE_IOC_ROLE", role)
        monkeypatch.setenv("HUE_IOC_LANGUAGE", "vi")
        if wall:
            monkeypatch.setenv("HUE_IOC_DASHBOARD_WALL", "1")
        else:
            monkeypatch.delenv("HUE_IOC_DASHBOARD_WALL", raising=False)
        return AppTest.from_file(str(APP), default_timeout=90)

    yield make


def last_day(lake: Lake) -> dt.date:
    return lake.sql("SELECT max(date) d FROM gold.kpi_daily WHERE received + invalid > 0")["d"][0]


def first_day(lake: Lake) -> dt.date:
    return lake.sql("SELECT min(date) d FROM gold.kpi_daily WHERE received + invalid > 0")["d"][0]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def table_with(at: AppTest, *columns: str):
    """The first table on the page having all ``columns`` (headers as shown)."""
    for df in at.dataframe:
        value = df.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}")
