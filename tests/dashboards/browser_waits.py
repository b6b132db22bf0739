"""Waits on a condition for the browser tests, never a fixed sleep (issue 17 item 5)."""

from __future__ import annotations

import io
import time

# Streamlit marks its app root with the script's run state; "notRunning" once a rerun has finished.
SETTLED = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def settled(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app's script has finished its current run (Streamlit keeps stale elements meanwhile)."""
    page.wait_for_function(SETTLED, timeout=timeout_ms)


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
