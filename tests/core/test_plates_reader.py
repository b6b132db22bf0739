"""The plate reader around the parser (detectors.plates): crop geometry, OCR row order, fallbacks.

The detector is replaced by a stand-in returning hand-placed boxes, so every expected crop is computed here by
hand; one test runs the real PP-OCR (OpenVINO engine, models shipped in the rapidocr wheel) on rendered plates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

import detectors.plates as plates
from core.vn_plates import parse_vn_plate
from detectors.decoders import Detections
from detectors.plates import PlateRead, PlateReader


@dataclass
class FakeOCR:
    """rapidocr's call signature; answers from a list, records each call."""

    answers: list[Any]
    calls: list[tuple[tuple[int, ...], dict[str, Any]]] = field(default_factory=list)

    def __call__(self, img: np.ndarray, **kw: Any) -> Any:
        self.calls.append((img.shape, kw))
        return self.answers.pop(0)


@dataclass
class Res:
    txts: tuple[str, ...] | None
    boxes: list[list[list[float]]] | None = None
    scores: tuple[float, ...] | None = None


def box(y: float) -> list[list[float]]:
    """A text box whose rows span y-5 .. y+5."""
    return [[0, y - 5], [50, y - 5], [50, y + 5], [0, y + 5]]


def test_rows_are_read_top_to_bottom():
    # OCR gives the lower row first: the text joins the upper row first; confidence is the mean
    ocr = FakeOCR([Res(("234.56", " 75-B1 "), [box(70), box(20)], (0.8, 0.6))])
    text, conf = plates._read(ocr, np.zeros((100, 100, 3), np.uint8))
    assert text == "75-B1 234.56" and conf == pytest.approx(0.7)
    assert ocr.calls == [((100, 100, 3), {})]


def test_empty_rows_are_dropped():
    ocr = FakeOCR([Res(("75A-123.45", "  "), [box(20), box(70)], (0.9, 0.1))])
    assert plates._read(ocr, np.zeros((10, 10, 3), np.uint8))[0] == "75A-123.45"


def test_tight_crop_falls_back_to_recognition_alone():
    ocr = FakeOCR([Res(None), Res((" 75A-123.45 ",), None, (0.93,))])
    assert plates._read(ocr, np.zeros((10, 10, 3), np.uint8)) == ("75A-123.45", pytest.approx(0.93))
    assert ocr.calls[1][1] == {"use_det": False, "use_cls": False}
    assert plates._read(FakeOCR([Res(None), Res(("  ",), None, (0.5,))]), np.zeros((4, 4, 3), np.uint8)) == ("", 0.0)
    assert plates._read(FakeOCR([Res(()), Res(None)]), np.zeros((4, 4, 3), np.uint8)) == ("", 0.0)


@pytest.mark.parametrize(("h", "expected"), [(63, (189, 300, 3)), (64, (64, 100, 3))])
def test_small_crops_are_enlarged_three_times(monkeypatch, h, expected):
    ocr = FakeOCR([Res(("X",), [box(5)], (1.0,))])
    monkeypatch.setattr(plates, "ocr_engine", lambda: ocr)
    assert plates.read_text(np.zeros((h, 100, 3), np.uint8)) == ("X", 1.0)
    assert ocr.calls[0][0] == expected


class FakeDetector:
    """Plate detector stand-in: boxes given in crop pixels; records the crop it saw."""

    def __init__(self, rows: list[tuple[int, float, tuple[float, float, float, float]]]) -> None:
        self.rows, self.crops = rows, []

    def detect(self, crop: np.ndarray) -> Detections:
        self.crops.append(crop.shape)
        return Detections(np.array([r[2] for r in self.rows], np.float32).reshape(-1, 4),
                          np.array([r[1] for r in self.rows], np.float32), np.array([r[0] for r in self.rows]),
                          {1: "vehicle", 2: "plate"})


def reader_with(det: FakeDetector) -> PlateReader:
    r = PlateReader.__new__(PlateReader)  # no model: the stand-in detector decides
    r.detector = det
    return r


@pytest.fixture
def seen(monkeypatch) -> list[tuple[int, ...]]:
    crops: list[tuple[int, ...]] = []

    def fake_read_text(img: np.ndarray) -> tuple[str, float]:
        crops.append(img.shape)
        return "75-B1 234.56", 0.88

    monkeypatch.setattr(plates, "read_text", fake_read_text)
    return crops


def test_read_crops_the_vehicle_with_a_margin_and_the_plate_with_padding(seen):
    frame = np.zeros((400, 600, 3), np.uint8)
    # vehicle 100..300 × 100..200: 30 % margins (60 px, 30 px) → crop x 40..360, y 70..230 (320 × 160)
    # best plate (0.9, not the 0.95 vehicle) at 100..200 × 50..70 in the crop; padding 8 % of 100 = 8 px, 15 % of
    # 20 = 3 px → OCR crop x 92..208, y 47..73 (116 × 26); in the frame: x 132..248, y 117..143
    det = FakeDetector([(2, 0.5, (10, 10, 30, 20)), (1, 0.95, (0, 0, 320, 160)), (2, 0.9, (100, 50, 200, 70))])
    p = reader_with(det).read(frame, (100, 100, 300, 200))
    assert det.crops == [(160, 320, 3)]
    assert seen == [(26, 116, 3)]
    assert p == PlateRead("75-B1 234.56", 0.88, (132, 117, 248, 143), pytest.approx(0.9),
                          parse_vn_plate("75-B1 234.56"))
    assert p.vn is not None and p.vn.is_hue and p.normalised == "75-B1 234.56"


def test_read_clips_at_the_frame_edges(seen):
    frame = np.zeros((100, 200, 3), np.uint8)
    # vehicle 0..100 × 50..100: margins 30 px / 15 px → x −30..130, y 35..115 → clipped to 0..130 × 35..100
    # plate 0..130 × 0..65 (the whole crop): padded beyond the crop, clipped back to it
    det = FakeDetector([(2, 0.7, (0, 0, 130, 65))])
    p = reader_with(det).read(frame, (0, 50, 100, 100))
    assert det.crops == [(65, 130, 3)]
    assert seen == [(65, 130, 3)]
    assert p is not None and p.plate_box == (0, 35, 130, 100)


def test_read_without_a_vehicle_box_uses_the_whole_frame(seen):
    det = FakeDetector([(2, 0.7, (10, 10, 60, 30))])
    p = reader_with(det).read(np.zeros((80, 120, 3), np.uint8))
    assert det.crops == [(80, 120, 3)]
    assert p is not None and p.plate_box == (6, 7, 64, 33)  # padding 4 px (8 % of 50), 3 px (15 % of 20)


def test_read_gives_up_on_tiny_crops_and_missing_plates(seen):
    frame = np.zeros((100, 100, 3), np.uint8)
    det = FakeDetector([(2, 0.9, (0, 0, 5, 5))])
    # vehicle 10 × 10 → crop 16 × 16 (3 px margins): big enough; 9 × 9 → crop 14 × 14 (2.7 px, cut down): too small
    assert reader_with(det).read(frame, (40, 40, 50, 50)) is not None
    assert reader_with(FakeDetector([(2, 0.9, (0, 0, 5, 5))])).read(frame, (40, 40, 49, 49)) is None
    assert reader_with(FakeDetector([(2, 0.9, (0, 0, 5, 5))])).read(frame, (100, 100, 120, 120)) is None  # off frame
    assert reader_with(FakeDetector([(1, 0.9, (0, 0, 50, 50))])).read(frame, (20, 20, 80, 80)) is None  # no plate
    assert reader_with(FakeDetector([])).read(frame) is None


def test_unparsed_text_is_normalised_to_its_letters_and_digits():
    assert PlateRead("md-7 11", 0.9, (0, 0, 1, 1), 0.8, None).normalised == "MD711"


def test_real_ocr_reads_rendered_plates(monkeypatch):
    monkeypatch.setattr(plates, "_OCR", None)  # build the engine here, not from an earlier test's cache
    engine = plates.ocr_engine()
    assert plates.ocr_engine() is engine
    car = np.full((60, 260, 3), 255, np.uint8)  # one row, 60 px high: enlarged before reading
    cv2.putText(car, "75A-123.45", (8, 44), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 3)
    moto = np.full((120, 200, 3), 255, np.uint8)  # the two rows of a motorbike plate
    cv2.putText(moto, "75-B1", (30, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0, 0, 0), 3)
    cv2.putText(moto, "234.56", (20, 105), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (0, 0, 0), 3)
    # raw text compared (not parsed): the parser's own tests stay fast under `make mutation`
    text, conf = plates.read_text(car)
    assert text == "75A-123.45" and conf > 0.8
    text, conf = plates.read_text(moto)
    assert text == "75-B1 234.56" and conf > 0.8


def test_read_clips_at_the_top_left_corner(seen):
    # vehicle 10..110 × 10..60: margins 30 px / 15 px → x −20..140, y −5..75 → clipped to 0..140 × 0..75
    det = FakeDetector([(2, 0.7, (20, 20, 70, 40))])
    p = reader_with(det).read(np.zeros((200, 200, 3), np.uint8), (10, 10, 110, 60))
    assert det.crops == [(75, 140, 3)]
    assert p is not None and p.plate_box == (16, 17, 74, 43)  # padding 4 px and 3 px, in frame pixels


def test_reader_asks_for_the_plate_model_with_its_settings(monkeypatch):
    made: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    class Recorder:
        version = "barrier-0106@v1"

        def __init__(self, *args: Any, **kw: Any) -> None:
            made.append((args, kw))

    monkeypatch.setattr(plates, "Detector", Recorder)
    r = PlateReader("/assets", device="GPU", inference_precision="f32")
    assert made == [(("vehicle-license-plate-detection-barrier-0106",),
                     {"device": "GPU", "assets": "/assets", "conf": 0.4, "inference_precision": "f32",
                      "hint": "LATENCY"})]
    assert r.version == "barrier-0106@v1"
    PlateReader(None, min_score=0.6)
    assert made[1][1] == {"device": "CPU", "assets": None, "conf": 0.6, "inference_precision": None,
                          "hint": "LATENCY"}


def test_small_crops_are_enlarged_with_a_cubic_kernel(monkeypatch):
    # a 10 px crop, grey 50 on the left half and 200 on the right: enlarged three times with the bicubic kernel,
    # whose negative lobes sharpen the edge (values beyond both sides of the step: strokes stay crisp for OCR);
    # a linear enlargement would only blend, staying within 50..200
    seen: list[np.ndarray] = []

    def ocr(img: np.ndarray, **kw: Any) -> Res:
        seen.append(img)
        return Res(("X",), [box(5)], (1.0,))

    monkeypatch.setattr(plates, "ocr_engine", lambda: ocr)
    crop = np.full((10, 10, 3), 50, np.uint8)
    crop[:, 5:] = 200
    assert plates.read_text(crop) == ("X", 1.0)
    assert seen[0].shape == (30, 30, 3)
    assert seen[0].min() < 50 and seen[0].max() > 200


def test_ocr_engine_runs_the_shipped_models_on_openvino(monkeypatch):
    # the three models the rapidocr wheel ships, named by path (nothing downloaded), every task on OpenVINO,
    # and only errors logged; the engine is built once
    import rapidocr
    from rapidocr import EngineType

    made: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, params: dict[str, Any]) -> None:
            made.append(params)

    monkeypatch.setattr(rapidocr, "RapidOCR", Recorder)
    monkeypatch.setattr(plates, "_OCR", None)
    engine = plates.ocr_engine()
    assert isinstance(engine, Recorder) and plates.ocr_engine() is engine
    models = Path(rapidocr.__file__).parent / "models"
    assert made == [{
        "Global.log_level": "error",
        "Det.engine_type": EngineType.OPENVINO, "Det.model_path": str(models / "PP-OCRv6_det_small.onnx"),
        "Rec.engine_type": EngineType.OPENVINO, "Rec.model_path": str(models / "PP-OCRv6_rec_small.onnx"),
        "Cls.engine_type": EngineType.OPENVINO,
        "Cls.model_path": str(models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
    }]
