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


# ---------------------------------------------------------------- issue 17: each rule pinned by its geometry
def test_lines_are_crossed_by_the_bottom_centre_not_the_box_centre():
    rule = LineCountRule(LineConfig("mid", LINE, "down", RuleConfig("count")), WH)
    # track 1: the wheels go from y=45 to y=55 across the line at y=50; the centre (32.5 → 42.5) stays above
    # track 2: the centre goes 55 → 45 across the line; the wheels (70 → 60) stay below
    evs = run(rule, [frame(0, {1: (45, 20, 55, 45), 2: (45, 40, 55, 70)}),
                     frame(0.2, {1: (45, 30, 55, 55), 2: (45, 30, 55, 60)})])
    assert [(e.track_id, e.direction) for e in evs] == [(1, "forward")]


def test_reaching_the_line_is_the_crossing():
    # a point on the line is on the far side already: the event is at the frame the wheels touch y=50
    rule = LineCountRule(LineConfig("mid", LINE, "down", RuleConfig("count")), WH)
    evs = run(rule, [frame(0, {1: box_at(50, 45)}), frame(0.2, {1: box_at(50, 50)}), frame(0.4, {1: box_at(50, 55)})])
    assert [(e.end_t, e.direction) for e in evs] == [(0.2, "forward")]


def test_a_path_through_the_segment_end_is_a_crossing():
    short = ((0.6, 0.5), (0.9, 0.5))  # x from 60 to 90 px
    rule = LineCountRule(LineConfig("s", short, "down", RuleConfig("count")), WH)
    assert len(run(rule, [frame(0, {1: box_at(60, 40)}), frame(0.2, {1: box_at(60, 60)})])) == 1  # end point
    assert run(rule, [frame(0, {2: box_at(59, 40)}), frame(0.2, {2: box_at(59, 60)})]) == []  # one px beside


@pytest.mark.parametrize(("direction", "x0", "x1", "wrong"), [
    ("right", 40, 60, False), ("right", 60, 40, True), ("left", 60, 40, False), ("left", 40, 60, True),
])
def test_wrong_way_on_a_vertical_line(direction, x0, x1, wrong):
    vertical = ((0.5, 0.0), (0.5, 1.0))
    rule = WrongWayRule(LineConfig("v", vertical, direction, RuleConfig("wrong_way")), WH)
    evs = run(rule, [frame(0, {4: box_at(x0, 50)}), frame(0.2, {4: box_at(x1, 50)})])
    assert [(e.track_id, e.direction, e.event_type, e.category) for e in evs] == (
        [(4, "reverse", "wrong_way", "violation")] if wrong else [])


def test_wrong_way_dedup_window_ends_at_dedup_s():
    rule = WrongWayRule(LineConfig("m", LINE, "up", RuleConfig("wrong_way", dedup_s=10)), WH)
    down = [box_at(50, 45), box_at(50, 55)]
    up = box_at(50, 45)
    frames = [frame(0, {1: down[0]}), frame(0.2, {1: down[1]}),  # wrong way at 0.2
              frame(5, {1: up}), frame(5.2, {1: down[1]}),  # again at 5.2: within 10 s, no second event
              frame(10, {1: up}), frame(10.2, {1: down[1]})]  # at 10.2: exactly 10 s after the first
    assert [e.end_t for e in run(rule, frames)] == [0.2, 10.2]


def test_dedup_window_is_measured_from_the_last_event_late_in_the_stream():
    # the same as above an hour into the stream: the window is the time since the last event (3600.2 s)
    rule = WrongWayRule(LineConfig("m", LINE, "up", RuleConfig("wrong_way", dedup_s=10)), WH)
    down = [box_at(50, 45), box_at(50, 55)]
    up = box_at(50, 45)
    frames = [frame(3600, {1: down[0]}), frame(3600.2, {1: down[1]}),
              frame(3605, {1: up}), frame(3605.2, {1: down[1]}),  # 5 s later: no second event
              frame(3610, {1: up}), frame(3610.2, {1: down[1]})]  # 10 s later: a second one
    assert [e.end_t for e in run(rule, frames)] == [3600.2, 3610.2]


def test_count_keeps_one_event_per_direction_and_filters_classes():
    rule = LineCountRule(LineConfig("mid", LINE, "up", RuleConfig("count", classes=("bike",))), WH)
    frames = [frame(0, {1: box_at(50, 55)}, "bike"), frame(0.2, {1: box_at(50, 45)}, "bike"),
              frame(0.4, {2: box_at(50, 55)}, "car"), frame(0.6, {2: box_at(50, 45)}, "car")]
    evs = run(rule, frames)
    assert [(e.track_id, e.class_name, e.event_type, e.category, e.rule_id) for e in evs] == [
        (1, "bike", "line_count", "count", "mid:count")]


def test_red_light_only_on_red_and_only_forward():
    # plan: green 10 s, amber 3 s, red 13 s (cycle 26 s) from local midnight; 08:00:00 Vietnam time is second
    # 28 800 of the day, 28 800 mod 26 = 18: red (read in UTC, 01:00 = 3 600 s, 3 600 mod 26 = 12: amber)
    line = LineConfig("stop", LINE, "up", RuleConfig("stop_line", phase={"plan": {"green": 10, "red": 13,
                                                                                  "amber": 3}}))
    rule = StopLineRule(line, WH)
    evs = run(rule, [frame(0, {1: box_at(50, 55)}), frame(0.2, {1: box_at(50, 45)}),  # red (18.2): event
                     frame(0.4, {2: box_at(50, 45)}), frame(0.6, {2: box_at(50, 55)}),  # red, reverse: none
                     frame(8.0, {3: box_at(50, 55)}), frame(8.2, {3: box_at(50, 45)}),  # 26.2 → green 0.2
                     frame(18.0, {4: box_at(50, 55)}), frame(18.2, {4: box_at(50, 45)})])  # 36.2 → amber 10.2
    assert [(e.track_id, e.event_type, e.detail) for e in evs] == [(1, "red_light", {"phase": "red"})]


def test_fixed_time_plan_boundaries_and_offset():
    plan = FixedTimePlan(green=10, amber=3, red=13, offset=5)
    base = dt.datetime(2025, 11, 17, 0, 0, tzinfo=VN_TZ)  # local midnight: second 0
    at = [base + dt.timedelta(seconds=s) for s in (4.999, 5, 14.999, 15, 17.999, 18, 30.999, 31)]
    assert [plan.phase(a) for a in at] == ["red", "green", "green", "amber", "amber", "red", "red", "green"]
    # the same instants given in UTC read the same (the plan runs on local time)
    assert [plan.phase(a.astimezone(dt.UTC)) for a in at] == [plan.phase(a) for a in at]
    assert FixedTimePlan(green=10, red=13).cycle == 26.0  # amber defaults to 3 s
    assert plan.phase(base.replace(hour=8)) == "red"  # (28 800 − 5) mod 26 = 13: the first second of red


def test_phase_feed_changes(tmp_path):
    feed = tmp_path / "p.jsonl"
    feed.write_text('{"at": "2025-11-17T08:00:10", "phase": "red"}\n\n'
                    '{"at": "2025-11-17T08:00:00", "phase": "green"}\n')  # no zone: Vietnam time
    f = PhaseFeed.from_file(feed)
    assert f.phase(T0 - dt.timedelta(seconds=1)) == "unknown"
    assert f.phase(T0) == "green"  # a change applies from its own instant
    assert f.phase(T0 + dt.timedelta(seconds=9.9)) == "green"
    assert f.phase(T0 + dt.timedelta(seconds=10)) == "red"
    out_of_order = PhaseFeed([(T0 + dt.timedelta(seconds=5), "red"), (T0, "amber")])
    assert out_of_order.phase(T0 + dt.timedelta(seconds=1)) == "amber"
    csv_feed = tmp_path / "p.csv"
    csv_feed.write_text("at,phase\n2025-11-17T01:00:00+00:00, red \n")
    assert PhaseFeed.from_file(csv_feed).phase(T0) == "red"  # 01:00 UTC = 08:00 Vietnam time


def test_stop_line_feed_path_absolute_and_relative(tmp_path):
    from detectors.signals import phase_source

    feed = tmp_path / "phases.csv"
    feed.write_text("at,phase\n2025-11-17T08:00:00+07:00,red\n")
    assert phase_source({"feed": str(feed)}, base=tmp_path / "elsewhere").phase(T0) == "red"
    assert phase_source({"feed": "phases.csv"}, base=tmp_path).phase(T0) == "red"
    plan = phase_source({"plan": {"green": 10, "red": 13, "offset": 1}})
    assert (plan.green, plan.amber, plan.red, plan.offset) == (10.0, 3.0, 13.0, 1.0)


ALL = ((0, 0), (1, 0), (1, 1), (0, 1))


def test_dwell_threshold_just_below_and_just_above():
    zone = ZoneConfig("z", ALL, RuleConfig("dwell", seconds=60.0))
    seen = [t / 2 for t in range(120)]  # every 0.5 s from 0 to 59.5
    below = run(DwellRule(zone, WH), [frame(t, {1: box_at(50, 50)}) for t in [*seen, 59.999]])
    assert below == []
    above = run(DwellRule(zone, WH), [frame(t, {1: box_at(50, 50)}) for t in [*seen, 60.001, 60.5]])
    assert [(e.start_t, e.end_t, e.detail) for e in above] == [(0, 60.001, {"dwell_s": 60.0})]


def test_dwell_forgets_a_track_gone_longer_than_the_grace():
    zone = ZoneConfig("z", ALL, RuleConfig("dwell", seconds=2.0))
    # gone for exactly 1 s (the grace): still the same stay, event at 2.0 dated from 0
    kept = run(DwellRule(zone, WH), [frame(0, {1: box_at(50, 50)}), frame(0.5, {1: box_at(50, 50)}),
                                     frame(1.5, {1: box_at(50, 50)}), frame(2.0, {1: box_at(50, 50)})])
    assert [(e.start_t, e.end_t) for e in kept] == [(0, 2.0)]
    # gone for 1.2 s: a new stay from 1.7
    frames = [frame(t, {1: box_at(50, 50)}) for t in (0, 0.5, 1.7, 2.5, 3.2, 3.7)]
    assert [(e.start_t, e.end_t) for e in run(DwellRule(zone, WH), frames)] == [(1.7, 3.7)]
    # empty frames in between count as absence too
    frames = [frame(0, {1: box_at(50, 50)}), frame(0.5, {1: box_at(50, 50)}), frame(1.0, {}), frame(1.6, {}),
              *[frame(t, {1: box_at(50, 50)}) for t in (1.7, 2.5, 3.2, 3.7)]]
    assert [(e.start_t, e.end_t) for e in run(DwellRule(zone, WH), frames)] == [(1.7, 3.7)]


def test_dwell_event_fields_and_configured_type():
    zone = ZoneConfig("kerb", ALL, RuleConfig("dwell", seconds=1.0, event_type="illegal_stopping",
                                               classes=("car",)))
    f0 = TrackedFrame(0, T0, np.array([[10, 20, 30, 40], [50, 50, 60, 60]], np.float32),
                      np.array([0.8, 0.7], np.float32), ["car", "bike"], np.array([3, 4]), WH)
    f1 = TrackedFrame(1, T0 + dt.timedelta(seconds=1), np.array([[11, 21, 31, 41], [50, 50, 60, 60]], np.float32),
                      np.array([0.6, 0.7], np.float32), ["car", "bike"], np.array([3, 4]), WH)
    evs = run(DwellRule(zone, WH), [f0, f1])
    assert len(evs) == 1
    e = evs[0]
    assert (e.rule_id, e.rule, e.event_type, e.category) == ("kerb:dwell", "dwell", "illegal_stopping", "violation")
    assert (e.track_id, e.class_name, e.start_t, e.end_t, e.start_at, e.end_at) == (
        3, "car", 0, 1, T0, T0 + dt.timedelta(seconds=1))
    assert e.score == pytest.approx(0.6) and e.box == (11.0, 21.0, 31.0, 41.0)


def test_encroachment_on_first_sight_and_once_per_window():
    zone = ZoneConfig("walk", BAND, RuleConfig("encroachment", dedup_s=5))
    frames = [frame(t, {1: FEET_IN}) for t in (0, 1, 2, 4.9, 5.0)]
    evs = run(EncroachmentRule(zone, WH), frames)
    assert [(e.end_t, e.event_type) for e in evs] == [(0, "encroachment"), (5.0, "encroachment")]


def test_congestion_threshold_is_reached_at_equal_occupancy():
    zone = ZoneConfig("all", ALL, RuleConfig("congestion", threshold=3, window_s=0.0, dedup_s=60))
    two = {i: box_at(10 + 20 * i, 60) for i in range(2)}
    three = {i: box_at(10 + 20 * i, 60) for i in range(3)}
    assert run(CongestionRule(zone, WH), [frame(0, two)]) == []
    evs = run(CongestionRule(zone, WH), [frame(0, three)])
    assert [(e.detail["occupancy"], e.detail["threshold"]) for e in evs] == [(3, 3)]


def test_congestion_resets_when_occupancy_drops_and_reports_the_peak():
    zone = ZoneConfig("all", ALL, RuleConfig("congestion", threshold=2, window_s=1.0, dedup_s=600))
    busy = {i: box_at(10 + 20 * i, 60) for i in range(2)}
    busier = {i: box_at(10 + 20 * i, 60) for i in range(4)}
    quiet = {0: box_at(10, 60)}
    frames = [frame(0, busy), frame(0.6, busier), frame(0.8, quiet),  # dropped before 1 s: no incident
              frame(1.0, busy), frame(1.4, busy), frame(2.0, busy)]  # busy again from 1.0, for 1 s at 2.0
    evs = run(CongestionRule(zone, WH), frames)
    assert [(e.start_t, e.end_t, e.detail["peak"], e.detail["occupancy"]) for e in evs] == [(1.0, 2.0, 2, 2)]


def test_congestion_incident_fields():
    zone = ZoneConfig("jam", ALL, RuleConfig("congestion", threshold=2, window_s=0.0, classes=("car", "bus")))
    f = TrackedFrame(0, T0, np.array([[10, 20, 30, 40], [50, 10, 70, 45], [80, 80, 90, 90]], np.float32),
                     np.array([0.6, 0.8, 0.9], np.float32), ["car", "bus", "person"], np.array([1, 2, 3]), WH)
    (e,) = CongestionRule(zone, WH).update(f, {})
    assert (e.rule_id, e.event_type, e.category, e.track_id, e.class_name) == (
        "jam:congestion", "congestion", "incident", -1, "bus,car")
    assert e.box == (10.0, 10.0, 70.0, 45.0)  # the union of the two counted boxes, not the person
    assert e.score == pytest.approx(0.7)
    assert e.detail == {"occupancy": 2, "peak": 2, "threshold": 2}


def test_build_rules_maps_each_type():
    from detectors.config import CameraConfig
    from detectors.rules import build_rules

    zones = tuple(ZoneConfig(t, ALL, RuleConfig(t)) for t in ("dwell", "encroachment", "congestion"))
    lines = (LineConfig("c", LINE, "up", RuleConfig("count")), LineConfig("w", LINE, "up", RuleConfig("wrong_way")),
             LineConfig("s", LINE, "up", RuleConfig("stop_line", phase={"plan": {"green": 1, "red": 1}})))
    cam = CameraConfig("cam", "Cam", "x.mp4", 16.46, 107.59, zones=zones, lines=lines)
    rules = build_rules(cam, WH)
    assert [type(r) for r in rules] == [DwellRule, EncroachmentRule, CongestionRule, LineCountRule, WrongWayRule,
                                        StopLineRule]
    with pytest.raises(ValueError, match="zone z: rule 'count' is not a zone rule"):
        build_rules(CameraConfig("cam", "Cam", "x.mp4", 0, 0, zones=(ZoneConfig("z", ALL, RuleConfig("count")),)),
                    WH)
    with pytest.raises(ValueError, match="line l: rule 'dwell' is not a line rule"):
        build_rules(CameraConfig("cam", "Cam", "x.mp4", 0, 0, lines=(LineConfig("l", LINE, "up", RuleConfig("dwell")),)),
                    WH)


def test_zone_rules_with_no_detections():
    zone = ZoneConfig("z", ALL, RuleConfig("congestion", threshold=1))
    assert CongestionRule(zone, WH).update(frame(0, {}), {}) == []
    assert DwellRule(ZoneConfig("z", ALL, RuleConfig("dwell")), WH).update(frame(0, {}), {}) == []


@pytest.mark.parametrize("make", [
    lambda: LineCountRule(LineConfig("l", LINE, "down", RuleConfig("count", classes=("bike",))), WH),
    lambda: WrongWayRule(LineConfig("l", LINE, "up", RuleConfig("wrong_way", classes=("bike",))), WH),
    lambda: StopLineRule(LineConfig("l", LINE, "down", RuleConfig(
        "stop_line", classes=("bike",), phase={"plan": {"green": 1, "amber": 1, "red": 24}})), WH),
], ids=["count", "wrong_way", "stop_line"])
def test_line_events_carry_the_crossing_frame(make):
    # a bike and a car cross downwards at t=0.2 (08:00:00.2: red in the 1/1/24 s plan); only the bike is wanted
    rule = make()
    evs = run(rule, [frame(0, {1: box_at(50, 45)}, "bike"), frame(0.2, {1: box_at(50, 55)}, "bike"),
                     frame(0, {2: box_at(50, 45)}, "car"), frame(0.2, {2: box_at(50, 55)}, "car")])
    at = T0 + dt.timedelta(seconds=0.2)
    assert [(e.track_id, e.class_name, e.start_t, e.end_t, e.start_at, e.end_at) for e in evs] == [
        (1, "bike", 0.2, 0.2, at, at)]
    assert evs[0].direction == ("reverse" if isinstance(rule, WrongWayRule) else "forward")
    assert evs[0].box == box_at(50, 55) and evs[0].score == pytest.approx(0.9)


def test_fixed_time_plan_counts_minutes_and_defaults_to_no_offset():
    plan = FixedTimePlan(green=30, red=30, amber=0)  # cycle 60 s from local midnight
    base = dt.datetime(2025, 11, 17, 8, 0, tzinfo=VN_TZ)
    # 08:07:10 is second 29 230 of the day: 10 s into a minute → green; 08:07:40 → red
    assert plan.phase(base.replace(minute=7, second=10)) == "green"
    assert plan.phase(base.replace(minute=7, second=40)) == "red"
    # minutes count: green 20 s, red 27 s (cycle 47 s); 08:23:10 is second 30 190, 30 190 mod 47 = 16: green
    assert FixedTimePlan(green=20, red=27, amber=0).phase(base.replace(minute=23, second=10)) == "green"
    # fractions of a second count: green ends at 29.25 s into each minute
    split = FixedTimePlan(green=29.25, red=30.75, amber=0)
    assert split.phase(base.replace(second=29)) == "green"
    assert split.phase(base.replace(second=29, microsecond=500_000)) == "red"
    assert FixedTimePlan(green=5, red=5, amber=0).phase(base.replace(second=10)) == "green"  # offset 0: 10 mod 10


def test_phase_sources_read_every_field(tmp_path, monkeypatch):
    from detectors.signals import phase_source

    plan = phase_source({"plan": {"green": 10, "red": 13, "amber": 2, "offset": 4}})
    assert (plan.green, plan.amber, plan.red, plan.offset, plan.cycle) == (10.0, 2.0, 13.0, 4.0, 25.0)
    (tmp_path / "p.json").write_text('{"at": "2025-11-17T08:00:00+07:00", "phase": "amber"}\n')
    assert PhaseFeed.from_file(tmp_path / "p.json").phase(T0) == "amber"  # .json is read as JSON lines too
    monkeypatch.chdir(tmp_path)  # no base folder: a relative feed is read from the working folder
    assert phase_source({"feed": "p.json"}).phase(T0) == "amber"
    with pytest.raises(ValueError, match="unknown signal phase 'purple'"):
        PhaseFeed().set(T0, "purple")


def test_build_rules_reads_a_stop_line_feed_beside_the_config(tmp_path):
    from detectors.config import CameraConfig
    from detectors.rules import build_rules

    (tmp_path / "phases.csv").write_text("at,phase\n2025-11-17T08:00:00+07:00,red\n")
    line = LineConfig("s", LINE, "up", RuleConfig("stop_line", phase={"feed": "phases.csv"}))
    (rule,) = build_rules(CameraConfig("cam", "Cam", "x.mp4", 0, 0, lines=(line,)), WH, base=tmp_path)
    assert rule.signal.phase(T0) == "red"


def test_crossing_geometry_against_shapely():
    # Random slanted segments and paths: a crossing is reported exactly when shapely says the path meets the
    # segment, and it is "forward" exactly when the path moves up (the lawful direction). Touching cases (an
    # end point on the other segment, zero lengths) are left out here; the tests above pin them.
    from hypothesis import assume, given, settings
    from hypothesis import strategies as st
    from shapely.geometry import LineString, Point

    xy = st.tuples(st.floats(1, 99), st.floats(11, 99))

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(xy, xy, xy, xy)
    def check(a, b, p0, p1):
        seg, path = LineString([a, b]), LineString([p0, p1])
        assume(seg.length > 1 and path.length > 1 and p0[1] != p1[1])
        assume(min(seg.distance(Point(p0)), seg.distance(Point(p1)), path.distance(Point(a)),
                   path.distance(Point(b))) > 1e-3)
        line = LineConfig("x", ((a[0] / 100, a[1] / 100), (b[0] / 100, b[1] / 100)), "up", RuleConfig("count"))
        rule = LineCountRule(line, WH)
        f = frame(0.2, {7: (p1[0] - 5, p1[1] - 10, p1[0] + 5, p1[1])})
        got = rule.crossings(f, {7: np.array(p0, np.float64)})
        meets = seg.intersects(path)
        assert got == ([(0, "forward" if p1[1] < p0[1] else "reverse")] if meets else [])

    check()


def test_crossings_go_on_past_tracks_that_do_not_cross():
    short = ((0.6, 0.5), (0.9, 0.5))
    rule = LineCountRule(LineConfig("s", short, "down", RuleConfig("count")), WH)
    prev = {2: np.array([70.0, 30.0]), 3: np.array([30.0, 40.0]), 4: np.array([70.0, 40.0])}
    # 1: first seen (no previous point); 2: stays above; 3: crosses beside the segment; 4: crosses it
    f = frame(0.2, {1: box_at(70, 60), 2: box_at(70, 40), 3: box_at(30, 60), 4: box_at(70, 60)})
    assert rule.crossings(f, prev) == [(3, "forward")]


def test_a_track_leaving_the_line_does_not_cross_again():
    # no de-duplication: the frame that reaches y=50 crosses, the next one (from on the line to below) does not
    rule = LineCountRule(LineConfig("mid", LINE, "down", RuleConfig("count", dedup_s=0)), WH)
    evs = run(rule, [frame(0, {1: box_at(50, 45)}), frame(0.2, {1: box_at(50, 50)}), frame(0.4, {1: box_at(50, 55)})])
    assert [e.end_t for e in evs] == [0.2]
    # a wheel a hundredth of a pixel past the line is past it
    evs = run(rule, [frame(0, {2: box_at(50, 50.004)}), frame(0.2, {2: box_at(50, 45)})])
    assert [(e.track_id, e.direction) for e in evs] == [(2, "reverse")]


def test_the_far_end_of_the_segment_counts():
    short = ((0.6, 0.5), (0.9, 0.5))
    rule = LineCountRule(LineConfig("s", short, "down", RuleConfig("count")), WH)
    assert len(run(rule, [frame(0, {1: box_at(90, 40)}), frame(0.2, {1: box_at(90, 60)})])) == 1


@pytest.mark.parametrize("kind", ["wrong_way", "stop_line"])
def test_violations_are_kept_per_track(kind):
    # red all the time; two tracks cross the wrong way / on red in the same second: two events; the first track
    # crossing again within the window: no third
    direction = "up" if kind == "wrong_way" else "down"
    cfg = RuleConfig(kind, phase={"plan": {"green": 0, "amber": 0, "red": 60}})
    rule = (WrongWayRule if kind == "wrong_way" else StopLineRule)(LineConfig("l", LINE, direction, cfg), WH)
    above, below = box_at(50, 45), box_at(50, 55)
    frames = [frame(0, {1: above, 2: above}), frame(0.2, {1: below, 2: below}),
              frame(0.4, {1: above}), frame(0.6, {1: below})]
    assert [(e.track_id, e.end_t) for e in run(rule, frames)] == [(1, 0.2), (2, 0.2)]


def test_congestion_incident_is_dated_from_the_start_of_the_jam():
    zone = ZoneConfig("jam", ALL, RuleConfig("congestion", threshold=1, window_s=0.4))
    evs = run(CongestionRule(zone, WH), [frame(t, {1: box_at(50, 50)}) for t in (0, 0.2, 0.4)])
    assert [(e.rule, e.start_t, e.end_t, e.start_at, e.end_at) for e in evs] == [
        ("congestion", 0, 0.4, T0, T0 + dt.timedelta(seconds=0.4))]


def test_dwell_times_each_track_on_its_own():
    # track 1 in the zone from 0, track 2 from 1.4; 2 s threshold: events at 2.0 (dwell 2.0) and 3.5 (dwell 2.1)
    zone = ZoneConfig("z", ALL, RuleConfig("dwell", seconds=2.0))
    frames = [frame(t, {1: box_at(30, 50), **({2: box_at(70, 50)} if t >= 1.4 else {})})
              for t in (0, 0.5, 1.0, 1.4, 2.0, 2.5, 3.0, 3.5)]
    evs = run(DwellRule(zone, WH), frames)
    assert [(e.track_id, e.start_t, e.end_t, e.detail) for e in evs] == [
        (1, 0, 2.0, {"dwell_s": 2.0}), (2, 1.4, 3.5, {"dwell_s": 2.1})]


def test_inside_is_one_boolean_per_box_and_empty_without_boxes():
    # the zone's mask has exactly one entry per detection: none for an empty frame, and for two boxes the
    # first (bottom-centre (50, 60), in the 40..70 px band) in and the second (bottom-centre (50, 90)) out
    rule = DwellRule(ZoneConfig("band", BAND, RuleConfig("dwell", seconds=1.0)), WH)
    empty = rule.inside(frame(0, {}))
    assert empty.dtype == np.bool_ and empty.shape == (0,)
    two = rule.inside(frame(0, {1: FEET_IN, 2: BODY_IN}))
    assert two.dtype == np.bool_ and two.tolist() == [True, False]


def test_a_long_stream_keeps_only_tracks_seen_within_the_grace():
    # a camera runs for days with ever new track ids: a zone rule must forget the tracks that left, or its
    # state (and the clean-up loop over it) grows with every vehicle ever seen. Tracks 0..49 each pass in one
    # frame, 2 s apart (more than the 1 s grace): after each frame only the track of that frame is held.
    rule = DwellRule(ZoneConfig("z", ALL, RuleConfig("dwell", seconds=60.0)), WH)
    for i in range(50):
        rule.update(frame(2.0 * i, {i: box_at(50, 50)}), {})
        assert set(rule.last_seen) == {i} and set(rule.entered) == {i}
    rule.update(frame(200.0, {}), {})  # an empty frame 102 s after the last track: nothing held
    assert rule.last_seen == {} and rule.entered == {}


def test_fixed_time_plan_changes_phase_on_the_half_second():
    # green 10.5 s, amber 3 s, red 16.5 s: a 30 s cycle from local midnight; 08:00:10.5 is second 28 810.5,
    # 28 810.5 mod 30 = 10.5, the first instant of amber; one microsecond earlier is still green
    plan = FixedTimePlan(green=10.5, amber=3, red=16.5)
    base = dt.datetime(2025, 11, 17, 8, 0, 10, tzinfo=VN_TZ)
    assert plan.phase(base.replace(microsecond=499_999)) == "green"
    assert plan.phase(base.replace(microsecond=500_000)) == "amber"
    # 08:00:13.5: 13.5 s into the cycle, amber has ended
    assert plan.phase(base.replace(second=13, microsecond=499_999)) == "amber"
    assert plan.phase(base.replace(second=13, microsecond=500_000)) == "red"


def test_a_slow_track_beside_the_end_of_a_short_line_does_not_cross():
    # line from (0, 50) to (60, 50), lawful direction up. A track creeping up 0.1 px between two frames
    # (y 50.05 → 49.95) crosses the line's extension at x = 61.5, 1.5 px beyond its end: not a crossing.
    # The same creep at x = 58.5, within the segment, is one, and it goes forward (0.1 px up, with the law)
    rule = LineCountRule(LineConfig("short", ((0.0, 0.5), (0.6, 0.5)), "up", RuleConfig("count")), WH)
    beside = run(rule, [frame(0, {1: box_at(61.5, 50.05)}), frame(0.2, {1: box_at(61.5, 49.95)})])
    assert beside == []
    through = run(rule, [frame(0, {2: box_at(58.5, 50.05)}), frame(0.2, {2: box_at(58.5, 49.95)})])
    assert [(e.track_id, e.direction) for e in through] == [(2, "forward")]


def test_a_diagonal_line_crossed_at_right_angles_to_the_lawful_direction_goes_neither_way():
    # the line runs from (20, 80) to (80, 20); lawful is up. Track 1 moves right along y = 50 (at right angles
    # to "up") and crosses the line at x = 50: a count records it as sideways, and neither a wrong-way nor a
    # red-light event rests on it. Track 2 moves up across the same line: forward.
    diagonal = ((0.2, 0.8), (0.8, 0.2))
    red = {"plan": {"green": 10, "red": 13, "amber": 3}}  # 08:00:00 Vietnam time is red (see above)
    frames = [frame(0, {1: box_at(45, 50)}), frame(0.2, {1: box_at(55, 50)}),
              frame(0.4, {2: box_at(50, 56)}), frame(0.6, {2: box_at(50, 44)})]
    count = LineCountRule(LineConfig("d", diagonal, "up", RuleConfig("count")), WH)
    assert [(e.track_id, e.direction) for e in run(count, frames)] == [(1, "sideways"), (2, "forward")]
    wrong = WrongWayRule(LineConfig("d", diagonal, "up", RuleConfig("wrong_way")), WH)
    assert run(wrong, frames) == []
    stop = StopLineRule(LineConfig("d", diagonal, "up", RuleConfig("stop_line", phase=red)), WH)
    assert [(e.track_id, e.event_type) for e in run(stop, frames)] == [(2, "red_light")]
