"""Vehicle tracing on the sample video: every tracked vehicle becomes a sighting, found by colour and type
with its crop; each request is logged; roles other than operator are refused.

What the clip shows, by eye (test_rules_on_video.py): a white car (5–8 s), a silver car (14.6–17.9 s) and a red
car (15.4–18.7 s) together, then a white car (25.7–27.6 s). Four vehicles, no person."""

from __future__ import annotations

import datetime as dt
import json

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from dashboards.access import Actor, Refused
from dashboards.actions.tracing import evidence_pdf, trace
from detectors.writer import register_cameras
from views.vehicle_tracing import search

pytestmark = pytest.mark.assets
OPERATOR = Actor("operator", "op.tracing")
START = dt.datetime(2025, 11, 17, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))  # the file's first frame


def test_every_vehicle_is_a_sighting(le_loi_run, session_lake) -> None:
    s = session_lake.sql("""SELECT track_id, first_seen, last_seen, vehicle_color, crop_uri FROM silver.sightings
                            WHERE camera_id = 'hue-le-loi-01' ORDER BY first_seen""")
    assert s.height == 4
    offsets = [((a - START).total_seconds(), (b - START).total_seconds()) for a, b in
               zip(s["first_seen"], s["last_seen"], strict=True)]
    by_eye = [(5.0, 8.2), (14.6, 17.9), (15.4, 18.7), (25.7, 27.6)]
    for (a, b), (ea, eb) in zip(offsets, by_eye, strict=True):
        assert abs(a - ea) <= 1.0 and abs(b - eb) <= 1.0, (offsets, by_eye)
    # the colours as a person names them: white, silver (gray), red, white
    assert s["vehicle_color"].to_list() == ["white", "gray", "red", "white"]
    assert s["crop_uri"].null_count() == 0
    # the run's result lists the same vehicles
    assert sorted(x["track_id"] for x in le_loi_run.sightings) == sorted(s["track_id"].to_list())


def test_red_car_found_by_colour_and_type_with_its_crop(le_loi_run, session_lake, example_cams) -> None:
    register_cameras(session_lake, example_cams)  # what run_cameras does first: names and places
    request, found = trace(session_lake, OPERATOR, "CV-2025/017", colour="red", vehicle_type="car",
                           start=START, end=START + dt.timedelta(minutes=1))
    assert found.height == 1
    red = found.row(0, named=True)
    assert 14.4 <= (red["first_seen"] - START).total_seconds() <= 16.4
    assert red["camera_id"] == "hue-le-loi-01" and red["camera_name"] == "Lê Lợi – Hùng Vương"
    img = cv2.imdecode(np.frombuffer(session_lake.get_artifact(red["crop_uri"]), np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] > 50 and img.shape[1] > 30
    # the crop is red where the car is (hue near 0/180, saturated) — not the gray road
    hsv = cv2.cvtColor(img[img.shape[0] // 4:3 * img.shape[0] // 4, img.shape[1] // 4:3 * img.shape[1] // 4],
                       cv2.COLOR_BGR2HSV).reshape(-1, 3)
    red_px = ((hsv[:, 0] < 8) | (hsv[:, 0] >= 160)) & (hsv[:, 1] >= 80)
    assert red_px.mean() > 0.3
    # logged: who, which case, what it returned
    log = session_lake.sql("SELECT * FROM silver.tracing_searches WHERE request_id = $id",
                           {"id": request["request_id"]}).row(0, named=True)
    assert (log["requested_by"], log["case_ref"], log["results"]) == ("op.tracing", "CV-2025/017", 1)
    assert json.loads(log["sighting_ids"]) == [red["sighting_id"]]
    assert json.loads(log["criteria_json"])["colour"] == "red"
    # the evidence sheet names the case and shows the crop
    pdf = pdfium.PdfDocument(evidence_pdf(session_lake, OPERATOR, request, found))
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    assert "CV-2025/017" in text and "Lê Lợi – Hùng Vương" in text and "đỏ" in text
    assert any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())


def test_white_cars_and_the_time_window(le_loi_run, session_lake) -> None:
    white = search(session_lake, colour="white")
    assert white.height == 2
    later = search(session_lake, colour="white", start=START + dt.timedelta(seconds=20))
    assert later.height == 1 and (later["first_seen"][0] - START).total_seconds() > 20
    assert search(session_lake, colour="white", cameras=["no-such-camera"]).is_empty()


@pytest.mark.parametrize("role", ["leader", "wall"])
def test_other_roles_are_refused(le_loi_run, session_lake, role: str) -> None:
    before = session_lake.sql("SELECT count(*) n FROM silver.tracing_searches")["n"][0]
    with pytest.raises(Refused):
        trace(session_lake, Actor(role, "someone"), "CV-1", colour="red")
    assert session_lake.sql("SELECT count(*) n FROM silver.tracing_searches")["n"][0] == before


def test_a_request_needs_a_case_and_a_criterion(le_loi_run, session_lake) -> None:
    with pytest.raises(ValueError, match="case"):
        trace(session_lake, OPERATOR, " ", colour="red")
    with pytest.raises(ValueError, match="plate, a colour or a type"):
        trace(session_lake, OPERATOR, "CV-2")


def test_each_vehicle_violation_has_a_strip_of_frames(le_loi_run, session_lake) -> None:
    v = session_lake.sql("""SELECT violation_type, evidence_strip_uri FROM silver.violations
                            WHERE camera_id = 'hue-le-loi-01' AND category = 'violation'""")
    per_vehicle = v.filter(v["violation_type"] != "congestion")  # congestion is the scene, not one vehicle
    assert per_vehicle.height == 4 and per_vehicle["evidence_strip_uri"].null_count() == 0
    for uri in per_vehicle["evidence_strip_uri"]:
        img = cv2.imdecode(np.frombuffer(session_lake.get_artifact(uri), np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.shape[0] == 120 and img.shape[1] >= 2 * 60  # two frames or more
