"""A page left open keeps its freshness marks live: in Chromium, the overview of a lake whose newest report is
the seed window's end shows the reports' mark red; a report written to the lake afterwards turns it green
("… giây trước") within 30 s, without anyone reloading the page.

Found by CI: the marks were drawn once when the page opened, so a page opened a moment before the live
simulator's first report kept saying "Phản ánh: 1647 ngày trước" in red while its feed showed the new report."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hue_ioc.cli import main
from lake import Lake
from tests.dashboards.browser_waits import served
from tests.dashboards.test_browser import browser  # noqa: F401 - the chromium fixture

pytestmark = pytest.mark.browser
WITHIN_S = 30


@pytest.fixture
def own_lake(reports_lake: Lake, tmp_path: Path) -> Lake:
    """A copy of the small demo reports lake: this test writes to it."""
    root = tmp_path / "copy" / "lake"
    shutil.copytree(reports_lake.root, root)
    return Lake.open(root, role="service")


@pytest.fixture
def page_url(own_lake: Lake) -> Iterator[str]:
    with served(own_lake.root, role="leader") as url:
        yield url


def _reports_mark(page) -> tuple[str, str] | None:
    got = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMarkdown"] span'))
        .filter(s => s.textContent.trim().startsWith('● Phản ánh:') && s.children.length === 0)
        .map(s => [s.textContent.trim(), getComputedStyle(s).color])""")
    return tuple(got[0]) if got else None


def _channels(colour: str) -> tuple[int, int, int]:
    r, g, b = (int(x) for x in re.findall(r"\d+", colour)[:3])
    return r, g, b


def _wait(page, deadline: float, what: str, check) -> tuple[str, str]:
    while True:
        mark = _reports_mark(page)
        if mark and check(mark):
            return mark
        if time.monotonic() > deadline:
            pytest.fail(f"not within {WITHIN_S} s: {what}; the reports' mark was {mark}")
        time.sleep(0.5)


def test_a_new_report_turns_the_open_pages_mark_green(own_lake: Lake, page_url: str, browser,  # noqa: F811
                                                      tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(page_url + "/overview")
    page.locator("[data-testid='stMarkdown']").first.wait_for(timeout=300_000)
    # red: red-led colour and an age in days (the seed window ended in 2022)
    _wait(page, time.monotonic() + 300, "the reports' mark red", lambda m: "ngày trước" in m[0]
          and _channels(m[1])[0] > _channels(m[1])[1] + 40)

    # the way a partner's file arrives: `hue-ioc ingest` (bronze, silver, gold, the consistent set readers pin)
    row = own_lake.sql("SELECT category_code, lat, lon FROM silver.reports WHERE lat IS NOT NULL LIMIT 1").row(0)
    now = dt.datetime.now(dt.UTC).isoformat()
    record = {"kind": "report", "report_id": "LIVE-FRESH-1", "source": "file", "channel": "app",
              "category_code": row[0], "lat": row[1], "lon": row[2], "is_valid": True,
              "received_at": now, "updated_at": now}
    path = tmp_path / "fresh.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert main(["--lake", own_lake.root, "ingest", str(path)]) == 0
    assert own_lake.sql("SELECT count(*) FROM silver.reports WHERE report_id = 'LIVE-FRESH-1'").item() == 1
    written = time.monotonic()

    # green: green-led colour, an age in seconds; no reload, no click
    mark = _wait(page, written + WITHIN_S, "the reports' mark green after a new report",
                 lambda m: "giây trước" in m[0] and _channels(m[1])[1] > _channels(m[1])[0] + 40)
    assert mark[0].startswith("● Phản ánh: ")
