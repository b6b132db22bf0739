"""Camera fixtures: models compiled once per session, the example camera run once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.config import camera_by_id, load_cameras
from detectors.model_cache import ModelCache
from detectors.results import RunResult
from detectors.runner import CameraPipeline
from detectors.video import read_frames
from lake import Lake

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "configs" / "cameras.example.yaml"
CAR_VIDEO = "videos/intel-sample-videos/car-detection.mp4"


@pytest.fixture(scope="session")
def models(assets_dir: Path, ov_config: dict[str, str]) -> ModelCache:
    return ModelCache(assets_dir, inference_precision=ov_config["INFERENCE_PRECISION_HINT"])


@pytest.fixture(scope="session")
def car_video(assets_dir: Path) -> Path:
    return assets_dir / CAR_VIDEO


@pytest.fixture(scope="session")
def car_frames(car_video: Path) -> list[np.ndarray]:
    return [f.image for f in read_frames(car_video)]


@pytest.fixture(scope="session")
def example_cams() -> list:
    return load_cameras(EXAMPLE)


@pytest.fixture(scope="session")
def session_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return Lake.open(tmp_path_factory.mktemp("cam_lake") / "lake")


@pytest.fixture(scope="session")
def le_loi_run(example_cams: list, models: ModelCache, session_lake: Lake) -> RunResult:
    """The example camera over the whole car-detection.mp4 at 5 fps (151 frames), written to a lake."""
    cam = camera_by_id(example_cams, "hue-le-loi-01")
    return CameraPipeline(cam, session_lake, models, base=EXAMPLE.parent).run()
