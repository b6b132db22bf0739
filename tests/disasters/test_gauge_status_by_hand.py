"""``core.gauges.gauge_status`` on a handful of readings, every figure worked out by hand below (the gauge
alarm levels are in the mutation run: a quick test that reaches the function, independent of it)."""

from __future__ import annotations

import datetime as dt
import warnings

import polars as pl
import pytest

from core.gauges import gauge_status

T0 = dt.datetime(2022, 10, 14, 0, tzinfo=dt.UTC)
AS_OF = dt.datetime(2022, 10, 15, 12, tzinfo=dt.UTC)


def h(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def _readings(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"station_code": pl.Utf8, "observed_at": pl.Datetime("us", "UTC"),
                                      "water_level_m": pl.Float64, "alarm_level": pl.Int32, "diff_m": pl.Float64,
                                      "bulletin_vi": pl.Utf8}, orient="row")


STATIONS = pl.DataFrame([
    ("71520", "Kim Long", "Huong basin", 16.4, 107.5, 1.0, 2.0, 3.0),  # the river is renamed by its code
    ("S-2", "Two", "Song Hai", 16.5, 107.6, 1.0, 2.0, 3.0),
    ("S-3", "Three", "Song Ba", 16.6, 107.7, 5.0, 6.0, 7.0),
    ("S-4", "Four", "Song Bon", 16.7, 107.8, 5.0, 6.0, 7.0),
    ("S-5", "Five", "Song Nam", 16.8, 107.9, 5.0, 6.0, 7.0),
    ("S-6", "Six", "Song Sau", 16.9, 108.0, 5.0, 6.0, 7.0),  # no readings: no row
], schema={"station_code": pl.Utf8, "name": pl.Utf8, "river": pl.Utf8, "lat": pl.Float64, "lon": pl.Float64,
           "alarm1_m": pl.Float64, "alarm2_m": pl.Float64, "alarm3_m": pl.Float64}, orient="row")

READINGS = _readings([
    # given out of order: the function sorts by station and time
    ("71520", h(7), 2.0, 2, 0.1, "b-latest"),
    ("71520", h(0), 0.5, 0, -1.5, "b0"),
    ("71520", h(5), 2.5, 2, 0.5, "b5"),
    ("71520", h(1), 1.5, 1, -0.5, "b1"),
    ("71520", h(6), 3.2, 3, 1.2, "b6"),
    ("S-2", h(10), 1.00, None, None, None),
    ("S-2", h(13), 1.05, None, None, "s2"),  # +0.05 over exactly 3 h: steady
    ("S-3", h(0), 4.00, 0, None, None),
    ("S-3", h(3), 3.94, 0, None, None),  # -0.06 against the reading 3 h back (at or before): falling
    ("S-4", h(0), 4.00, 1, None, None),
    ("S-4", h(3), 3.95, 1, None, None),  # -0.05: steady
    ("S-5", h(0), 4.0, 7, None, None),  # one reading: no trend; an unknown alarm level: grey
    ("ZZ", h(0), 9.0, 3, None, None),  # a station not asked for
])


# function scope: mutmut runs only the tests that reached the function, so each test must call it
@pytest.fixture
def status() -> dict[str, dict]:
    got = gauge_status(READINGS, STATIONS, AS_OF)
    assert got["station_code"].to_list() == ["71520", "S-2", "S-3", "S-4", "S-5"]
    assert tuple(got.columns) == ("station_code", "name", "river", "lat", "lon", "latest_at", "latest_level_m",
                                  "alarm_level", "diff_m", "bulletin_vi", "trend_3h_m", "trend", "peak_level_m",
                                  "peak_at", "hours_above_1", "hours_above_2", "hours_above_3", "colour", "as_of")
    return {r["station_code"]: r for r in got.iter_rows(named=True)}


def test_latest_peak_and_colour(status: dict[str, dict]) -> None:
    s = status["71520"]
    assert (s["name"], s["river"], s["lat"], s["lon"]) == ("Kim Long", "Sông Hương", 16.4, 107.5)
    assert (s["latest_at"], s["latest_level_m"], s["alarm_level"], s["diff_m"], s["bulletin_vi"]) == (
        h(7), 2.0, 2, 0.1, "b-latest")
    assert (s["peak_level_m"], s["peak_at"]) == (3.2, h(6))
    assert s["colour"] == "#ef6c00"  # alarm 2: orange
    assert s["as_of"] == AS_OF
    assert status["S-2"]["river"] == "Song Hai"  # other codes keep the station file's river
    assert status["S-2"]["colour"] == "#607d8b"  # no alarm level
    assert status["S-5"]["colour"] == "#607d8b"  # a level outside 0-3
    assert status["S-3"]["colour"] == "#2e7d32"
    assert status["S-4"]["colour"] == "#f9a825"
    assert status["S-2"]["bulletin_vi"] == "s2"


def test_hours_above_each_level(status: dict[str, dict]) -> None:
    # 71520: each reading counts until the next, at most 3 h: 0 h->1 h: 1, 1 h->5 h: 3 (not 4), 5->6: 1,
    # 6->7: 1, the last one 0. Above 1 m (>=): 1.5, 2.5, 3.2, 2.0 -> 3 + 1 + 1 + 0 = 5; above 2 m: 2.5, 3.2,
    # 2.0 -> 2; above 3 m: 3.2 -> 1.
    s = status["71520"]
    assert (s["hours_above_1"], s["hours_above_2"], s["hours_above_3"]) == (5.0, 2.0, 1.0)
    # S-2: 1.00 m is at alarm 1 exactly, and counts its 3 h until the next reading
    s2 = status["S-2"]
    assert (s2["hours_above_1"], s2["hours_above_2"], s2["hours_above_3"]) == (3.0, 0.0, 0.0)


def test_three_hour_trend(status: dict[str, dict]) -> None:
    # 71520: 3 h before 7 h is 4 h; the reading at or before it is 1 h (1.5 m): 2.0 - 1.5 = +0.5
    assert (status["71520"]["trend_3h_m"], status["71520"]["trend"]) == (0.5, "rising")
    assert (status["S-2"]["trend_3h_m"], status["S-2"]["trend"]) == (0.05, "steady")
    assert (status["S-3"]["trend_3h_m"], status["S-3"]["trend"]) == (-0.06, "falling")
    assert (status["S-4"]["trend_3h_m"], status["S-4"]["trend"]) == (-0.05, "steady")
    assert (status["S-5"]["trend_3h_m"], status["S-5"]["trend"]) == (None, None)


def test_trend_is_rounded_to_the_millimetre() -> None:
    # 2.1234 - 2.0 = 0.1234 m over 3 h: reported as 0.123 (not 0.1234)
    got = gauge_status(_readings([("S-2", h(0), 2.0, 2, None, None), ("S-2", h(3), 2.1234, 2, None, None)]),
                       STATIONS, AS_OF)
    assert got.select("trend_3h_m", "trend").row(0) == (0.123, "rising")


def test_a_naive_as_of_is_read_as_utc() -> None:
    # as core.kpis.classify_reports does: a moment without a zone is UTC, and the column keeps the UTC type
    got = gauge_status(READINGS, STATIONS, dt.datetime(2022, 10, 15, 12))
    assert got.schema["as_of"] == pl.Datetime("us", "UTC")
    assert got["as_of"].to_list() == [AS_OF] * 5


def test_no_warning_on_the_way() -> None:
    # the trend's as-of join is told its sides are sorted: asked to check, polars warns on every call that it
    # cannot check sortedness within station groups (the flood map would log it on every render)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = gauge_status(READINGS, STATIONS, AS_OF)
    assert got.height == 5
    assert [str(w.message) for w in seen] == []
