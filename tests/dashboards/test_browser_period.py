"""Real browser (issue 13 point 7): every page's own URL opened directly shows the page, not "Page not found";
switching the language keeps the period the viewer picked (the sidebar's caption gives its dates)."""

from __future__ import annotations

import re

import pytest

from tests.dashboards.browser_waits import settled
from tests.dashboards.test_browser import browser, server  # noqa: F401 - the shared app server and chromium

pytestmark = pytest.mark.browser

PATHS = ("overview", "units", "reports", "violations", "review", "floods", "wall")
DATES = re.compile(r"(?:Từ|From) (\d\d/\d\d/\d{4}) (?:đến|to) (\d\d/\d\d/\d{4})")


def _period(page) -> tuple[str, str]:
    text = page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").first.inner_text()
    m = DATES.search(text)
    assert m, text
    return m.group(1), m.group(2)


def test_each_page_url_opens_its_page(server: str, browser) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    for path in PATHS:
        page.goto(f"{server}/{path}")
        page.locator("h1").first.wait_for(timeout=60_000)
        settled(page)
        body = page.inner_text("body")
        assert "Page not found" not in body and "not found" not in body.lower(), path
        assert not page.locator("[data-testid='stException']").count(), path
    page.close()


def test_switching_language_keeps_the_picked_month(server: str, browser) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(server + "/")
    page.locator("[data-testid='stSidebar'] [data-testid='stCaptionContainer']").first.wait_for(timeout=60_000)
    settled(page)
    default = _period(page)
    # pick the month two before the default one (the month selectbox is the sidebar's second one; it filters
    # its options on what is typed)
    d, m, y = (int(x) for x in default[0].split("/"))
    m, y = (m - 2, y) if m > 2 else (m + 10, y - 1)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).click()
    page.keyboard.type(f"{m:02d}/{y}")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelector('[data-testid=\"stSidebar\"]').innerText.includes('/{m:02d}/{y} ')")
    settled(page)
    picked = _period(page)
    assert picked != default
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    page.locator("[data-testid='stSidebar']").get_by_text("Period", exact=True).wait_for(timeout=60_000)
    settled(page)
    assert _period(page) == picked
    page.locator("[data-testid='stSidebar']").get_by_text("Tiếng Việt", exact=True).click()
    page.locator("[data-testid='stSidebar']").get_by_text("Thời gian", exact=True).wait_for(timeout=60_000)
    settled(page)
    assert _period(page) == picked
    page.close()
