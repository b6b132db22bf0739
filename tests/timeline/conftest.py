"""One small demo lake for the timeline tests: the Hue-S simulator from 2019-05-01 to a pinned day (past
the November 2025 flood and Tết 2026), the SOS / hotline simulation and the camera history on the same
timeline. Built once per session at a small scale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lake import Lake

UNTIL = dt.date(2026, 3, 31)
SCALE = 0.03
SEED_START, SEED_END = dt.date(2019, 5, 1), dt.date(2022, 5, 27)


@pytest.fixture(scope="session")
def timeline_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    from pipelines.disasters import sos
    from pipelines.reports.build import build_reports_lake
    from pipelines.sources.camera_simulator import CameraSimConfig, load_camera_history

    root: Path = tmp_path_factory.mktemp("timeline") / "lake"
    lake = Lake.open(root)
    build_reports_lake(lake, seed=7, scale=SCALE, until=UNTIL)
    sos.load_simulated(lake, until=UNTIL)
    load_camera_history(lake, CameraSimConfig(until=UNTIL))
    return lake
