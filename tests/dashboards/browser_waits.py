"""The browser tests' app server, and their waits on a condition, never a fixed sleep (issue 17 item 5)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Streamlit marks its app root with the script's run state; "notRunning" once a rerun has finished.
SETTLED = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def settled(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script has finished its current run (Streamlit keeps stale elements meanwhile)."""
    page.wait_for_function(SETTLED, timeout=timeout_ms)


def rerun_settled(page, start_within_ms: int = 5_000, timeout_ms: int = 60_000) -> None:
    """After an input that makes Streamlit run the script again: wait for that run to start (a quick one may
    already be over when we look, hence the short bound) and then to finish."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"!({SETTLED})", timeout=start_within_ms)
    settled(page, timeout_ms)


def not_blank(png: bytes) -> bool:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 16)
    return colours is None or len(colours) > 3


def drawn(locator, timeout_s: float = 60.0) -> bytes:
    """Poll a canvas or chart until its picture is not blank; its last screenshot (a blank one on timeout, for
    the caller's assertion to report)."""
    deadline = time.monotonic() + timeout_s
    png = locator.screenshot()
    while not not_blank(png) and time.monotonic() < deadline:
        time.sleep(0.25)
        png = locator.screenshot()
    return png


def metric(page, label: str) -> str:
    """The value of the metric card whose label holds ``label``."""
    box = page.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(lake_root: str, *, role: str | None = None, wall: bool = False, env: dict[str, str] | None = None,
           drop: tuple[str, ...] = ()) -> Iterator[str]:
    """The dashboard on a free loopback port over ``lake_root`` (Vietnamese, the wall switch off unless
    ``wall``), its URL while the block runs; stopped after. ``env`` adds variables, ``drop`` removes some."""
    import pytest

    from dashboards.serve import command, environment, stop, wait_until_healthy

    port = free_port()
    full = environment(wall=wall, role=role) | {"HUE_IOC_LAKE": lake_root, "HUE_IOC_LANGUAGE": "vi"} | (env or {})
    for name in (*drop, *(() if wall else ("HUE_IOC_DASHBOARD_WALL",))):
        full.pop(name, None)
    proc = subprocess.Popen(command(wall=wall, port=port), env=full, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=REPO)
    try:
        url = f"http://127.0.0.1:{port}"
        if not wait_until_healthy(url):
            pytest.fail("streamlit did not start: " + proc.stderr.read(4000).decode(errors="replace"))
        yield url
    finally:
        stop(proc)
