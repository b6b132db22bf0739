"""The live ingest against the development Mosquitto (127.0.0.1:1883): Frigate events become violations and
counts, gauge telemetry moves the flood status and drafts the IOC's warnings (issued once an operator approves), bad messages land in rejects.

Expected values are worked out by hand from the messages each test sends (see the comments)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET

import pytest

from core.tz import VN_TZ as VN
from lake import Lake
from pipelines.live.service import LiveConfig
from tests.live.conftest import CAMERA, SYSTEM_BROKER, Publisher, RunningService, wait_for

pytestmark = pytest.mark.mqtt

T0 = dt.datetime(2025, 11, 17, 1, 0, tzinfo=dt.UTC).timestamp()  # 08:00 in Huế


def frigate(kind: str, oid: str, label: str, start: float, frame: float, current: list[str],
            entered: list[str], camera: str = CAMERA) -> bytes:
    after = {"id": oid, "camera": camera, "frame_time": frame, "label": label, "sub_label": None,
             "top_score": 0.91, "false_positive": False, "start_time": start, "end_time": None, "score": 0.84,
             "box": [424, 500, 536, 712], "area": 23744, "region": [264, 450, 667, 853],
             "current_zones": current, "entered_zones": entered, "has_snapshot": False, "has_clip": False,
             "stationary": False, "motionless_count": 0, "position_changes": 1}
    return json.dumps({"type": kind, "before": {**after, "current_zones": [], "entered_zones": []},
                       "after": after}).encode()


def test_frigate_events_become_violations_and_counts(lake: Lake, publisher: Publisher):
    run = uuid.uuid4().hex[:6]  # object ids of this run: the system broker is shared
    a, b, c, d = (f"{T0}-{x}{run}" for x in "abcd")
    msgs = [
        frigate("new", a, "car", T0, T0 + 0.2, [], []),  # car A seen: no zone yet
        frigate("update", a, "car", T0, T0 + 2, ["sidewalk"], ["sidewalk"]),  # 2 s on the sidewalk ≥ 0.5 s
        frigate("update", a, "car", T0, T0 + 4, ["sidewalk"], ["sidewalk"]),  # same object, same rule: no 2nd
        frigate("new", b, "person", T0 + 5, T0 + 6, ["sidewalk"], ["sidewalk"]),  # a person: rule is for vehicles
        frigate("update", c, "truck", T0 + 10, T0 + 50, ["no_parking"], ["no_parking"]),  # 40 s ≥ 30 s: parked
        frigate("end", d, "car", T0 + 12, T0 + 22, ["no_parking"], ["no_parking"]),  # 10 s < 30 s: no violation
    ]
    with RunningService(lake, SYSTEM_BROKER):
        for m in msgs:
            publisher.send("frigate/events", m)
        publisher.send("frigate/events", msgs[1])  # the same message again (as a redelivery would bring it)
        wait_for(lambda: lake.exists("silver.traffic_counts") and lake.sql(
            "SELECT count(*) FROM bronze.camera_events_raw WHERE camera_id = $c", {"c": CAMERA}).item() == 6,
            "the six distinct Frigate messages in bronze")
        wait_for(lambda: lake.exists("gold.violations_daily") and lake.sql(
            "SELECT sum(detected) FROM gold.violations_daily WHERE camera_id = $c", {"c": CAMERA}).item() == 2,
            "two violations in gold.violations_daily")

    v = lake.sql("SELECT rule_id, violation_type, class_name, vehicle_type, fine_vnd, start_at FROM silver.violations "
                 "WHERE camera_id = $c ORDER BY rule_id", {"c": CAMERA})
    # fines of November 2025, Decree 168/2024 for a car (the middle of its range): stopping or parking where it
    # is forbidden 800,000–1,000,000 (Điều 6 khoản 3), occupying the pavement 800,000–1,000,000 (Điều 6 khoản 3 e)
    assert v.rows() == [
        ("no_parking:dwell", "illegal_parking", "vehicle", "car", 900_000, dt.datetime.fromtimestamp(T0 + 10, dt.UTC)),
        ("sidewalk:encroachment", "encroachment", "vehicle", "car", 900_000, dt.datetime.fromtimestamp(T0, dt.UTC)),
    ]
    counts = lake.sql("SELECT line_id, class_name, count FROM silver.traffic_counts WHERE camera_id = $c "
                      "ORDER BY line_id, class_name", {"c": CAMERA})
    # every object once under "*"; once per zone it entered; all four started in the minute 01:00 UTC
    assert counts.rows() == [("*", "person", 1), ("*", "vehicle", 3), ("no_parking", "vehicle", 2),
                             ("sidewalk", "person", 1), ("sidewalk", "vehicle", 1)]
    daily = lake.sql("SELECT day, violation_type, detected, pending FROM gold.violations_daily WHERE camera_id = $c "
                     "ORDER BY violation_type", {"c": CAMERA})
    assert daily.rows() == [(dt.date(2025, 11, 17), "encroachment", 1, 1),
                            (dt.date(2025, 11, 17), "illegal_parking", 1, 1)]


def test_gauge_telemetry_moves_flood_status_and_drafts_warnings(gauge_lake: Lake, publisher: Publisher):
    """Crossings draft warnings and issue none; an operator approves one (edited) and it is issued, CAP 1.2 with a
    Vietnamese and an English info, and counted; the discarded one never is; a leader is refused."""
    from dashboards.access import Actor, Refused
    from dashboards.actions import warnings as actions
    from views.warnings import of_period

    lake = gauge_lake
    # Kim Long (71520): alarm levels 1.0 / 2.0 / 3.5 m (QĐ 05/2020/QĐ-TTg); readings of today, two hours apart
    t2 = dt.datetime.now(VN).replace(minute=0, second=0, microsecond=0)
    t0, t1 = t2 - dt.timedelta(hours=4), t2 - dt.timedelta(hours=2)
    readings = [(t0, 0.80), (t1, 1.25), (t2, 2.30)]
    with RunningService(lake, SYSTEM_BROKER, LiveConfig(batch_wait_s=0.3, issue_every_s=0.5)):
        for t, level in readings:
            publisher.send("hue-ioc/gauges/71520/level", json.dumps(
                {"station_code": "71520", "observed_at": t.isoformat(), "water_level_m": level}).encode())
        wait_for(lambda: lake.exists("gold.flood_status") and lake.sql(
            "SELECT latest_level_m FROM gold.flood_status WHERE station_code = '71520'").to_series().to_list()
            == [2.30], "gold.flood_status at the last reading")
        wait_for(lambda: lake.exists("silver.warning_drafts") and lake.sql(
            "SELECT count(*) FROM silver.warning_drafts WHERE station_code = '71520'").item() == 2, "two drafts")

        r = lake.sql("SELECT water_level_m, alarm_level, bulletin_vi FROM silver.gauge_readings ORDER BY observed_at")
        assert r.rows() == [(0.80, 0, "dưới báo động 1 0,20 m"), (1.25, 1, "trên báo động 1 0,25 m"),
                            (2.30, 2, "trên báo động 2 0,30 m")]
        assert lake.sql("SELECT alarm_level, diff_m, peak_level_m FROM gold.flood_status "
                        "WHERE station_code = '71520'").rows() == [(2, 0.3, 2.30)]
        # the crossing of level 1 (t1) and the rise to level 2 (t2): drafts, nothing issued, nothing counted
        drafts = lake.sql("SELECT draft_id, alarm_level, previous_level, water_level_m, status, headline_vi, "
                          "headline_en FROM silver.warning_drafts ORDER BY observed_at").rows(named=True)
        assert [(d["alarm_level"], d["previous_level"], d["water_level_m"], d["status"]) for d in drafts] == [
            (1, 0, 1.25, "draft"), (2, 1, 2.30, "draft")]
        assert "báo động 1" in drafts[0]["headline_vi"] and "alarm level 1" in drafts[0]["headline_en"]
        day = (t2 - dt.timedelta(days=1), t2 + dt.timedelta(days=1))
        assert not lake.exists("silver.warnings") or of_period(lake, *day).is_empty()

        leader = Actor("leader", "lanh.dao")
        with pytest.raises(Refused):
            actions.approve(lake, leader, drafts[0]["draft_id"])
        with pytest.raises(Refused):
            actions.discard(lake, leader, drafts[1]["draft_id"], "không cần")
        assert not lake.exists("silver.warning_decisions")

        op = Actor("operator", "dieu.hanh")
        actions.approve(lake, op, drafts[0]["draft_id"],
                        {"headline_vi": "Lũ sông Hương tại Kim Long trên báo động 1", "instruction_en": "Stay away."})
        actions.discard(lake, op, drafts[1]["draft_id"], "đã có bản tin của tỉnh")
        wait_for(lambda: lake.exists("silver.warnings") and lake.sql(
            "SELECT count(*) FROM silver.warnings WHERE direction = 'issued'").item() == 1, "the approved one issued")
        wait_for(lambda: lake.sql("SELECT status FROM silver.warning_drafts ORDER BY observed_at").to_series()
                 .to_list() == ["issued", "discarded"], "the approved draft marked issued")

    w = lake.sql("SELECT warning_id, msg_type, alarm_level, water_level_m, status, languages, headline, xml, sent "
                 "FROM silver.warnings WHERE direction = 'issued'").row(0, named=True)
    assert (w["msg_type"], w["alarm_level"], w["water_level_m"], w["status"], w["languages"]) == (
        "Alert", 1, 1.25, "Actual", "vi-VN,en-US")
    assert w["headline"] == "Lũ sông Hương tại Kim Long trên báo động 1"  # the operator's edit
    doc = ET.fromstring(w["xml"])
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert [i.findtext("cap:language", namespaces=ns) for i in doc.findall("cap:info", ns)] == ["vi-VN", "en-US"]
    assert doc.findall("cap:info", ns)[1].findtext("cap:instruction", namespaces=ns) == "Stay away."
    assert doc.findtext("cap:msgType", namespaces=ns) == "Alert"
    # sent at the approval, not at the reading
    decided = lake.sql("SELECT decided_at FROM silver.warning_drafts WHERE status = 'issued'").item()
    assert w["sent"] == decided.replace(microsecond=0)
    assert of_period(lake, *day).rows() == [("issued", "Lũ trên Sông Hương", "Moderate", 1, 0)]
    audit = lake.sql("SELECT decision, actor, role, previous_status, previous_texts, new_texts, reason "
                     "FROM silver.warning_decisions ORDER BY decided_at").rows(named=True)
    assert [(a["decision"], a["actor"], a["role"], a["previous_status"]) for a in audit] == [
        ("approved", "dieu.hanh", "operator", "draft"), ("discarded", "dieu.hanh", "operator", "draft")]
    assert json.loads(audit[0]["previous_texts"])["headline_vi"] == drafts[0]["headline_vi"]
    assert json.loads(audit[0]["new_texts"])["headline_vi"] == "Lũ sông Hương tại Kim Long trên báo động 1"
    assert audit[1]["reason"] == "đã có bản tin của tỉnh"
    with pytest.raises(ValueError, match="no longer a draft"):  # decided once: not again
        actions.approve(lake, Actor("operator", "khac"), drafts[1]["draft_id"])


def test_malformed_messages_land_in_rejects(gauge_lake: Lake, publisher: Publisher):
    lake = gauge_lake
    run = uuid.uuid4().hex[:6]
    bad = [
        ("frigate/events", f"{{not json {run}".encode(), "not JSON"),
        ("frigate/events", json.dumps({"type": "update", "run": run}).encode(), "after: missing"),
        ("hue-ioc/gauges/71520/level", json.dumps({"observed_at": "2025-11-17 08:00", "water_level_m": 2.0,
                                                   "run": run}).encode(), "has no UTC offset"),
        ("hue-ioc/gauges/00000/level", json.dumps({"observed_at": "2025-11-17T08:00:00+07:00",
                                                   "water_level_m": 2.0, "run": run}).encode(),
         "unknown station code '00000'"),
        (f"hue-ioc/cameras/{CAMERA}/events", json.dumps({"event_id": run, "rule_id": "x:count"}).encode(),
         "class_name: missing"),
    ]
    with RunningService(lake, SYSTEM_BROKER):
        for topic, payload, _ in bad:
            publisher.send(topic, payload)
        wait_for(lambda: lake.exists("silver.rejects") and lake.sql(
            "SELECT count(*) FROM silver.rejects WHERE contains(payload, $r)", {"r": run}).item() == len(bad),
            "five rejects")
    got = lake.sql("SELECT source, payload, reason FROM silver.rejects WHERE contains(payload, $r)", {"r": run})
    rows = {(s, p): reason for s, p, reason in got.rows()}
    for topic, payload, expected in bad:
        assert expected in rows[(f"mqtt:{topic}", payload.decode())]
    assert lake.sql("SELECT count(*) FROM silver.gauge_readings").item() == 0
