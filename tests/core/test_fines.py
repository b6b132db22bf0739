"""Fines follow the decree in force on the day of the violation. Expected amounts are written here by hand
from the decrees' text: the middle of the range the decree sets for the behaviour."""

from __future__ import annotations

import datetime as dt

import pytest

from core import fines
from core.fines import decree_on, fine_vnd, line_for, vehicle_kind
from core.tz import VN_TZ


def test_a_2025_red_light_follows_decree_168_2024():
    # Nghị định 168/2024/NĐ-CP: Điều 6 khoản 9 điểm b (ô tô) "Phạt tiền từ 18.000.000 đồng đến 20.000.000 đồng
    # ... Không chấp hành hiệu lệnh của đèn tín hiệu giao thông"; Điều 7 khoản 7 điểm c (xe mô tô, xe gắn máy)
    # "Phạt tiền từ 4.000.000 đồng đến 6.000.000 đồng".
    on = dt.datetime(2025, 11, 17, 8, 30, tzinfo=VN_TZ)
    assert fine_vnd("red_light", "car", on) == 19_000_000
    assert fine_vnd("red_light", "motorbike", on) == 5_000_000
    assert decree_on(on) == "168/2024/NĐ-CP"
    assert line_for("red_light", "car", on).provision == "Điều 6 khoản 9 điểm b"


def test_a_2019_red_light_follows_decree_46_2016():
    # Nghị định 46/2016/NĐ-CP: ô tô 1.200.000–2.000.000 đồng (Điều 5 khoản 5 điểm a); xe mô tô, xe gắn máy
    # 300.000–400.000 đồng (Điều 6 khoản 4 điểm c).
    on = dt.date(2019, 10, 2)
    assert fine_vnd("red_light", "car", on) == 1_600_000
    assert fine_vnd("red_light", "bike", on) == 350_000
    assert decree_on(on) == "46/2016/NĐ-CP"


def test_2020_to_2024_follow_decree_100_2019():
    # Nghị định 100/2019/NĐ-CP: ô tô 3.000.000–5.000.000 (Điều 5 khoản 5), xe máy 600.000–1.000.000 (Điều 6 khoản 4)
    for on in (dt.date(2020, 1, 1), dt.date(2022, 5, 27), dt.date(2024, 12, 31)):
        assert fine_vnd("red_light", "car", on) == 4_000_000
        assert fine_vnd("red_light", "Motorcycle", on) == 800_000


def test_the_day_is_vietnamese_time():
    # 2024-12-31 17:30 UTC is 2025-01-01 00:30 in Huế: the new decree applies
    assert fine_vnd("red_light", "car", dt.datetime(2024, 12, 31, 17, 30, tzinfo=dt.UTC)) == 19_000_000
    assert fine_vnd("red_light", "car", dt.datetime(2024, 12, 31, 16, 30, tzinfo=dt.UTC)) == 4_000_000
    # 2019-12-31 18:00 UTC is 2020-01-01 01:00 in Huế
    assert fine_vnd("red_light", "car", dt.datetime(2019, 12, 31, 18, 0)) == 4_000_000


def test_schedule_is_complete_and_continuous():
    """Every violation type and kind has one line a day from 2016-08-01 on, and the middle of its range."""
    keys = {(ln.violation_type, ln.vehicle_kind) for ln in fines.schedule()}
    assert len(keys) == 12
    for day in (dt.date(2016, 8, 1), dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2024, 12, 31),
                dt.date(2025, 1, 1), dt.date(2030, 1, 1)):
        assert set(fines.fines_on(day)) == keys
    for ln in fines.schedule():
        assert ln.fine_vnd == (ln.min_vnd + ln.max_vnd) // 2
    assert fine_vnd("red_light", "car", dt.date(2016, 7, 31)) == 0  # before the schedule


@pytest.mark.parametrize(("cls", "kind"), [
    ("bike", "motorbike"), ("motorcycle", "motorbike"), ("Motorbike", "motorbike"), ("bicycle", "motorbike"),
    ("vehicle", "car"), ("car", "car"), ("BUS", "car"), ("truck", "car"), ("van", "car"),
    ("person", "other"), ("", "other"),
])
def test_vehicle_kind(cls, kind):
    assert vehicle_kind(cls) == kind


def test_no_fine_without_a_line():
    on = dt.date(2021, 3, 3)
    assert fine_vnd("encroachment", "bus", on) == 350_000  # 100/2019 Điều 5 khoản 2: 300–400 nghìn
    assert fine_vnd("illegal_parking", "bike", on) == 150_000  # Điều 6 khoản 1: 100–200 nghìn
    assert fine_vnd("red_light", "person", on) == 0  # no schedule line for pedestrians here
    assert fine_vnd("congestion", "car", on) == 0  # an incident, not a violation
    assert fine_vnd("line_count", "bike", on) == 0
