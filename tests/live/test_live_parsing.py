"""The message rules on their own: topics, Frigate objects against zone rules, telemetry times, broker URLs."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.live import camera_events, frigate, telemetry
from pipelines.live.frigate import BadMessage
from pipelines.live.messages import Route, message_key, route
from pipelines.live.mqtt import parse_url
from pipelines.live.zones import CameraZones, ZoneRule

CAM = CameraZones("c1", ("vehicle", "person", "bike"), (
    ZoneRule("walk", "encroachment", ("bike",), 1.0), ZoneRule("stop", "dwell", (), 20.0, "illegal_stopping"),
    ZoneRule("view", "congestion")))


EPOCH_2026 = 1_767_225_600.0  # 2026-01-01 00:00 UTC: the times below are seconds after it (Decree 168/2024)


def obj(**after) -> bytes:
    base = {"id": "1.5-x", "camera": "c1", "label": "motorcycle", "score": 0.5, "top_score": 0.8,
            "box": [0, 0, 10, 10], "start_time": 100.0, "frame_time": 100.5, "current_zones": [],
            "entered_zones": []}
    doc = base | after
    for k in ("start_time", "frame_time", "end_time"):
        if isinstance(doc.get(k), float):
            doc[k] += EPOCH_2026
    return json.dumps({"type": "update", "before": {}, "after": doc}).encode()


def test_routes():
    assert route("frigate/events") == Route("frigate")
    assert route("hue-ioc/cameras/cam-7/events") == Route("camera", "cam-7")
    assert route("hue-ioc/gauges/71518/level") == Route("gauge", "71518")
    assert route("hue-ioc/gauges//level").kind == "unknown"
    assert route("frigate/cam/person").kind == "unknown"
    assert message_key("a", b"x") == message_key("a", b"x") != message_key("b", b"x")


def test_frigate_rules_by_zone_class_and_time():
    # a motorcycle (our class "bike") 0.5 s on the walk zone: under the 1 s minimum
    assert frigate.violations(frigate.parse(obj(entered_zones=["walk"])), CAM, dt.datetime.now(dt.UTC)) == []
    # 1.5 s: an encroachment; the fine is the motorbike's under Decree 168/2024 (Điều 7 khoản 2 điểm d:
    # 400 000 – 600 000 VND)
    rows = frigate.violations(frigate.parse(obj(entered_zones=["walk"], frame_time=101.5)), CAM,
                              dt.datetime.now(dt.UTC))
    assert [(r["rule_id"], r["class_name"], r["vehicle_type"], r["fine_vnd"]) for r in rows] == \
        [("walk:encroachment", "bike", "motorbike", 500_000)]
    # dwell counts only while the object is in the zone now; the zone's own event type names it
    gone = frigate.parse(obj(entered_zones=["stop"], current_zones=[], frame_time=130.0))
    assert frigate.violations(gone, CAM, dt.datetime.now(dt.UTC)) == []
    still = frigate.parse(obj(label="car", entered_zones=["stop"], current_zones=["stop"], frame_time=121.0))
    assert [(r["violation_type"], r["fine_vnd"]) for r in frigate.violations(still, CAM, dt.datetime.now(dt.UTC))] \
        == [("illegal_stopping", 700_000)]  # Điều 6 khoản 2 điểm đ: 600–800 nghìn
    # a false positive is neither a violation nor a sighting
    fp = frigate.parse(obj(entered_zones=["walk"], frame_time=110.0, false_positive=True))
    assert frigate.violations(fp, CAM, dt.datetime.now(dt.UTC)) == [] and frigate.contributions(fp, CAM) == []
    assert frigate.contributions(still, CAM) == [("*", "vehicle", "1.5-x|*"), ("stop", "vehicle", "1.5-x|stop")]


@pytest.mark.parametrize("payload, reason", [
    (b"\xff\xfe", "not JSON"),
    (b"[]", "expected a JSON object"),
    (json.dumps({"type": "gone", "after": {}}).encode(), "type: expected"),
    (obj(box=[1, 2, 3]), "after.box"),
    (obj(start_time="yesterday"), "after.start_time"),
    (obj(current_zones="walk"), "after.current_zones"),
])
def test_frigate_refusals(payload: bytes, reason: str):
    with pytest.raises(BadMessage, match=reason):
        frigate.parse(payload)


def test_telemetry_needs_an_offset_and_the_topic_station():
    ok = telemetry.parse(b'{"observed_at": "2025-11-17T08:00:00+07:00", "water_level_m": 4.96}', "71518")
    assert ok == {"station_code": "71518", "observed_at": dt.datetime(2025, 11, 17, 1, tzinfo=dt.UTC),
                  "water_level_m": 4.96}
    with pytest.raises(BadMessage, match="no UTC offset"):
        telemetry.parse(b'{"observed_at": "2025-11-17T08:00:00", "water_level_m": 1}', "71518")
    with pytest.raises(BadMessage, match="differs from the topic"):
        telemetry.parse(b'{"station_code": "71520", "observed_at": "2025-11-17T08:00Z", "water_level_m": 1}',
                        "71518")
    with pytest.raises(BadMessage, match="finite number"):
        telemetry.parse(b'{"observed_at": "2025-11-17T08:00Z", "water_level_m": "high"}', "71518")


def test_detector_event_camera_must_match_topic():
    ev = {"event_id": "e", "camera_id": "c2", "rule_id": "l:count", "category": "count", "class_name": "bike",
          "start_at": "2025-11-17T08:00:00+07:00"}
    with pytest.raises(BadMessage, match="differs from the topic"):
        camera_events.parse(json.dumps(ev).encode(), "c1")
    parsed = camera_events.parse(json.dumps(ev).encode(), "c2")
    assert camera_events.contribution(parsed) == ("l", "bike", "forward", "e")


def test_broker_urls():
    assert parse_url("mqtt://u:p@broker.local:1884") == ("broker.local", 1884, "u", "p")
    assert parse_url("127.0.0.1") == ("127.0.0.1", 1883, None, None)
    with pytest.raises(ValueError, match="scheme"):
        parse_url("http://127.0.0.1")


def test_only_a_declared_simulated_source_marks_a_message_simulated():
    from pipelines.live.messages import Message

    assert Message("frigate/events", b'{"type": "end", "source": "simulated"}').simulated
    assert not Message("frigate/events", b'{"type": "end", "after": {"sub_label": "simulated"}}').simulated
    assert not Message("hue-ioc/gauges/71520/level", b'{"source": "vndms"}').simulated
    assert not Message("hue-ioc/gauges/71520/level", b"not json").simulated
    assert not Message("hue-ioc/gauges/71520/level", b'["simulated"]').simulated
