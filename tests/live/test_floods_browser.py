"""The flood page in Chromium while readings arrive over the real broker: a gauge reading published to Mosquitto
shows on the open page without a reload (the gauge count at alarm moves and the crossing's warning draft appears);
an operator edits and approves the draft on the page and the live service issues it; a leader sees the draft
without a control.

The lake holds the Huế gauge stations and one reading of each of the two river gauges an hour ago (below alarm 1),
so the page opens live with "0 / 2" gauges at alarm; the test then publishes Kim Long at 1.25 m (alarm 1 = 1.0 m)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lake import Lake
from pipelines.live.batch import process_batch
from pipelines.live.messages import Message
from pipelines.live.service import LiveConfig
from tests.dashboards.browser_waits import metric, rerun_settled, served
from tests.dashboards.test_browser import browser  # noqa: F401 - the chromium fixture
from tests.live.conftest import SYSTEM_BROKER, Publisher, RunningService, wait_for, zone_rules

pytestmark = [pytest.mark.browser, pytest.mark.mqtt]
REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots"


def reading(station: str, at: dt.datetime, level: float) -> tuple[str, bytes]:
    return (f"hue-ioc/gauges/{station}/level",
            json.dumps({"station_code": station, "observed_at": at.isoformat(), "water_level_m": level}).encode())


@pytest.fixture
def live_lake(gauge_lake: Lake) -> Lake:
    hour_ago = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    msgs = [Message(*reading(code, hour_ago, 0.5), i) for i, code in enumerate(("71520", "71518"))]
    process_batch(gauge_lake, msgs, zone_rules())
    return gauge_lake


@pytest.fixture
def servers(live_lake: Lake) -> Iterator[dict[str, str]]:
    with served(live_lake.root, role="operator", env={"USER": "operator.browser"}) as operator, \
            served(live_lake.root, role="leader", env={"USER": "leader.browser"}) as leader:
        yield {"operator": operator, "leader": leader}


def test_a_published_reading_shows_without_reload_and_an_operator_approves_its_draft(
        live_lake: Lake, servers: dict[str, str], browser, publisher: Publisher) -> None:  # noqa: F811
    lake = live_lake
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    leader = browser.new_page(viewport={"width": 1920, "height": 1080})
    with RunningService(lake, SYSTEM_BROKER, LiveConfig(batch_wait_s=0.3, issue_every_s=0.5)):
        page.goto(servers["operator"] + "/floods")
        page.get_by_text("Không có bản nháp cảnh báo nào chờ duyệt.").wait_for(timeout=120_000)
        wait_for(lambda: metric(page, "Trạm đo mực nước") == "0 / 2", "the page at 0 of 2 gauges at alarm", 60)
        page.evaluate("window.__notReloaded = true")  # gone if the page were loaded again

        publisher.send(*reading("71520", dt.datetime.now(dt.UTC).replace(microsecond=0), 1.25))
        # no click, no reload: the page follows the reading by itself
        wait_for(lambda: metric(page, "Trạm đo mực nước") == "1 / 2", "the reading's alarm on the open page", 60)
        card = page.locator("[class*='st-key-draft_']", has_text="báo động 1").first
        card.wait_for(timeout=60_000)
        assert page.evaluate("window.__notReloaded === true")
        draft_id = lake.sql("SELECT draft_id FROM silver.warning_drafts").item()

        # a leader sees the draft and no control
        leader.goto(servers["leader"] + "/floods")
        leader.get_by_text("Chỉ điều hành viên được duyệt cảnh báo").wait_for(timeout=120_000)
        leader.locator(f".st-key-draft_{draft_id}").wait_for(timeout=60_000)
        assert not leader.locator("[class*='st-key-approve_'], [class*='st-key-discard_'], "
                                  "[class*='st-key-save_']").count()

        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "floods-draft.png"), full_page=True)
        headline = page.locator(f".st-key-draft_headline_vi_{draft_id} input")
        headline.fill("Lũ sông Hương tại Kim Long vượt báo động 1")
        headline.press("Enter")
        rerun_settled(page)  # the rerun the edit causes has finished: the draft holds the new headline
        page.locator(f".st-key-approve_{draft_id} button").click()
        page.get_by_text("Đã ghi quyết định: duyệt").wait_for(timeout=30_000)
        wait_for(lambda: lake.exists("silver.warnings") and lake.sql(
            "SELECT count(*) FROM silver.warnings WHERE direction = 'issued'").item() == 1,
            "the approved warning issued by the live service", 60)
        page.get_by_text("Không có bản nháp cảnh báo nào chờ duyệt.").wait_for(timeout=120_000)

    issued = lake.sql("SELECT headline, languages, alarm_level, msg_type FROM silver.warnings "
                      "WHERE direction = 'issued'").row(0)
    assert issued == ("Lũ sông Hương tại Kim Long vượt báo động 1", "vi-VN,en-US", 1, "Alert")
    audit = lake.sql("SELECT decision, actor, role FROM silver.warning_decisions").rows()
    assert audit == [("approved", "operator.browser", "operator")]
