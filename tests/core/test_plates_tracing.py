"""Two-line plates read row by row, and the search key that tolerates OCR confusions, on hand cases."""

from __future__ import annotations

import pytest

from core.vn_plates import parse_vn_rows, plate_key


@pytest.mark.parametrize(("rows", "expected"), [
    (["75-B1", "234.56"], "75-B1 234.56"),  # a motorbike plate, top row then bottom row
    (["234.56", "75-B1"], "75-B1 234.56"),  # OCR gave the bottom row first
    (["75 - B1", "234 . 56"], "75-B1 234.56"),  # spaces OCR puts around the marks
    (["75-AA", "123.45"], "75-AA 123.45"),  # two-letter motorbike series
    (["75-B1", "2345"], "75-B1 2345"),  # old 4-digit motorbike plate
    (["7S-BI", "Z34.S6"], "75-B1 234.56"),  # S→5 in the code, I→1 in the series digit, Z→2 and S→5 in the number
    (["75A", "123.45"], "75A-123.45"),  # a square car plate: code and series on top
    (["43-C2", "678.90"], "43-C2 678.90"),  # Đà Nẵng
    (["75-B1 234.56"], "75-B1 234.56"),  # one row holding both
    (["", "75-B1", " ", "234.56"], "75-B1 234.56"),  # empty rows are dropped
])
def test_two_rows(rows: list[str], expected: str) -> None:
    p = parse_vn_rows(rows)
    assert p is not None and p.text == expected


@pytest.mark.parametrize("rows", [[], ["75-B1"], ["234.56"], ["13-B1", "234.56"], ["75-B1", "23.4"],
                                  ["75-B1", "234.56", "99"]])
def test_two_rows_refused(rows: list[str]) -> None:
    assert parse_vn_rows(rows) is None


@pytest.mark.parametrize(("a", "b"), [
    ("75A-123.45", "75A12345"), ("75A-123.45", "7SA-I23.4S"), ("75-B1 234.56", "75-81 234.56"),
    ("30A-100.08", "30A-IOO.OB"), ("75-Z2 555.00", "75-22 SSS.OO"), ("75-G1 600.00", "75-61 6OO.DQ"), ("75A-123.45", "75a 123 45"),
])
def test_key_folds_ocr_confusions(a: str, b: str) -> None:
    assert plate_key(a) == plate_key(b)


@pytest.mark.parametrize(("a", "b"), [("75A-123.45", "75A-123.46"), ("75-B1 234.56", "75-B1 234.57"),
                                      ("75A-123.45", "76A-123.45"), ("75A-123.45", "754-123.45")])
def test_key_keeps_real_differences(a: str, b: str) -> None:
    assert plate_key(a) != plate_key(b)


def test_key_of_nothing() -> None:
    assert plate_key(None) == plate_key("") == plate_key(" -. ") == ""
