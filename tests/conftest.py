"""Shared fixtures: a fresh lake per test, the shared assets/data folders, deterministic OpenVINO."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lake import Lake

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("HUE_IOC_ASSETS", str(REPO.parent / "shared" / "assets"))
# Dagster writes its instance here during tests, never into the user's home.
os.environ.setdefault("DAGSTER_HOME", str(REPO / ".dagster_home"))
Path(os.environ["DAGSTER_HOME"]).mkdir(exist_ok=True)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return Lake.open(tmp_path / "lake")


@pytest.fixture(scope="session")
def assets_dir() -> Path:
    from core.settings import assets_dir as find

    found = find()
    if found is None:
        pytest.fail("assets not found: set HUE_IOC_ASSETS (CI: ../shared/assets)")
    return found


@pytest.fixture(scope="session")
def data_dir() -> Path:
    from core.settings import data_dir as find

    found = find()
    if found is None:
        pytest.fail("reference data not found: set HUE_IOC_DATA or HUE_IOC_ASSETS beside shared/data")
    return found


@pytest.fixture(scope="session")
def ov_config() -> dict[str, str]:
    """bf16 is the CPU default here; f32 gives stable detections for tests."""
    return {"INFERENCE_PRECISION_HINT": "f32"}
