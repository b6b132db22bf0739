"""The simulated camera history fines each violation by the decree in force on its day (Vietnam time).

Expected amounts are written here by hand from the decrees (middle of each range, VND), per decree, type
and vehicle; the check runs in plain SQL-like polars over the simulator's rows, not through core.fines."""

from __future__ import annotations

import polars as pl

from pipelines.sources.camera_simulator import simulate_camera_history

# (violation, class as the simulator writes it) → fine under 46/2016 (to 2019-12-31) and 100/2019 (2020–2024)
BY_HAND = {
    ("red_light", "vehicle"): (1_600_000, 4_000_000), ("red_light", "bike"): (350_000, 800_000),
    ("wrong_way", "vehicle"): (1_600_000, 4_000_000), ("wrong_way", "bike"): (350_000, 1_500_000),
    ("illegal_parking", "vehicle"): (700_000, 900_000), ("illegal_parking", "bike"): (150_000, 150_000),
    ("illegal_stopping", "vehicle"): (700_000, 900_000), ("illegal_stopping", "bike"): (150_000, 150_000),
    ("encroachment", "vehicle"): (350_000, 350_000), ("encroachment", "bike"): (150_000, 250_000),
    ("wrong_lane", "vehicle"): (700_000, 1_000_000), ("wrong_lane", "bike"): (350_000, 500_000),
}


def test_simulated_fines_follow_the_decree_of_the_day():
    v = simulate_camera_history()["violations"].filter(pl.col("fine_vnd") > 0)
    expected = pl.DataFrame([{"violation_type": t, "class_name": c, "fine_46": a, "fine_100": b}
                             for (t, c), (a, b) in BY_HAND.items()])
    got = v.with_columns(day=pl.col("start_at").dt.convert_time_zone("Asia/Ho_Chi_Minh").dt.date()).join(
        expected, on=["violation_type", "class_name"], how="left")
    assert got["fine_46"].null_count() == 0
    want = pl.when(pl.col("day") < pl.date(2020, 1, 1)).then(pl.col("fine_46")).otherwise(pl.col("fine_100"))
    wrong = got.filter(pl.col("fine_vnd") != want)
    assert wrong.is_empty(), wrong.head()
    assert got.filter(pl.col("day") < pl.date(2020, 1, 1)).height > 100  # 2019 violations were fined too
