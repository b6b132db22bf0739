"""Fines per violation type and vehicle kind, in VND, by the decree in force on the day of the violation.

The schedule is data (``core/fines.csv``), one line per decree, violation type and vehicle kind, with the
decree's validity dates, the range the decree writes (min–max) and the provision (Điều/khoản/điểm):
- Nghị định 46/2016/NĐ-CP until 2019-12-31;
- Nghị định 100/2019/NĐ-CP from 2020-01-01 (the period the IOC's published figures cover);
- Nghị định 168/2024/NĐ-CP from 2025-01-01.
The fine of an event is the middle of its range. ``text_checked`` says whether the range was checked
against a copy of the decree's text (yes for 168/2024; the 46/2016 and 100/2019 lines are the published
ranges, not re-checked against a copy of the text). Every fine in the lake is computed by ``fine_vnd`` with the day of the violation, by the
detectors, the live ingest, the review page and the camera simulator alike. A later decree is new lines in
the CSV, not code.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.tz import VN_TZ

SCHEDULE_FILE = Path(__file__).with_name("fines.csv")

_MOTORBIKE = {"bike", "motorcycle", "bicycle", "motorbike"}
_CAR = {"vehicle", "car", "bus", "truck", "van"}


@dataclass(frozen=True)
class Line:
    decree: str
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive; None = still in force
    violation_type: str
    vehicle_kind: str  # car | motorbike
    min_vnd: int
    max_vnd: int
    provision: str
    text_checked: bool

    @property
    def fine_vnd(self) -> int:
        return (self.min_vnd + self.max_vnd) // 2

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@cache
def schedule() -> tuple[Line, ...]:
    """Every line of the schedule file, checked: ranges positive and ordered, one decree per day and key."""
    lines = []
    with SCHEDULE_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            line = Line(decree=row["decree"], valid_from=dt.date.fromisoformat(row["valid_from"]),
                        valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                        violation_type=row["violation_type"], vehicle_kind=row["vehicle_kind"],
                        min_vnd=int(row["min_vnd"]), max_vnd=int(row["max_vnd"]), provision=row["provision"],
                        text_checked=row["text_checked"] == "yes")
            if not 0 < line.min_vnd <= line.max_vnd:
                raise ValueError(f"{SCHEDULE_FILE.name}: bad range in {row}")
            if line.valid_to is not None and line.valid_to < line.valid_from:
                raise ValueError(f"{SCHEDULE_FILE.name}: ends before it starts: {row}")
            lines.append(line)
    by_key: dict[tuple[str, str], list[Line]] = {}
    for ln in lines:
        by_key.setdefault((ln.violation_type, ln.vehicle_kind), []).append(ln)
    for key, group in by_key.items():
        group.sort(key=lambda ln: ln.valid_from)
        for a, b in zip(group, group[1:], strict=False):
            if a.valid_to is None or a.valid_to >= b.valid_from:
                raise ValueError(f"{SCHEDULE_FILE.name}: two decrees in force at once for {key}")
    return tuple(lines)


VIOLATION_TYPES: tuple[str, ...] = tuple(sorted({ln.violation_type for ln in schedule()}))


def vehicle_kind(class_name: str) -> str:
    c = class_name.lower()
    if c in _MOTORBIKE:
        return "motorbike"
    if c in _CAR:
        return "car"
    return "other"


def day_of(on: dt.date | dt.datetime) -> dt.date:
    """The Vietnamese calendar day of a moment (a naive datetime is taken as UTC, as the lake stores it)."""
    if isinstance(on, dt.datetime):
        return (on if on.tzinfo else on.replace(tzinfo=dt.UTC)).astimezone(VN_TZ).date()
    return on


def line_for(violation_type: str, class_name: str, on: dt.date | dt.datetime) -> Line | None:
    """The schedule line in force on ``on`` for this violation by this class of road user, if any."""
    kind, day = vehicle_kind(class_name), day_of(on)
    for ln in schedule():
        if ln.violation_type == violation_type and ln.vehicle_kind == kind and ln.in_force(day):
            return ln
    return None


def decree_on(on: dt.date | dt.datetime) -> str | None:
    """The decree in force on ``on`` (None before the first one in the schedule)."""
    day = day_of(on)
    return next((ln.decree for ln in schedule() if ln.in_force(day)), None)


def fine_vnd(violation_type: str, class_name: str, on: dt.date | dt.datetime) -> int:
    """The fine for this violation by this class of road user under the decree in force on ``on`` (the
    violation's time); 0 when no line applies (an incident, a pedestrian, a day before the schedule)."""
    ln = line_for(violation_type, class_name, on)
    return 0 if ln is None else ln.fine_vnd


def fines_on(on: dt.date | dt.datetime) -> dict[tuple[str, str], int]:
    """(violation type, vehicle kind) → fine in VND, for the decree in force on ``on``."""
    day = day_of(on)
    return {(ln.violation_type, ln.vehicle_kind): ln.fine_vnd for ln in schedule() if ln.in_force(day)}
