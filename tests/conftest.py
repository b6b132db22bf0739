"""Shared fixtures: a fresh lake per test, the shared assets/data folders, deterministic OpenVINO; and the
one rule for tests that need something besides Python: skipped (and listed by `make test`) on a bare
machine, failed under CI, where .ci/run provides it."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from lake import Lake

REPO = Path(__file__).resolve().parent.parent
# Debian's chromium, driven by playwright (never `playwright install`). HUE_IOC_TEST_CHROMIUM points
# elsewhere; a path that does not exist runs the suite as on a machine without it.
CHROMIUM = Path(os.environ.get("HUE_IOC_TEST_CHROMIUM", "/usr/bin/chromium"))
PG_DSN = os.environ.get("HUE_IOC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")

os.environ.setdefault("HUE_IOC_ASSETS", str(REPO.parent / "shared" / "assets"))
# Tests build lakes and run the pipelines as the IOC's own processes do (the service role, which sees and
# writes everything); the tests of what analysts may see open their lakes with an explicit role.
os.environ.setdefault("HUE_IOC_LAKE_ROLE", "service")
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


def _postgres_unreachable() -> str | None:
    import psycopg

    try:
        psycopg.connect(PG_DSN, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        cause = str(e).strip().splitlines()[0].rsplit(": ", 1)[-1].strip()
        return f"needs PostgreSQL at {PG_DSN!r} (HUE_IOC_TEST_PG_DSN): {cause}"
    return None


def _mosquitto_missing() -> str | None:
    from urllib.parse import urlsplit

    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").is_file():
        return "needs Mosquitto (apt-get install -y mosquitto mosquitto-clients)"
    # the broker the live tests publish to (tests/live/conftest.py's SYSTEM_BROKER), not a fixed port
    url = urlsplit(os.environ.get("HUE_IOC_TEST_MQTT_URL", "mqtt://127.0.0.1:1883"))
    host, port = url.hostname or "127.0.0.1", url.port or 1883
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as e:
        return f"needs the Mosquitto broker at {host}:{port} (HUE_IOC_TEST_MQTT_URL): {e}"
    return None


def _broker_missing() -> str | None:
    """The celery broker of the camera-fleet tests (HUE_IOC_CELERY_BROKER, default RabbitMQ on :5672)."""
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("HUE_IOC_CELERY_BROKER", "pyamqp://guest:guest@127.0.0.1:5672//"))
    host, port = url.hostname or "127.0.0.1", url.port or (6379 if url.scheme.startswith("redis") else 5672)
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as e:
        return f"needs the celery broker at {host}:{port} (RabbitMQ, or Redis via HUE_IOC_CELERY_BROKER): {e}"
    return None


_missing: dict[str, str | None] = {}


def _what_is_missing(marker: str) -> str | None:
    """Why a test with this marker cannot run here (None when it can); asked once per session."""
    if marker not in _missing:
        if marker == "browser":
            _missing[marker] = (None if CHROMIUM.is_file() else
                                f"needs Debian chromium at {CHROMIUM} (apt-get install -y chromium)")
        elif marker == "mqtt":
            _missing[marker] = _mosquitto_missing()
        elif marker == "celery":
            _missing[marker] = _broker_missing()
        else:
            _missing[marker] = _postgres_unreachable()
    return _missing[marker]


def _unmet(item: pytest.Item) -> str | None:
    return next((reason for marker in ("browser", "postgres", "mqtt", "celery")
                 if item.get_closest_marker(marker) and (reason := _what_is_missing(marker))), None)


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A skip mark sets nothing up (no lake built, no server started); the test's name in the reason
    # keeps one line per test in the closing summary (pytest folds a module's skips with one reason).
    if _under_ci():
        return
    for item in items:
        if reason := _unmet(item):
            item.add_marker(pytest.mark.skip(reason=f"{item.name} — {reason}"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _under_ci() and (reason := _unmet(item)):
        pytest.fail(f"{reason}; CI must run this test (.ci/run installs and starts what it needs)")


@pytest.fixture(scope="session")
def chromium() -> Path:
    return CHROMIUM
