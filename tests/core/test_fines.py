"""Fines: each entry is the middle of its range in Nghị định 100/2019/NĐ-CP (ranges copied from the decree)."""

from __future__ import annotations

import pytest

from core.fines import FINES_VND_DECREE_100_2019, fine_vnd, vehicle_kind

# (violation, vehicle kind): (lowest, highest) fine in VND as the decree writes it
DECREE_RANGES = {
    ("red_light", "car"): (3_000_000, 5_000_000),  # Điều 5 khoản 5 điểm a
    ("red_light", "motorbike"): (600_000, 1_000_000),  # Điều 6 khoản 4 điểm c
    ("wrong_way", "car"): (3_000_000, 5_000_000),  # Điều 5 khoản 5
    ("wrong_way", "motorbike"): (1_000_000, 2_000_000),  # Điều 6 khoản 5
    ("illegal_parking", "car"): (800_000, 1_000_000),  # Điều 5 khoản 3
    ("illegal_parking", "motorbike"): (100_000, 200_000),  # Điều 6 khoản 1
    ("illegal_stopping", "car"): (800_000, 1_000_000),
    ("illegal_stopping", "motorbike"): (100_000, 200_000),
    ("encroachment", "car"): (300_000, 400_000),  # Điều 5 khoản 2
    ("encroachment", "motorbike"): (200_000, 300_000),  # Điều 6 khoản 2
    ("wrong_lane", "car"): (800_000, 1_200_000),  # Điều 5 khoản 4
    ("wrong_lane", "motorbike"): (400_000, 600_000),  # Điều 6 khoản 3
}


def test_schedule_is_the_middle_of_each_decree_range():
    assert set(FINES_VND_DECREE_100_2019) == set(DECREE_RANGES)
    for key, (lo, hi) in DECREE_RANGES.items():
        assert FINES_VND_DECREE_100_2019[key] == (lo + hi) // 2, key


@pytest.mark.parametrize(("cls", "kind"), [
    ("bike", "motorbike"), ("motorcycle", "motorbike"), ("Motorbike", "motorbike"), ("bicycle", "motorbike"),
    ("vehicle", "car"), ("car", "car"), ("BUS", "car"), ("truck", "car"), ("van", "car"),
    ("person", "other"), ("", "other"),
])
def test_vehicle_kind(cls, kind):
    assert vehicle_kind(cls) == kind


def test_fine_of_an_event():
    assert fine_vnd("red_light", "car") == 4_000_000
    assert fine_vnd("red_light", "Motorcycle") == 800_000
    assert fine_vnd("encroachment", "bus") == 350_000
    assert fine_vnd("illegal_parking", "bike") == 150_000
    assert fine_vnd("red_light", "person") == 0  # no schedule line for pedestrians here
    assert fine_vnd("congestion", "car") == 0  # an incident, not a violation
    assert fine_vnd("line_count", "bike") == 0
