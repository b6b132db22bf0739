"""SOS and hotline simulator calibration, warnings history, SOS CSV import with rejects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipelines.disasters import sos, warnings_history
from pipelines.disasters.cap.parse import parse_cap


def test_sos_and_hotline_calibrated_and_deterministic(lake) -> None:
    a = sos.simulate_sos()
    assert a.height == 703 and a["sos_id"].n_unique() == 703
    assert a["requested_at"].min() >= dt.datetime(2019, 4, 30, 17, tzinfo=dt.UTC)
    assert a["requested_at"].max() < dt.datetime(2022, 5, 31, 17, tzinfo=dt.UTC)
    assert set(a["source"]) == {"simulated"}
    assert a.equals(sos.simulate_sos())
    flood_months = a.filter(pl.col("requested_at").dt.month().is_in([9, 10, 11, 12])).height
    assert flood_months > 0.7 * a.height
    resolved = a.filter(pl.col("status") == "resolved")
    assert (resolved["handled_at"] > resolved["requested_at"]).all() and resolved["handler"].null_count() == 0
    calls = sos.simulate_hotline(a)
    counts = dict(calls.group_by("direction").len().iter_rows())
    assert counts == {"in": 1919, "out": 488}
    linked = calls.filter(pl.col("sos_id").is_not_null())
    assert linked.height > 0 and linked["sos_id"].is_in(a["sos_id"].implode()).all()
    r1 = sos.load_simulated(lake)
    assert r1 == {"sos_requests": 703, "hotline_calls": 2407}
    assert sos.load_simulated(lake) == {"sos_requests": 0, "hotline_calls": 0}


def test_warnings_history_calibrated(lake) -> None:
    alerts = warnings_history.simulate_warnings()
    assert len(alerts) == 1808
    assert min(a.sent for a in alerts) >= dt.datetime(2019, 4, 30, 17, tzinfo=dt.UTC)
    assert max(a.sent for a in alerts) < dt.datetime(2022, 5, 31, 17, tzinfo=dt.UTC)
    assert warnings_history.load_simulated_warnings(lake) == 1808
    df = lake.read("silver.warnings")
    assert set(df["source"]) == {"simulated"} and set(df["direction"]) == {"issued"}
    assert parse_cap(df["xml"][0].encode()).languages == ["vi-VN", "en-US"]
    assert warnings_history.load_simulated_warnings(lake) == 0


def test_sos_csv_import(lake, tmp_path: Path) -> None:
    f = tmp_path / "sos.csv"
    f.write_text(
        "sos_id,requested_at,place,lat,lon,people,needs,status,handler,handled_at\n"
        "S1,2025-11-17 08:10,Kiệt 5 Kim Long,16.4600,107.5600,4,\"rescue,boat\",resolved,BCH Quân sự,2025-11-17 09:00\n"
        "S2,2025-11-17T09:00:00+07:00,Quảng Điền,16.58,107.50,2,food,new,,\n"
        "S3,,Nowhere,16.5,107.5,1,food,new,,\n"
        "S4,2025-11-17 09:00,Bad,191.0,107.5,1,food,new,,\n"
        "S5,2025-11-17 09:00,Bad status,16.5,107.5,1,food,lost,,\n"
        "S6,2025-11-17 09:00,Bad people,16.5,107.5,many,food,new,,\n"
        "S7,2025-11-17 09:00,Time travel,16.5,107.5,1,food,resolved,X,2025-11-17 08:00\n", encoding="utf-8")
    r = sos.import_csv(lake, f)
    assert r == {"read": 7, "valid": 2, "rejected": 5, "written": 2}
    df = lake.read("silver.sos_requests").sort("sos_id")
    s1 = df.row(0, named=True)
    assert s1["requested_at"] == dt.datetime(2025, 11, 17, 1, 10, tzinfo=dt.UTC)
    assert s1["admin_unit_code_2025"] and s1["source"] == "csv" and s1["needs"] == "rescue,boat"
    reasons = set(lake.read("silver.rejects")["reason"])
    assert "missing requested_at" in reasons and "lat/lon out of range" in reasons
    assert "handled_at before requested_at" in reasons
    assert any(x.startswith("unknown status") for x in reasons)
    assert any(x.startswith("unparseable value") for x in reasons)
    v = lake.versions(["silver.sos_requests", "silver.rejects"])
    assert sos.import_csv(lake, f)["written"] == 0
    assert lake.versions(["silver.sos_requests", "silver.rejects"]) == v


def test_summary_for_the_leadership_report(flood_lake) -> None:
    from views.floods_period import disaster_summary

    sos.load_simulated(flood_lake)
    warnings_history.load_simulated_warnings(flood_lake)
    three_years = disaster_summary(flood_lake, dt.date(2019, 5, 1), dt.date(2022, 5, 31))
    assert three_years["warnings"]["issued"] == 1808 == three_years["warnings"]["issued_simulated"]
    assert sum(three_years["warnings"]["by_event_vi"].values()) == 1808
    assert three_years["sos"]["requests"] == 703 and three_years["sos"]["median_minutes_to_handle"] > 0
    assert isinstance(three_years["sos"]["people"], int) and three_years["sos"]["people"] > 703
    assert three_years["hotline"] == {"in": 1919, "out": 488}
    assert three_years["gauges"] == []
    nov = disaster_summary(flood_lake, dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    po = nov["gauges"][0]
    assert (po["name"], po["peak_level_m"], po["max_alarm_level"]) == ("Phú Ốc", 4.96, 3)
    assert po["peak_at"] == "2025-11-17T01:00:00+00:00" and po["peak_bulletin_vi"] == "trên báo động 3 0,46 m"
    assert nov["warnings"]["issued_from_gauges"] >= 10 and nov["sos"]["requests"] == 0
