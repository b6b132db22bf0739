"""The Vietnamese plate parser on hand cases: layouts, OCR confusions, and province codes that do not exist."""

from __future__ import annotations

import pytest

from core.vn_plates import PROVINCES, SERIES_LETTERS, VNPlate, parse_vn_plate


def ids(texts: list[str]) -> list[str]:
    """Test ids in plain ASCII without blanks: mutmut passes node ids back to pytest, which cannot find
    escaped ones ("75-B1\\n234.56")."""
    return [f"{i}-" + "".join(c if c.isascii() and c.isalnum() else "_" for c in t) for i, t in enumerate(texts)]

# Codes no province registers plates under (Thông tư 58/2020/TT-BCA, Phụ lục 02): a plate showing one was misread.
NOT_ASSIGNED = ["00", "01", "05", "09", "10", "13", "42", "44", "45", "46", "87", "91", "96"]


def test_province_table():
    # 63 provinces (Hà Nội 29–33 and 40, TP. Hồ Chí Minh 41 and 50–59, Hải Phòng 15–16, Đồng Nai 39 and 60)
    # and 80 for central agencies
    assert len(set(PROVINCES.values())) == 64
    assert len(PROVINCES) == 81
    assert {c for c, n in PROVINCES.items() if n == "Hà Nội"} == {"29", "30", "31", "32", "33", "40"}
    assert {c for c, n in PROVINCES.items() if n == "TP. Hồ Chí Minh"} == {"41", *map(str, range(50, 60))}
    assert PROVINCES["75"] == "Huế (Thừa Thiên Huế)" and PROVINCES["74"] == "Quảng Trị"
    assert PROVINCES["43"] == "Đà Nẵng" and PROVINCES["92"] == "Quảng Nam" and PROVINCES["73"] == "Quảng Bình"
    assert all(c.isdigit() and len(c) == 2 and 11 <= int(c) <= 99 for c in PROVINCES)
    assert not set(NOT_ASSIGNED) & set(PROVINCES)


@pytest.mark.parametrize("code", NOT_ASSIGNED)
def test_codes_no_province_uses_are_refused(code):
    assert parse_vn_plate(f"{code}A-123.45") is None
    assert parse_vn_plate(f"{code}-B1 234.56") is None


@pytest.mark.parametrize(("code", "province"), [
    ("11", "Cao Bằng"), ("80", "Cơ quan trung ương (Cục Cảnh sát giao thông)"), ("99", "Bắc Ninh"),
    ("39", "Đồng Nai"), ("88", "Vĩnh Phúc"), ("65", "Cần Thơ"),
], ids=["11", "80", "99", "39", "88", "65"])
def test_assigned_codes_name_their_province(code, province):
    p = parse_vn_plate(f"{code}A-123.45")
    assert p is not None and p.province == province and p.province_code == code


# text → (normalised, kind, province code, series, number)
CASES = [
    ("75A-123.45", ("75A-123.45", "car", "75", "A", "12345")),
    ("75A12345", ("75A-123.45", "car", "75", "A", "12345")),
    ("75a-123.45", ("75A-123.45", "car", "75", "A", "12345")),  # lower case
    ("75A-1234", ("75A-1234", "car", "75", "A", "1234")),  # old 4-digit car plate
    ("43A1234", ("43A-1234", "car", "43", "A", "1234")),  # the shortest plate: 7 characters
    ("75LD-012.34", ("75LD-012.34", "car", "75", "LD", "01234")),  # two-letter series
    ("75AB12345", ("75AB-123.45", "car", "75", "AB", "12345")),  # 7 after the code, a letter 2nd: car
    ("75đ-123.45", ("75D-123.45", "car", "75", "D", "12345")),  # Đ is read as D
    # motorbikes: two rows "75-B1" / "234.56"
    ("75-B1 234.56", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),
    ("75-B1\n234.56", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),  # the two printed rows
    ("75B1\n234.56", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),  # the dash lost by OCR
    ("75B123456", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),  # no separator: digit 2nd → motorbike
    ("75-B1\n2345", ("75-B1 2345", "motorbike", "75", "B1", "2345")),  # old 4-digit motorbike plate
    ("75-AA 123.45", ("75-AA 123.45", "motorbike", "75", "AA", "12345")),  # two-letter motorbike series
    ("75-AB 12345", ("75-AB 123.45", "motorbike", "75", "AB", "12345")),  # the separator after the code decides
    ("75_AB 12345", ("75-AB 123.45", "motorbike", "75", "AB", "12345")),
    ("75:AB 12345", ("75-AB 123.45", "motorbike", "75", "AB", "12345")),
    ("75.AB 12345", ("75-AB 123.45", "motorbike", "75", "AB", "12345")),
    ("75\tAB 12345", ("75-AB 123.45", "motorbike", "75", "AB", "12345")),
    ("75AB 12345", ("75AB-123.45", "car", "75", "AB", "12345")),  # ... and without it a car
    ("75  --  B1   234.56", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),  # runs of separators
    ("-75A-123.45-", ("75A-123.45", "car", "75", "A", "12345")),  # leading/trailing separators
    ("75A/123.45", ("75A-123.45", "car", "75", "A", "12345")),  # other marks are dropped
    # OCR confusions where only a digit (code, number) or only a letter (series head) can stand
    ("7SA-I23.4S", ("75A-123.45", "car", "75", "A", "12345")),  # S→5, I→1
    ("O1A-123.45", None),  # O→0: "01" is no province
    ("Z9A-L23.4O", ("29A-123.40", "car", "29", "A", "12340")),  # Z→2, L→1, O→0
    ("4ZA-123.45", None),  # Z→2: "42" is no province
    ("29A-OQD.UG", ("29A-000.06", "car", "29", "A", "00006")),  # O, Q, D, U → 0; G → 6
    ("29A-JTB.A5", ("29A-178.45", "car", "29", "A", "17845")),  # J→1, T→7, B→8, A→4
    ("75-81 234.56", ("75-B1 234.56", "motorbike", "75", "B1", "23456")),  # 8→B at the series head
    ("75-01 234.56", ("75-D1 234.56", "motorbike", "75", "D1", "23456")),  # 0→D
    ("75-51 234.56", ("75-S1 234.56", "motorbike", "75", "S1", "23456")),  # 5→S
    ("75-21 234.56", ("75-Z1 234.56", "motorbike", "75", "Z1", "23456")),  # 2→Z
    ("75-61 234.56", ("75-G1 234.56", "motorbike", "75", "G1", "23456")),  # 6→G
    ("75-41 234.56", ("75-A1 234.56", "motorbike", "75", "A1", "23456")),  # 4→A
    ("75-BO 234.56", ("75-B0 234.56", "motorbike", "75", "B0", "23456")),  # O in the series digit → 0
    ("75A8-123.45", ("75-A8 123.45", "motorbike", "75", "A8", "12345")),  # letter + digit: a motorbike series
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=ids([c[0] for c in CASES]))
def test_parse(text, expected):
    p = parse_vn_plate(text)
    if expected is None:
        assert p is None
        return
    norm, kind, code, series, number = expected
    assert p == VNPlate(code, series, number, kind, norm, PROVINCES[code])


REFUSED = [
    "", "  ", "MD711", "75A-12", "75A-123", "75A-123.456", "ABCDEFGH", "75O-123.45", "75A-123.4X5",
    "751-234.56", "75I-123.45", "75-IB 234.56", "75-BR 234.56", "75-B1 234.5X", "75-B1 234.56.7",
    "75AB-1234567", "75ABC-123.45", "75A B-123.45", "75-B1 23.4",
]


@pytest.mark.parametrize("text", REFUSED, ids=ids(REFUSED))
def test_refused(text):
    assert parse_vn_plate(text) is None


def test_series_letters():
    # I, J, O, Q, R, W never start a series
    assert set(SERIES_LETTERS) == set("ABCDEFGHKLMNPSTUVXYZ")


def test_is_hue():
    assert parse_vn_plate("75-B1 234.56").is_hue
    assert not parse_vn_plate("74-B1 234.56").is_hue
