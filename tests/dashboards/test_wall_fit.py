"""Every wall panel fits 1920×1080 without scrolling, with its legend, in Chromium (wall mode, one panel per
server so each is measured as the wall shows it). Two panels used to be 1265 and 1228 px tall."""

from __future__ import annotations

import subprocess

import pytest

from dashboards.serve import command, environment, wait_until_healthy
from lake import Lake
from tests.dashboards.test_browser import REPO, SHOTS, _free_port, browser  # noqa: F401 - the chromium fixture

pytestmark = pytest.mark.browser
# panel → a text only that panel shows once drawn
PANELS = {"kpis": "Phản ánh mới nhất", "reports_map": "Chú giải", "floods": "Chú giải",
          "violations": "Sự kiện mới nhất"}


@pytest.mark.parametrize("panel", list(PANELS))
def test_wall_panel_fits_the_screen(full_lake: Lake, browser, panel: str) -> None:  # noqa: F811
    port = _free_port()
    env = environment(wall=True) | {"HUE_IOC_LAKE": full_lake.root, "HUE_IOC_LANGUAGE": "vi",
                                    "HUE_IOC_WALL_PAGES": panel, "HUE_IOC_WALL_SECONDS": "600"}
    proc = subprocess.Popen(command(wall=True, port=port), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=REPO)
    try:
        url = f"http://127.0.0.1:{port}"
        if not wait_until_healthy(url):
            pytest.fail("streamlit did not start: " + proc.stderr.read(4000).decode(errors="replace"))
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(url)
        page.get_by_text(PANELS[panel]).first.wait_for(timeout=120_000)
        page.get_by_text("Sự kiện mới nhất").first.wait_for(timeout=60_000)
        if panel in ("reports_map", "floods"):
            page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(3000)  # charts and maps take their final size after their first frame
        heights = page.evaluate("""() => [document.scrollingElement.scrollHeight,
            document.querySelector('[data-testid="stMain"]').scrollHeight]""")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"wall-{panel}.png"))
        assert max(heights) <= 1080, (panel, heights)
        assert not page.locator("[data-testid='stException']").count()
        page.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
