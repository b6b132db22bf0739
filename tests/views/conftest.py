"""A small simulated lake for the views tests: five months of 2022 (January to May), built once per
session by the real reports pipeline, and the dashboards' AppTest factory."""

from __future__ import annotations

import datetime as dt

import pytest

from lake import Lake
from tests.dashboards.conftest import make_app  # noqa: F401 - the AppTest factory, shared with the page tests

START, END = dt.date(2022, 1, 1), dt.date(2022, 5, 27)


@pytest.fixture(scope="session")
def views_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    from pipelines.reports.build import build_reports_lake

    lake = Lake.open(tmp_path_factory.mktemp("views") / "lake")
    build_reports_lake(lake, seed=11, start=START, end=END, scale=0.03)
    return lake


class StatementRoute:
    """The lake seen as an engine that keeps nothing between calls (as the reading bench's PostgreSQL twin):
    the views then issue their filtered statements instead of slicing kept whole-table answers, so a test
    can set the two routes side by side."""

    keeps_results = False

    def __init__(self, lake: Lake) -> None:
        self._lake = lake

    def __getattr__(self, name: str) -> object:
        return getattr(self._lake, name)
