"""Fixtures for the disasters tests: the shared CAP samples and a lake loaded with the Nov-2025 flood."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake import Lake


@pytest.fixture(scope="session")
def cap_dir(data_dir: Path) -> Path:
    return data_dir / "cap"


@pytest.fixture(scope="module")
def flood_lake(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Lake:
    """Stations + the Huế Nov-2025 readings + the IOC warnings their crossings call for."""
    from pipelines.disasters import gauges
    from pipelines.disasters.warnings_issuer import issue_flood_warnings

    lake = Lake.open(tmp_path_factory.mktemp("flood") / "lake")
    gauges.load_stations(lake)
    gauges.load_vndms_file(lake)
    issue_flood_warnings(lake)
    return lake
