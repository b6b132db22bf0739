"""Fines per violation type and vehicle kind, in VND: the middle of each range in Nghị định 100/2019/NĐ-CP
(Decree 100/2019, in force 2020-01-01, the period the IOC's published figures cover). Data, not logic:
a later decree is a new table. Shared by the detectors (the fine of each event) and the camera simulator."""

from __future__ import annotations

FINES_VND_DECREE_100_2019: dict[tuple[str, str], int] = {
    ("red_light", "car"): 4_000_000,  # Điều 5 khoản 5 điểm a: 3–5 triệu
    ("red_light", "motorbike"): 800_000,  # Điều 6 khoản 4 điểm c: 600 nghìn – 1 triệu
    ("wrong_way", "car"): 4_000_000,  # Điều 5 khoản 5: 3–5 triệu
    ("wrong_way", "motorbike"): 1_500_000,  # Điều 6 khoản 5: 1–2 triệu
    ("illegal_parking", "car"): 900_000,  # Điều 5 khoản 3: 800 nghìn – 1 triệu
    ("illegal_parking", "motorbike"): 150_000,  # Điều 6 khoản 1: 100–200 nghìn
    ("illegal_stopping", "car"): 900_000,
    ("illegal_stopping", "motorbike"): 150_000,
    ("encroachment", "car"): 350_000,  # Điều 5 khoản 2 (đỗ trên vỉa hè): 300–400 nghìn
    ("encroachment", "motorbike"): 250_000,  # Điều 6 khoản 2: 200–300 nghìn
    ("wrong_lane", "car"): 1_000_000,  # Điều 5 khoản 4: 800 nghìn – 1,2 triệu
    ("wrong_lane", "motorbike"): 500_000,  # Điều 6 khoản 3: 400–600 nghìn
}

_MOTORBIKE = {"bike", "motorcycle", "bicycle", "motorbike"}
_CAR = {"vehicle", "car", "bus", "truck", "van"}


def vehicle_kind(class_name: str) -> str:
    c = class_name.lower()
    if c in _MOTORBIKE:
        return "motorbike"
    if c in _CAR:
        return "car"
    return "other"


def fine_vnd(violation_type: str, class_name: str) -> int:
    """The schedule's fine for this violation by this class of road user; 0 when none applies."""
    return FINES_VND_DECREE_100_2019.get((violation_type, vehicle_kind(class_name)), 0)
