"""A small simulated reports lake shared by the publication tests (built once per session)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from lake import Lake

# The simulator's default span ends 2022-05-27; April 2022 is the last whole month, and April 2021
# (its "same period last year") has data too.
PERIOD = "2022-04"
SEED = 7
SCALE = 0.02


@pytest.fixture(scope="session")
def report_lake_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.reports.build import build_reports_lake

    root = tmp_path_factory.mktemp("publications") / "lake"
    build_reports_lake(Lake.open(root), seed=SEED, scale=SCALE)
    return root


@pytest.fixture(scope="session")
def report_lake(report_lake_root: Path) -> Lake:
    return Lake.open(report_lake_root)


@pytest.fixture
def lake_copy(report_lake_root: Path, tmp_path: Path) -> Lake:
    """A private copy of the small lake, for tests that write to it."""
    dest = tmp_path / "lake"
    shutil.copytree(report_lake_root, dest)
    return Lake.open(dest)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
