"""The review in Chromium: an operator confirms e1, dismisses e2 with a reason and corrects e3's plate; the
Vi phạm page, opened by its own URL, shows it; a leader's review page has no control. The lake is the
hand-made one of test_review.py, its violations an hour ago so that the default period holds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from lake import Lake
from tests.dashboards.browser_waits import metric, served, settled
from tests.dashboards.test_browser import browser  # noqa: F401 - the chromium fixture
from tests.dashboards.test_review import make_review_lake

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return make_review_lake(tmp_path_factory.mktemp("review") / "lake", at=now - dt.timedelta(hours=1))


@pytest.fixture(scope="module")
def servers(lake: Lake) -> Iterator[dict[str, str]]:
    with served(lake.root, role="operator", env={"USER": "op.browser"}) as operator, \
            served(lake.root, role="leader", env={"USER": "op.browser"}) as leader:
        yield {"operator": operator, "leader": leader}


def test_operator_reviews_in_the_browser(servers: dict[str, str], browser, lake: Lake) -> None:  # noqa: F811
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(servers["operator"] + "/review")  # the page's own URL, opened directly
    page.locator(".st-key-confirm_e1 button").wait_for(timeout=120_000)
    assert not page.get_by_text("Page not found").count()
    page.screenshot(path=str(SHOTS / "review.png"), full_page=True)

    page.locator(".st-key-confirm_e1 button").click()
    page.get_by_text("Đã ghi quyết định: xác nhận — e1.").wait_for(timeout=30_000)
    page.locator(".st-key-card_e1").wait_for(state="detached", timeout=30_000)  # decided: off the queue
    settled(page)
    page.locator(".st-key-reason_e2").first.click()
    page.get_by_role("option", name="Trùng lặp").click()
    page.locator(".st-key-dismiss_e2 button").first.click()
    page.get_by_text("Đã ghi quyết định: loại bỏ — e2.").wait_for(timeout=30_000)
    page.locator(".st-key-card_e2").wait_for(state="detached", timeout=30_000)
    settled(page)
    plate = page.locator(".st-key-plate_e3 input").first
    plate.fill("75B1-333.38")
    plate.press("Enter")
    settled(page)
    page.locator(".st-key-correct_e3 button").first.click()
    page.get_by_text("Đã ghi quyết định: sửa — e3.").wait_for(timeout=30_000)

    page.goto(servers["operator"] + "/violations")
    page.locator("[data-testid='stMetric']").first.wait_for(timeout=60_000)
    assert not page.get_by_text("Page not found").count()
    assert metric(page, "Chờ duyệt") == "1"
    assert metric(page, "Tiền phạt") == "4.250.000"
    got = lake.sql("SELECT event_id, review_status, plate_text, reviewed_by FROM silver.violations ORDER BY 1")
    assert got.rows()[:3] == [("e1", "confirmed", "75A-111.11", "op.browser"),
                              ("e2", "dismissed", "75A-222.22", "op.browser"),
                              ("e3", "pending", "75B1-333.38", "op.browser")]
    assert lake.sql("SELECT reason FROM silver.review_decisions WHERE event_id = 'e2'").item() == "duplicate"


def test_leader_sees_no_review_control(servers: dict[str, str], browser) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(servers["leader"] + "/review")
    page.get_by_text("Chỉ điều hành viên được duyệt vi phạm").wait_for(timeout=60_000)
    page.locator("[data-testid='stMarkdown']", has_text="75B1-").first.wait_for(timeout=30_000)
    assert not page.locator("[class*='st-key-confirm_'], [class*='st-key-dismiss_'], "
                            "[class*='st-key-correct_']").count()
