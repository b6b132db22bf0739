"""Plate pipeline on the barrier image and the Vietnamese plate parser on hand cases."""

from __future__ import annotations

import cv2
import pytest

from core.vn_plates import parse_vn_plate
from detectors.plates import PlateReader


@pytest.fixture(scope="module")
def reader(assets_dir, ov_config) -> PlateReader:
    return PlateReader(assets_dir, inference_precision=ov_config["INFERENCE_PRECISION_HINT"])


@pytest.mark.assets
def test_reads_the_barrier_plate(reader, assets_dir, models, example_cams):
    img = cv2.imread(str(assets_dir / "images/omz-car-front-barrier.jpg"))
    det = models.detector(example_cams[0]).with_conf(0.5)
    vehicles = det.detect(img)
    plate = reader.read(img, tuple(vehicles.xyxy[0]))  # on the crop of the big frontal car
    assert plate is not None
    # The plate is Chinese (a blue plate with a province character the JPEG has blurred, then "MD711"):
    # PP-OCR reads the Latin part.
    assert plate.text == "MD711"
    assert plate.confidence > 0.8
    x0, y0, x1, y1 = plate.plate_box
    assert 285 <= x0 <= 305 and 350 <= y0 <= 365 and 350 <= x1 <= 365 and 378 <= y1 <= 392
    # ... and the Vietnamese parser refuses it rather than inventing a province
    assert plate.vn is None and plate.normalised == "MD711"
    # the side car shows no readable plate
    assert reader.read(img, tuple(vehicles.xyxy[1])) is None


@pytest.mark.parametrize(("text", "expected", "kind", "province"), [
    ("75A-123.45", "75A-123.45", "car", "Huế (Thừa Thiên Huế)"),
    ("75A12345", "75A-123.45", "car", "Huế (Thừa Thiên Huế)"),
    ("75-B1 234.56", "75-B1 234.56", "motorbike", "Huế (Thừa Thiên Huế)"),
    ("75 B1\n234.56", "75-B1 234.56", "motorbike", "Huế (Thừa Thiên Huế)"),  # two-row plate, rows joined
    ("75B123456", "75-B1 234.56", "motorbike", "Huế (Thừa Thiên Huế)"),
    ("75-B1\n2345", "75-B1 2345", "motorbike", "Huế (Thừa Thiên Huế)"),
    ("75LD-012.34", "75LD-012.34", "car", "Huế (Thừa Thiên Huế)"),
    ("75-AA 123.45", "75-AA 123.45", "motorbike", "Huế (Thừa Thiên Huế)"),
    ("43A 1234", "43A-1234", "car", "Đà Nẵng"),
    ("7SA-I23.4S", "75A-123.45", "car", "Huế (Thừa Thiên Huế)"),  # OCR confusions S→5, I→1
    ("74c-987.65", "74C-987.65", "car", "Quảng Trị"),
    ("29-X3 123.45", "29-X3 123.45", "motorbike", "Hà Nội"),
    ("88A-123.45", "88A-123.45", "car", "Vĩnh Phúc"),  # every assigned code has its province
])
def test_vn_parser(text, expected, kind, province):
    p = parse_vn_plate(text)
    assert p is not None and p.text == expected and p.kind == kind and p.province == province


def test_vn_parser_hue_parts():
    p = parse_vn_plate("75A-123.45")
    assert (p.province_code, p.series, p.number, p.is_hue) == ("75", "A", "12345", True)


@pytest.mark.parametrize("text", ["", "MD711", "13A-123.45", "75A-12", "ABCDEFGH", "75O-123.45",
                                  "75A-123.4X5", "751-234.56"])
def test_vn_parser_refuses(text):
    assert parse_vn_plate(text) is None
