"""The live ingest against the development Mosquitto (127.0.0.1:1883): Frigate events become violations and
counts, gauge telemetry moves the flood status and issues the IOC's warning, bad messages land in rejects.

Expected values are worked out by hand from the messages each test sends (see the comments)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from lake import Lake
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


@pytest.fixture
def publisher():
    p = Publisher(SYSTEM_BROKER)
    yield p
    p.close()


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
    assert v.rows() == [
        ("no_parking:dwell", "illegal_parking", "vehicle", "car", 900_000, dt.datetime.fromtimestamp(T0 + 10, dt.UTC)),
        ("sidewalk:encroachment", "encroachment", "vehicle", "car", 350_000, dt.datetime.fromtimestamp(T0, dt.UTC)),
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


def test_gauge_telemetry_moves_flood_status_and_issues_warning(gauge_lake: Lake, publisher: Publisher):
    lake = gauge_lake
    # Kim Long (71520): alarm levels 1.0 / 2.0 / 3.5 m (QĐ 05/2020/QĐ-TTg)
    readings = [("2025-11-17T06:00:00+07:00", 0.80), ("2025-11-17T07:00:00+07:00", 1.25),
                ("2025-11-17T08:00:00+07:00", 2.30)]
    with RunningService(lake, SYSTEM_BROKER):
        for t, level in readings:
            publisher.send("hue-ioc/gauges/71520/level",
                           json.dumps({"station_code": "71520", "observed_at": t, "water_level_m": level}).encode())
        wait_for(lambda: lake.exists("gold.flood_status") and lake.sql(
            "SELECT latest_level_m FROM gold.flood_status WHERE station_code = '71520'").to_series().to_list()
            == [2.30], "gold.flood_status at the 08:00 reading")
        wait_for(lambda: lake.exists("silver.warnings") and lake.sql(
            "SELECT count(*) FROM silver.warnings WHERE station_code = '71520'").item() == 2, "two IOC warnings")

    r = lake.sql("SELECT observed_at, water_level_m, alarm_level, bulletin_vi FROM silver.gauge_readings "
                 "ORDER BY observed_at")
    assert r.rows() == [
        (dt.datetime(2025, 11, 16, 23, tzinfo=dt.UTC), 0.80, 0, "dưới báo động 1 0,20 m"),
        (dt.datetime(2025, 11, 17, 0, tzinfo=dt.UTC), 1.25, 1, "trên báo động 1 0,25 m"),
        (dt.datetime(2025, 11, 17, 1, tzinfo=dt.UTC), 2.30, 2, "trên báo động 2 0,30 m"),
    ]
    status = lake.sql("SELECT alarm_level, diff_m, trend, peak_level_m FROM gold.flood_status "
                      "WHERE station_code = '71520'")
    # 3 h before 08:00 there is no reading: the trend compares with the earliest one at or before 05:00 → none
    assert status.rows() == [(2, 0.3, None, 2.30)]
    w = lake.sql("SELECT msg_type, alarm_level, water_level_m, status FROM silver.warnings "
                 "WHERE station_code = '71520' ORDER BY sent")
    # first crossing of level 1 at 07:00 is an Alert; the rise to level 2 at 08:00 an Update referencing it
    assert w.rows() == [("Alert", 1, 1.25, "Actual"), ("Update", 2, 2.30, "Actual")]


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
