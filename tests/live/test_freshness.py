"""views.freshness: per source, the newest data, its age and its state, on hand-made rows."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.freshness import freshness

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)


def test_ages_and_states(lake: Lake):
    lake.append("silver.gauge_readings", pl.DataFrame({
        "station_code": ["71520", "71520"], "observed_at": [NOW - dt.timedelta(hours=2), NOW - dt.timedelta(hours=1)],
        "water_level_m": [1.0, 1.1]}))
    lake.append("silver.traffic_counts", pl.DataFrame({
        "camera_id": ["c"], "minute": [NOW - dt.timedelta(minutes=3)], "line_id": ["l"], "class_name": ["bike"],
        "direction": ["forward"], "count": [2], "updated_at": [NOW - dt.timedelta(seconds=4)]}))
    lake.append("silver.violations", pl.DataFrame({"event_id": ["e"], "detected_at": [NOW - dt.timedelta(minutes=9)]}))
    lake.append("silver.warnings", pl.DataFrame({"warning_id": ["w1", "w2"], "direction": ["received", "issued"],
                                                 "ingested_at": [NOW - dt.timedelta(hours=2), NOW]}))
    got = {r["source"]: (r["age_s"], r["state"]) for r in freshness(lake, NOW).iter_rows(named=True)}
    assert got == {
        "camera": (4.0, "green"),  # the count written 4 s ago is newer than the violation of 9 min ago
        "gauge": (3600.0, "amber"),  # newest reading 1 h old: past 30 min, not past 3 h
        "reports": (None, "none"),  # nothing yet
        "warnings": (7200.0, "amber"),  # the received one; the IOC's own issued warning does not count
    }
    red = freshness(lake, NOW, thresholds={"camera": (1, 2)})
    assert red.filter(pl.col("source") == "camera")["state"].item() == "red"
