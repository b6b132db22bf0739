"""Rules on hand-made tracks: crossing geometry, de-duplication, dwell timing, phases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from core.tz import VN_TZ
from detectors.config import LineConfig, RuleConfig, ZoneConfig
from detectors.rules import (
    CongestionRule,
    DwellRule,
    EncroachmentRule,
    LineCountRule,
    StopLineRule,
    TrackedFrame,
    WrongWayRule,
)
from detectors.signals import FixedTimePlan, PhaseFeed

T0 = dt.datetime(2025, 11, 17, 8, 0, tzinfo=VN_TZ)
WH = (100, 100)


def frame(t: float, boxes: dict[int, tuple[float, float, float, float]], cls: str = "vehicle") -> TrackedFrame:
    ids = list(boxes)
    xyxy = np.array([boxes[i] for i in ids], np.float32).reshape(-1, 4)
    return TrackedFrame(t, T0 + dt.timedelta(seconds=t), xyxy, np.full(len(ids), 0.9, np.float32),
                        [cls] * len(ids), np.array(ids, np.int64), WH)


def run(rule, frames):
    prev, out = {}, []
    for f in frames:
        out += rule.update(f, prev)
        for i, tid in enumerate(f.track_ids):
            prev[int(tid)] = f.anchors[i].astype(np.float64)
    return out


def box_at(cx: float, bottom: float) -> tuple[float, float, float, float]:
    return (cx - 5, bottom - 10, cx + 5, bottom)


LINE = ((0.0, 0.5), (1.0, 0.5))


def test_line_count_directions_and_dedup():
    rule = LineCountRule(LineConfig("mid", LINE, "up", RuleConfig("count", dedup_s=600)), WH)
    # track 1 goes up across y=50 and jitters back and forth: one forward and one reverse count only
    ys = [70, 60, 52, 48, 51, 47, 40]
    evs = run(rule, [frame(i * 0.2, {1: box_at(50, y)}) for i, y in enumerate(ys)])
    assert [(e.track_id, e.direction) for e in evs] == [(1, "forward"), (1, "reverse")]


def test_path_beside_the_segment_is_not_a_crossing():
    short = ((0.6, 0.5), (0.9, 0.5))
    rule = WrongWayRule(LineConfig("s", short, "up", RuleConfig("wrong_way")), WH)
    evs = run(rule, [frame(0, {1: box_at(30, 40)}), frame(0.2, {1: box_at(30, 60)})])  # x=30: beside
    assert evs == []
    evs = run(rule, [frame(0, {2: box_at(70, 40)}), frame(0.2, {2: box_at(70, 60)})])  # x=70: through, down
    assert [(e.track_id, e.event_type) for e in evs] == [(2, "wrong_way")]


def test_class_filter():
    rule = WrongWayRule(LineConfig("m", LINE, "up", RuleConfig("wrong_way", classes=("bike",))), WH)
    assert run(rule, [frame(0, {1: box_at(50, 40)}), frame(0.2, {1: box_at(50, 60)})]) == []


def test_dwell_threshold_and_gap():
    zone = ZoneConfig("z", ((0, 0), (0.5, 0), (0.5, 1), (0, 1)), RuleConfig("dwell", seconds=3.0))
    rule = DwellRule(zone, WH)
    frames = [frame(t / 5, {7: box_at(20, 50)}) for t in range(0, 14)]  # 2.6 s: not yet
    assert run(rule, frames) == []
    frames = [frame(t / 5, {7: box_at(20, 50)}) for t in range(14, 20)]  # reaches 3.0 s at t=3.0
    evs = run(rule, frames)
    assert len(evs) == 1 and evs[0].start_t == 0.0 and evs[0].end_t == pytest.approx(3.0)
    assert evs[0].event_type == "illegal_parking"


BAND = ((0, 0.4), (1, 0.4), (1, 0.7), (0, 0.7))  # a zone from y=40 to y=70 px, across the frame
FEET_IN = (40, 10, 60, 60)  # bottom-centre (50, 60) inside the band, centre (50, 35) above it
BODY_IN = (40, 40, 60, 90)  # centre (50, 65) inside the band, bottom-centre (50, 90) below it


@pytest.mark.parametrize("rule_cls, cfg", [
    (DwellRule, RuleConfig("dwell", seconds=0.4)),
    (EncroachmentRule, RuleConfig("encroachment")),
    (CongestionRule, RuleConfig("congestion", threshold=1, window_s=0.4)),
], ids=["dwell", "encroachment", "congestion"])
def test_zone_rules_place_a_box_by_its_bottom_centre(rule_cls, cfg):
    feet_in = run(rule_cls(ZoneConfig("band", BAND, cfg), WH), [frame(t / 5, {1: FEET_IN}) for t in range(5)])
    assert len(feet_in) == 1  # the wheels are in the zone: counted although the box's centre is outside
    body_in = run(rule_cls(ZoneConfig("band", BAND, cfg), WH), [frame(t / 5, {1: BODY_IN}) for t in range(5)])
    assert body_in == []  # the box's centre is in the zone but the wheels are not


def test_congestion_window_and_dedup():
    zone = ZoneConfig("all", ((0, 0), (1, 0), (1, 1), (0, 1)),
                      RuleConfig("congestion", threshold=3, window_s=1.0, dedup_s=60))
    rule = CongestionRule(zone, WH)
    busy = {i: box_at(10 + 20 * i, 60) for i in range(3)}
    evs = run(rule, [frame(t / 5, busy) for t in range(20)])  # 4 s busy: one incident only
    assert len(evs) == 1 and evs[0].track_id == -1 and evs[0].detail["occupancy"] == 3
    assert evs[0].end_t - evs[0].start_t == pytest.approx(1.0)


def test_fixed_time_plan():
    plan = FixedTimePlan(green=10, amber=2, red=12, offset=0)
    assert plan.phase(T0) == "green"  # 08:00:00 = 28800 s, a multiple of the 24 s cycle
    assert plan.phase(T0 + dt.timedelta(seconds=11)) == "amber"
    assert plan.phase(T0 + dt.timedelta(seconds=17.5)) == "red"
    assert plan.phase(T0 + dt.timedelta(seconds=24)) == "green"


def test_stop_line_with_phase_feed(tmp_path):
    feed = tmp_path / "phases.csv"
    feed.write_text("at,phase\n2025-11-17T08:00:00+07:00,green\n2025-11-17T08:00:05+07:00,red\n")
    line = LineConfig("stop", LINE, "up", RuleConfig("stop_line", phase={"feed": "phases.csv"}))
    rule = StopLineRule(line, WH, base=tmp_path)
    # track 1 crosses up at t=1 (green); track 2 crosses up at t=6 (red); track 3 crosses down at t=7 (not
    # the stop line's direction)
    frames = [frame(0.8, {1: box_at(50, 55)}), frame(1.0, {1: box_at(50, 45)}),
              frame(5.8, {2: box_at(50, 55)}), frame(6.0, {2: box_at(50, 45)}),
              frame(6.8, {3: box_at(50, 45)}), frame(7.0, {3: box_at(50, 55)})]
    evs = run(rule, frames)
    assert [(e.track_id, e.event_type, e.detail["phase"]) for e in evs] == [(2, "red_light", "red")]
    live = PhaseFeed()
    assert live.phase(T0) == "unknown"
    live.set(T0, "red")
    assert live.phase(T0 + dt.timedelta(seconds=1)) == "red"
    with pytest.raises(ValueError):
        live.set(T0, "purple")


def test_writer_flushes_closed_minutes_on_a_quiet_stream(lake):
    from detectors.rules import RuleEvent
    from detectors.writer import EventWriter

    w = EventWriter(lake, "cam-q", batch_size=1000, max_delay_s=0.0)
    at = dt.datetime(2025, 11, 17, 1, 0, 30, tzinfo=dt.UTC)
    ev = RuleEvent("mid:count", "count", "line_count", "count", 1, "vehicle", 0, 0, at, at, 0.9, (0, 0, 1, 1),
                   direction="forward")
    w.add({"event_id": "e1"}, ev)  # max_delay 0: the raw row goes out, the open minute stays buffered
    assert lake.sql("select count(*) n from silver.traffic_counts")["n"][0] == 0
    w.tick(at + dt.timedelta(seconds=40))  # a frame in the next minute, no event: the closed minute is written
    rows = lake.sql("select minute, count from silver.traffic_counts").rows()
    assert rows == [(dt.datetime(2025, 11, 17, 1, 0, tzinfo=dt.UTC), 1)]
