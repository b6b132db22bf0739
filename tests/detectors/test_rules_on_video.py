"""The example camera over car-detection.mp4 produces the events a person counts by eye.

What the clip shows (looked at frame by frame; see configs/cameras.example.yaml for the zones/lines):
* 0–4.9 s empty lot;
* 5.0–8.2 s a white car drives UP the right lane and leaves at the top;
* 14.6–17.9 s a silver car drives DOWN the left lane (against the lawful 'up' direction), 3.3 s inside the
  left "no stopping" zone; meanwhile 15.4–18.7 s a red car drives UP the right lane; both are in view
  together for ~2.5 s;
* 25.7–27.6 s a white car drives DOWN the left lane (1.9 s in the left zone);
* around 28 s the clip darkens (the detector's whole-frame box there is dropped as too large).
Nothing enters the right-hand sidewalk strip.

So by eye: midline count 2 up (forward) + 2 down (reverse); wrong way 2 (the two cars going down);
dwell over 2.5 s in the left zone: 1 (the silver car; the second white car stays only 1.9 s);
red light: the fixed plan is green 0–10 s, amber 10–12 s, red 12–24 s (from 08:00:00 local), so the
white car crossing at ~7 s is on green and the red car crossing at ~17.5 s runs the red: 1;
congestion (2 vehicles for 1 s): 1; sidewalk encroachment: 0.
"""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
import pytest

from core.tz import VN_TZ
from dashboards.access import Actor
from dashboards.actions.review import decide
from detectors.config import camera_by_id
from detectors.runner import CameraPipeline

pytestmark = pytest.mark.assets


def test_counts_match_eye(le_loi_run):
    r = le_loi_run
    assert r.status == "ok", r.error
    assert r.frames == 151  # 377 frames at 12.5 fps sampled to 5 fps
    assert r.count("line_count", direction="forward") == 2
    assert r.count("line_count", direction="reverse") == 2
    assert r.count("wrong_way") == 2
    assert r.count("illegal_stopping") == 1
    assert r.count("red_light") == 1
    assert r.count("congestion") == 1
    assert r.count("encroachment") == 0
    assert len(r.events) == 9


def test_event_details(le_loi_run):
    ev = {e["event_type"]: e for e in le_loi_run.events if e["event_type"] != "line_count"}
    # the silver car: in the left zone from ~15 s, reported once it has stayed 2.5 s
    assert 14.5 <= ev["illegal_stopping"]["start_t"] <= 15.5 and ev["illegal_stopping"]["t"] >= 17.0
    assert 17.0 <= ev["red_light"]["t"] <= 18.5  # the red car, during red
    wrong = sorted(e["t"] for e in le_loi_run.events if e["event_type"] == "wrong_way")
    assert 15 <= wrong[0] <= 17 and 25.5 <= wrong[1] <= 27
    # one event per (camera, rule, track): the wrong-way track ids differ and each appears once
    ids = [e["track_id"] for e in le_loi_run.events if e["event_type"] == "wrong_way"]
    assert len(set(ids)) == 2


def test_lake_rows(le_loi_run, session_lake):
    lake = session_lake
    v = lake.sql("select * from silver.violations where camera_id = 'hue-le-loi-01' order by start_at")
    assert sorted(v["violation_type"].to_list()) == ["congestion", "illegal_stopping", "red_light",
                                                     "wrong_way", "wrong_way"]
    assert set(v["review_status"]) == {"pending"}
    assert v.filter(v["category"] == "violation")["evidence_uri"].null_count() == 0
    assert set(v["model_name"]) == {"person-vehicle-bike-detection-2000"}
    assert set(v["model_version"]) == {"omz-2022.3/FP16"}
    # fines from the decree in force on the day (car through a red light): 46/2016 1.2–2 M, 100/2019 3–5 M,
    # 168/2024 18–20 M VND; the run's clock is the video file's time unless the camera pins one
    red = v.filter(v["violation_type"] == "red_light")
    day = red["start_at"][0].astimezone(VN_TZ).date()
    expected = 19_000_000 if day >= dt.date(2025, 1, 1) else 4_000_000 if day >= dt.date(2020, 1, 1) else 1_600_000
    assert red["fine_vnd"].to_list() == [expected]
    # the evidence is a JPEG crop of the violator
    uri = v.filter(v["violation_type"] == "red_light")["evidence_uri"][0]
    img = cv2.imdecode(np.frombuffer(lake.get_artifact(uri), np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and 50 < img.shape[0] <= 432 and img.shape[1] > 50
    c = lake.sql("select direction, sum(count) n from silver.traffic_counts group by direction order by direction")
    assert c.rows() == [("forward", 2), ("reverse", 2)]
    raw = lake.sql("select count(*) n from bronze.camera_events_raw where camera_id = 'hue-le-loi-01'")
    assert raw["n"][0] == 9


def test_rerun_is_idempotent_and_review_keeps_original(le_loi_run, session_lake, example_cams, models):
    lake = session_lake
    before = lake.sql("select count(*) n from silver.violations")["n"][0]
    target = lake.sql("select * from silver.violations where violation_type = 'red_light'")
    decide(lake, Actor("operator", "cb.nguyen"), target["event_id"][0], "confirmed", reason="đã xác minh")
    cam = camera_by_id(example_cams, "hue-le-loi-01")
    again = CameraPipeline(cam, lake, models).run()  # the same file again
    assert again.count("red_light") == 1
    after = lake.sql("select * from silver.violations where violation_type = 'red_light'")
    assert lake.sql("select count(*) n from silver.violations")["n"][0] == before
    assert after["review_status"][0] == "confirmed" and after["reviewed_by"][0] == "cb.nguyen"
    for col in ("start_at", "end_at", "score", "box_x0", "evidence_uri", "fine_vnd", "track_id"):
        assert after[col][0] == target[col][0]
    with pytest.raises(ValueError, match="review decision"):
        decide(lake, Actor("operator", "x"), target["event_id"][0], "maybe")
    counts = lake.sql("select sum(count) n from silver.traffic_counts")["n"][0]
    assert counts == 4  # the rerun rewrote the same minute, not added to it


def test_yolox_camera_on_the_gif_clip(models):
    """A COCO camera (YOLOX-nano) over the gif clip: a pedestrian and a cyclist pass through the top strip
    (seen by eye in frames 0–16); each is one encroachment event."""
    from detectors.config import parse_cameras

    cam = parse_cameras({"cameras": [{
        "id": "hue-yolox-03", "name": "YOLOX", "location": {"lat": 16.46, "lon": 107.59}, "model": "yolox-nano",
        "source": "asset:videos/intel-sample-videos/person-bicycle-car-detection_from-gif.mp4", "fps": 12.5,
        "conf": 0.4, "zones": [{"id": "top", "polygon": [[0, 0], [1, 0], [1, 0.25], [0, 0.25]],
                                "rule": {"type": "encroachment", "classes": ["person", "bicycle", "motorcycle"]}}],
    }]})[0]
    r = CameraPipeline(cam, None, models).run()
    assert r.status == "ok" and r.frames == 41
    enc = [e for e in r.events if e["event_type"] == "encroachment"]
    assert len(enc) == 2 and {e["class_name"] for e in enc} <= {"person", "bicycle"}
    assert len({e["track_id"] for e in enc}) == 2
