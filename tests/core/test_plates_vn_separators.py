"""Which characters count as separators for the plate parser (issue 17: surviving mutants of ``_split``).

Only the separators OCR keeps between the rows and groups of a plate (space, line break, tab, ``-``, ``_``,
``.``, ``:``) decide the layout; any other character (``/``, ``|``, ``,`` from dirt or a bolt) is dropped.
``75A12345`` reads as a car plate, ``75A1 2345`` as a motorbike plate (the separator ends the series A1).
Each expected plate is worked out by hand."""

from __future__ import annotations

import pytest

from core.vn_plates import parse_vn_plate

CAR = ("A", "12345", "car", "75A-123.45")
MOTO = ("A1", "2345", "motorbike", "75-A1 2345")


@pytest.mark.parametrize(("text", "want"), [
    ("75A12345", CAR),
    ("75A1 2345", MOTO),
    ("75A1/2345", CAR),
    ("75A1|2345", CAR),
    ("75A1,2345", CAR),
], ids=["no_separator", "space", "slash", "bar", "comma"])
def test_only_separators_split_the_plate(text: str, want: tuple[str, str, str, str]) -> None:
    got = parse_vn_plate(text)
    assert got is not None
    assert (got.series, got.number, got.kind, got.text) == want


@pytest.mark.parametrize("text", ["7 5A1 2345", "7.5A1-2345", "7-5A1\n2345"], ids=["space", "dot_dash", "dash_newline"])
def test_a_break_inside_the_province_code_does_not_hide_the_separators_after_it(text: str) -> None:
    # the separator after A1 still ends the series: the same motorbike plate as "75A1 2345"
    got = parse_vn_plate(text)
    assert got is not None
    assert (got.series, got.number, got.kind, got.text) == MOTO
