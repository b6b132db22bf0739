"""A small simulated lake for the views tests: five months of 2022 (January to May), built once per
session by the real reports pipeline, and the dashboards' AppTest factory."""

from __future__ import annotations

import datetime as dt

import pytest

from lake import Lake
from tests.dashboards.conftest import make_app  # noqa: F401 - the AppTest factory, shared with the page tests
from tests.routes import StatementRoute  # noqa: F401 - the statement route, for the views tests

START, END = dt.date(2022, 1, 1), dt.date(2022, 5, 27)


@pytest.fixture(scope="session")
def views_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    from pipelines.reports.build import build_reports_lake

    lake = Lake.open(tmp_path_factory.mktemp("views") / "lake")
    build_reports_lake(lake, seed=11, start=START, end=END, scale=0.03)
    return lake

