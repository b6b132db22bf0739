"""Which layout the plate parser tries first, on texts where the order decides the answer (issue 17:
surviving mutants of ``parse_vn_plate``). Each expected plate is worked out by hand from the layouts:
car ``75A-123.45`` / ``75AB-123.45``, motorbike ``75-B1 234.56`` / ``75-AB 234.56``."""

from __future__ import annotations

import pytest

from core.vn_plates import parse_vn_plate

CASES = [
    # a separator two characters after the code ends a two-letter car series, also with a 4-digit number
    # (the "no separator" reading would take L as the series and D as a 0: 75L-012.34)
    ("75LD-1234", ("LD", "1234", "car", "75LD-1234")),
    # seven characters after the code, the second a digit: motorbike first (a car series would read 8 as B)
    ("75A812345", ("A8", "12345", "motorbike", "75-A8 123.45")),
    # seven characters, the second a letter: a car series first; O is no series letter, so the car reading
    # fails and the motorbike one reads O as 0
    ("75LO12345", ("L0", "12345", "motorbike", "75-L0 123.45")),
    # six characters: one-letter car series first; X cannot be a digit, so the next layout (motorbike) is tried
    ("75BX1234", ("BX", "1234", "motorbike", "75-BX 1234")),
]


@pytest.mark.parametrize(("text", "want"), CASES, ids=["car2_sep", "moto_digit", "moto_o", "moto_after_car1"])
def test_layout_order(text: str, want: tuple[str, str, str, str]) -> None:
    got = parse_vn_plate(text)
    assert got is not None
    assert (got.series, got.number, got.kind, got.text) == want


def test_a_two_letter_car_series_needs_two_series_letters() -> None:
    # the separator says "car, two-letter series"; O is no series letter (and is not read as 0 there)
    assert parse_vn_plate("75LO-1234") is None
