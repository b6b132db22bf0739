"""Warning drafts without a broker: the message type of an issued draft follows what was really issued before it
for the same gauge (an approved rise after an approved crossing is an Update referencing it; after a discarded
one, an Alert), issuing twice issues nothing new, and a batch processed again drafts nothing new (nor revives a
discarded draft). Expected values are worked out by hand from Kim Long's alarm levels 1.0 / 2.0 / 3.5 m."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.tz import VN_TZ
from dashboards.access import Actor, Refused
from dashboards.actions import warnings as actions
from lake import Lake
from pipelines.disasters.warning_drafts import issue_approved
from pipelines.live.batch import process_batch
from pipelines.live.messages import Message
from tests.live.conftest import zone_rules

OP = Actor("operator", "dieu.hanh")


def _batch(lake: Lake) -> list[Message]:
    t2 = dt.datetime.now(VN_TZ).replace(minute=0, second=0, microsecond=0)
    levels = [(t2 - dt.timedelta(hours=4), 0.80), (t2 - dt.timedelta(hours=2), 1.25), (t2, 2.30)]
    msgs = [Message("hue-ioc/gauges/71520/level", json.dumps(
        {"station_code": "71520", "observed_at": t.isoformat(), "water_level_m": v}).encode(), i)
        for i, (t, v) in enumerate(levels)]
    process_batch(lake, msgs, zone_rules())
    return msgs


def _drafts(lake: Lake) -> list[str]:
    return lake.sql("SELECT draft_id FROM silver.warning_drafts ORDER BY observed_at").to_series().to_list()


def _issued(lake: Lake) -> list[tuple]:
    return lake.sql("SELECT identifier, msg_type, alarm_level, \"references\" FROM silver.warnings "
                    "WHERE direction = 'issued' ORDER BY sent, alarm_level").rows()


def test_approved_rise_after_an_approved_crossing_is_an_update(gauge_lake: Lake) -> None:
    msgs = _batch(gauge_lake)
    first, second = _drafts(gauge_lake)
    actions.approve(gauge_lake, OP, first)
    assert issue_approved(gauge_lake) == 1
    actions.approve(gauge_lake, OP, second)
    assert issue_approved(gauge_lake) == 1
    issued = _issued(gauge_lake)
    assert [(m, lv) for _, m, lv, _ in issued] == [("Alert", 1), ("Update", 2)]
    assert issued[1][3].startswith(f"ioc@hue.gov.vn,{issued[0][0]},")  # the Update references the Alert
    superseded = gauge_lake.sql("SELECT superseded_by IS NOT NULL FROM silver.warnings WHERE identifier = $i",
                                {"i": issued[0][0]}).item()
    assert superseded
    # again: nothing new issued; the same messages again: nothing new drafted
    assert issue_approved(gauge_lake) == 0
    process_batch(gauge_lake, msgs, zone_rules())
    assert len(_drafts(gauge_lake)) == 2 and len(_issued(gauge_lake)) == 2


def test_after_a_discarded_crossing_the_approved_rise_is_an_alert(gauge_lake: Lake) -> None:
    msgs = _batch(gauge_lake)
    first, second = _drafts(gauge_lake)
    actions.discard(gauge_lake, OP, first, "trùng bản tin tỉnh")
    actions.approve(gauge_lake, OP, second)
    assert issue_approved(gauge_lake) == 1
    assert [(m, lv, refs) for _, m, lv, refs in _issued(gauge_lake)] == [("Alert", 2, None)]
    process_batch(gauge_lake, msgs, zone_rules())  # the discarded draft stays discarded
    assert gauge_lake.sql("SELECT status FROM silver.warning_drafts ORDER BY observed_at").to_series().to_list() == [
        "discarded", "issued"]


def test_the_action_refuses_a_leader_and_the_wall_and_needs_a_reason_to_discard(gauge_lake: Lake) -> None:
    _batch(gauge_lake)
    first, _ = _drafts(gauge_lake)
    for role in ("leader", "wall"):
        with pytest.raises(Refused):
            actions.approve(gauge_lake, Actor(role, "x"), first)
    with pytest.raises(ValueError, match="reason"):
        actions.discard(gauge_lake, OP, first, "  ")
    with pytest.raises(ValueError, match="headline"):
        actions.approve(gauge_lake, OP, first, {"headline_en": " "})
    assert not gauge_lake.exists("silver.warning_decisions")
    assert issue_approved(gauge_lake) == 0
