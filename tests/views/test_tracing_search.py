"""Plate search on hand-made sightings: partial, tolerant of OCR confusions, other criteria combined."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from views.vehicle_tracing import search

T0 = dt.datetime(2025, 11, 17, 1, 0, tzinfo=dt.UTC)
# (id, camera, minutes after T0, type, colour, plate as read)
ROWS = [("s1", "cam-a", 0, "car", "white", "75A-123.45"), ("s2", "cam-b", 10, "car", "white", "7SA-I23.4S"),
        ("s3", "cam-a", 20, "motorbike", "red", "75-B1 234.56"), ("s4", "cam-b", 30, "car", "black", "43A-999.99"),
        ("s5", "cam-c", 40, "car", "white", None)]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake.open(Path(tmp_path_factory.mktemp("tracing")) / "lake")
    lake.merge("silver.sightings", pl.DataFrame([{
        "sighting_id": i, "camera_id": cam, "track_id": n, "first_seen": T0 + dt.timedelta(minutes=m),
        "last_seen": T0 + dt.timedelta(minutes=m, seconds=5), "frames": 10, "class_name": "vehicle",
        "vehicle_type": vt, "vehicle_color": col, "plate_text": plate, "source": "detector"}
        for n, (i, cam, m, vt, col, plate) in enumerate(ROWS)]))
    return lake


@pytest.mark.parametrize(("query", "expected"), [
    ("75A-123.45", ["s1", "s2"]),  # the same car, read with S for 5 and I for 1 at the second camera
    ("75A123", ["s1", "s2"]),  # partial
    ("A-123.4", ["s1", "s2"]),  # the series and the start of the number
    ("123.4", ["s1", "s2", "s3"]),  # digits alone: 75-B1 234.56 holds 1234 too (B1 2345…)
    ("7SA", ["s1", "s2"]),  # confusions in the query too
    ("75-81 234", ["s3"]),  # 8 for B in a motorbike's series
    ("234.56", ["s3"]),  # the bottom row of a two-line plate alone
    ("43A-999.99", ["s4"]),
    ("75A-723.45", ["s1", "s2"]),  # one character misread beyond the confusions: still found
    ("75A-723", []),  # ... but not in a fragment (it would match too many plates)
    ("99A-555.55", []),
])
def test_plate(lake: Lake, query: str, expected: list[str]) -> None:
    assert search(lake, plate=query)["sighting_id"].to_list() == expected


def test_plate_with_other_criteria(lake: Lake) -> None:
    assert search(lake, plate="75A123", cameras=["cam-b"])["sighting_id"].to_list() == ["s2"]
    assert search(lake, plate="75-B", vehicle_type="motorbike")["sighting_id"].to_list() == ["s3"]
    assert search(lake, colour="white")["sighting_id"].to_list() == ["s1", "s2", "s5"]  # time order
    assert search(lake, colour="white", start=T0 + dt.timedelta(minutes=5),
                  end=T0 + dt.timedelta(minutes=15))["sighting_id"].to_list() == ["s2"]


def test_too_short_a_plate(lake: Lake) -> None:
    with pytest.raises(ValueError):
        search(lake, plate="7-5")
