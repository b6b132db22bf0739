"""Every wall panel fits 1920×1080 without scrolling, with its legend, in Chromium (wall mode, one panel per
server so each is measured as the wall shows it). Two panels used to be 1265 and 1228 px tall."""

from __future__ import annotations

import pytest

from lake import Lake
from tests.dashboards.browser_waits import drawn, not_blank, served, settled
from tests.dashboards.test_browser import SHOTS, browser  # noqa: F401 - the chromium fixture

pytestmark = pytest.mark.browser
# panel → a text only that panel shows once drawn
PANELS = {"kpis": "Phản ánh mới nhất", "reports_map": "Chú giải", "floods": "Chú giải",
          "violations": "Sự kiện mới nhất"}


@pytest.mark.parametrize("panel", list(PANELS))
def test_wall_panel_fits_the_screen(full_lake: Lake, browser, panel: str) -> None:  # noqa: F811
    with served(full_lake.root, wall=True, env={"HUE_IOC_WALL_PAGES": panel, "HUE_IOC_WALL_SECONDS": "600"}) as url:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(url)
        page.get_by_text(PANELS[panel]).first.wait_for(timeout=120_000)
        page.get_by_text("Sự kiện mới nhất").first.wait_for(timeout=60_000)
        settled(page)
        if panel in ("reports_map", "floods"):  # a map takes its final size with its first drawn frame
            canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
            canvas.wait_for(timeout=60_000)
            assert not_blank(drawn(canvas)), "the map stayed blank"
        for chart in page.locator("[data-testid='stVegaLiteChart']").all():
            assert not_blank(drawn(chart)), "a chart stayed blank"
        heights = page.evaluate("""() => [document.scrollingElement.scrollHeight,
            document.querySelector('[data-testid="stMain"]').scrollHeight]""")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"wall-{panel}.png"))
        assert max(heights) <= 1080, (panel, heights)
        assert not page.locator("[data-testid='stException']").count()
        page.close()
