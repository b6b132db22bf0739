"""Gauge stations, the Nov-2025 readings (GMT+7 → UTC), alarm levels and signed differences, generic formats."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from pipelines.disasters import alarms, gauges

VN = dt.timezone(dt.timedelta(hours=7))


def test_station_levels(flood_lake) -> None:
    st = flood_lake.read("silver.gauge_stations")
    levels = {r[0]: r[1:] for r in st.select("name", "alarm1_m", "alarm2_m", "alarm3_m").iter_rows()}
    assert levels["Kim Long"] == (1.0, 2.0, 3.5)
    assert levels["Phú Ốc"] == (1.5, 3.0, 4.5)
    assert levels["Ái Nghĩa"] == (6.5, 8.0, 9.0) and levels["Trà Khúc"] == (3.5, 5.0, 6.5)
    rivers = st.filter(pl.col("kind") == "river")
    assert rivers.height == 16 and rivers["alarm1_m"].null_count() == 0
    assert st.filter(pl.col("in_hue") & (pl.col("kind") == "river"))["name"].sort().to_list() == ["Kim Long", "Phú Ốc"]
    assert "Bình Điền" in st["name"].to_list()  # a reservoir only the CSV knows


def test_november_2025_peak(flood_lake) -> None:
    r = flood_lake.sql("""select observed_at, water_level_m, alarm_level, diff_m, bulletin_vi
                          from silver.gauge_readings where station_code = '71518'
                          order by water_level_m desc, observed_at limit 1""").row(0, named=True)
    assert r["water_level_m"] == 4.96 and r["alarm_level"] == 3
    assert r["observed_at"] == dt.datetime(2025, 11, 17, 1, 0, tzinfo=dt.UTC)
    assert r["observed_at"].astimezone(VN).strftime("%d/%m %H:%M") == "17/11 08:00"
    assert r["diff_m"] == 0.46 and r["bulletin_vi"] == "trên báo động 3 0,46 m"
    kl = flood_lake.sql("""select max(water_level_m) m, max(alarm_level) a from silver.gauge_readings
                           where station_code = '71520'""").row(0)
    assert kl == (3.01, 2)
    counts = dict(flood_lake.sql("select station_code, count(*) n from silver.gauge_readings group by 1").iter_rows())
    assert counts["71520"] == 490 and counts["71518"] == 467


def test_alarm_and_difference_agree_with_vndms(data_dir: Path, lake) -> None:
    """Our alarm level and signed difference equal VNDMS's own columns for levels 0-3."""
    gauges.load_stations(lake)
    path = data_dir / gauges.CENTRAL_FILE
    gauges.load_vndms_file(lake, path)
    raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    raw = raw.rename({raw.columns[0]: "type"})
    ours = lake.read("silver.gauge_readings").with_columns(
        (pl.col("observed_at").dt.convert_time_zone("Asia/Ho_Chi_Minh").dt.strftime("%Y-%m-%d %H:%M")).alias("t"))
    theirs = raw.filter(pl.col("type") == "River").select(
        pl.col("Mã trạm/LakeCode").alias("station_code"), pl.col("Thời gian (UTC)").alias("t"),
        pl.col("Cảnh báo value (0-4)").cast(pl.Float64).cast(pl.Int32).alias("v"),
        pl.col("Chênh lệch cảnh báo (m)").cast(pl.Float64).alias("d"))
    j = ours.join(theirs, on=["station_code", "t"]).filter(pl.col("v") <= 3)
    assert j.height > 4000
    assert (j["alarm_level"] == j["v"]).all()
    assert ((j["diff_m"] - j["d"]).abs() < 0.006).all()


def test_row_rule_equals_vectorised() -> None:
    st = pl.DataFrame({"station_code": ["X"], "alarm1_m": [1.5], "alarm2_m": [3.0], "alarm3_m": [4.5],
                       "historic_level_m": [5.31]})
    levels = [0.2, 1.5, 2.99, 3.0, 4.49, 4.5, 4.96, 5.4]
    vec = alarms.with_alarms(pl.DataFrame({"station_code": ["X"] * len(levels), "water_level_m": levels}), st)
    rows = vec.select("alarm_level", "ref_level", "diff_m", "nearest_level", "diff_nearest_m").iter_rows()
    for lv, (al, ref, d, nl, nd) in zip(levels, rows, strict=True):
        assert alarms.alarm_row(lv, 1.5, 3.0, 4.5) == (al, ref, d)
        assert alarms.nearest_row(lv, 1.5, 3.0, 4.5) == (nl, nd)
    assert vec.filter(pl.col("water_level_m") == 2.99).select("nearest_level", "diff_nearest_m").row(0) == (2, -0.01)
    assert vec["bulletin_vi"].to_list()[:4] == ["dưới báo động 1 1,30 m", "ở mức báo động 1",
                                               "trên báo động 1 1,49 m", "ở mức báo động 2"]
    assert vec["above_historic"].to_list()[-1] is True
    assert alarms.bulletin_text(2, 2, 0.56) == "trên báo động 2 0,56 m"


def test_a_reading_of_an_unknown_station_is_kept_without_levels() -> None:
    # a station missing from the station table: its reading stays, with no alarm level and no text
    st = pl.DataFrame({"station_code": ["X"], "alarm1_m": [1.5], "alarm2_m": [3.0], "alarm3_m": [4.5],
                       "historic_level_m": [5.31]})
    got = alarms.with_alarms(pl.DataFrame({"station_code": ["X", "NEW"], "water_level_m": [2.0, 9.9]}), st)
    assert got.select("station_code", "alarm_level", "bulletin_vi", "above_historic").rows() == [
        ("X", 1, "trên báo động 1 0,50 m", False), ("NEW", None, None, False)]


def test_bulletin_text_row_by_row() -> None:
    # the bulletin wording of one reading, written out from the bulletins' phrasing
    assert alarms.bulletin_text(0, 1, -0.2) == "dưới báo động 1 0,20 m"
    assert alarms.bulletin_text(2, 2, 0.004) == "ở mức báo động 2"
    assert alarms.bulletin_text(3, 3, 1.234) == "trên báo động 3 1,23 m"
    # any part missing (a station without alarm levels): no text
    assert alarms.bulletin_text(1, None, 0.3) is None
    assert alarms.bulletin_text(None, 1, 0.3) is None
    assert alarms.bulletin_text(1, 1, None) is None


def test_generic_csv_duplicates_out_of_order_rejects_rerun(lake, tmp_path: Path) -> None:
    gauges.load_stations(lake)
    f = tmp_path / "kimlong.csv"
    f.write_text(
        "station_code,observed_at,water_level_m\n"
        "71520,2025-11-17T15:00:00+07:00,3.01\n"
        "71520,2025-11-17T13:00:00+07:00,2.95\n"  # out of order
        "71520,2025-11-17T14:00:00+07:00,2.97\n"
        "71520,2025-11-17T14:00:00+07:00,2.98\n"  # duplicate time, later value wins
        "71520,not-a-time,2.0\n"
        "71520,2025-11-17T16:00:00+07:00,abc\n"
        "99999,2025-11-17T16:00:00+07:00,1.0\n"
        "71520,2025-11-17T16:00:00+07:00,40.0\n"  # 34 m above the 1999 record
        ",2025-11-17T16:00:00+07:00,1.0\n", encoding="utf-8")
    r = gauges.load_file(lake, f)
    assert (r.read, r.valid, r.duplicates, r.rejected, r.written) == (9, 3, 1, 5, 3)
    assert r.read == r.valid + r.duplicates + r.rejected
    reasons = set(lake.read("silver.rejects")["reason"])
    assert {"unparseable time (expected ISO 8601)", "missing or non-numeric water level",
            "unknown station code (not in silver.gauge_stations)", "missing station code"} <= reasons
    assert any(x.startswith("implausible water level") for x in reasons)
    df = lake.read("silver.gauge_readings").sort("observed_at")
    assert df["water_level_m"].to_list() == [2.95, 2.98, 3.01]
    assert df["observed_at"][0] == dt.datetime(2025, 11, 17, 6, tzinfo=dt.UTC)
    assert df["bulletin_vi"].to_list()[-1] == "trên báo động 2 1,01 m"
    before = lake.versions(["silver.gauge_readings", "silver.rejects", "bronze.gauge_readings_raw"])
    again = gauges.load_file(lake, f)
    assert again.written == 0
    assert lake.versions(["silver.gauge_readings", "silver.rejects", "bronze.gauge_readings_raw"]) == before
    # a correction in a later file updates the stored value
    g = tmp_path / "fix.json"
    g.write_text(json.dumps({"readings": [
        {"station_code": "71520", "observed_at": "2025-11-17T08:00:00Z", "water_level_m": 3.05},
        {"station_code": "71520", "observed_at": "2025-11-17T09:00:00", "water_level_m": 3.02},
        {"station_code": "71520", "observed_at": "2025-11-17T09:00:00"},
        "not an object"]}), encoding="utf-8")
    r2 = gauges.load_file(lake, g)
    assert (r2.valid, r2.rejected, r2.written) == (2, 2, 2)
    df = lake.read("silver.gauge_readings").sort("observed_at")
    assert df.height == 4 and df.filter(pl.col("observed_at") == dt.datetime(2025, 11, 17, 8, tzinfo=dt.UTC))[
        "water_level_m"].item() == 3.05


def test_vndms_rows_with_bad_values_rejected(lake, data_dir: Path, tmp_path: Path) -> None:
    gauges.load_stations(lake)
    lines = (data_dir / gauges.HUE_FILE).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [x for x in lines[1:] if x.startswith("River,71518")][:5]
    bad_time = rows[0].replace("2025-11-13 01:00", "13/11/2025 1h")
    f = tmp_path / "vndms.csv"
    f.write_text("\n".join([header, *rows[1:], bad_time, rows[1]]) + "\n", encoding="utf-8")
    r = gauges.load_vndms_file(lake, f)
    assert (r.read, r.valid, r.rejected, r.duplicates) == (6, 4, 1, 1)
    assert "unparseable time" in lake.read("silver.rejects")["reason"][0]


def test_alarm_rules_at_their_edges_row_by_row() -> None:
    # the levels are reached up to float noise (1e-9 below still counts); differences kept to the millimetre
    assert alarms.alarm_row(1.5 - 1e-9, 1.5, 3.0, 4.5) == (1, 1, 0.0)
    assert alarms.alarm_row(2.1234, 1.5, 3.0, 4.5) == (1, 1, 0.623)
    assert alarms.nearest_row(2.1234, 1.5, 3.0, 4.5) == (1, 0.623)
    # a difference of exactly half a centimetre is written, not "at the level"
    assert alarms.bulletin_text(2, 2, 0.005) == "trên báo động 2 0,01 m"
    # ties go to the lower level, even when the levels are (wrongly) out of order: 2.0 is 1 m from both 3.0 and 1.0
    assert alarms.nearest_row(2.0, 3.0, 1.0, None) == (1, -1.0)
    assert alarms.nearest_row(2.0, 1.0, 3.0, None) == (1, 1.0)


def test_alarm_rules_at_their_edges_vectorised() -> None:
    # a station with only alarm level 1 reaches nothing else; 1e-9 below a level still reaches it
    st = pl.DataFrame({"station_code": ["ONE", "X"], "alarm1_m": [1.5, 1.5], "alarm2_m": [None, 3.0],
                       "alarm3_m": [None, 4.5], "historic_level_m": [None, 5.31]})
    # differences kept to the millimetre, the bulletin to the centimetre; at the historic level is not above it
    got = alarms.with_alarms(pl.DataFrame({"station_code": ["ONE", "ONE", "X", "X", "X"],
                                           "water_level_m": [1.0, 2.0, 3.0 - 1e-9, 2.1234, 5.31]}), st)
    assert got.select("alarm_level", "ref_level", "diff_m", "nearest_level", "diff_nearest_m", "above_historic",
                      "bulletin_vi").rows() == [
        (0, 1, -0.5, 1, -0.5, False, "dưới báo động 1 0,50 m"), (1, 1, 0.5, 1, 0.5, False, "trên báo động 1 0,50 m"),
        (2, 2, 0.0, 2, 0.0, False, "ở mức báo động 2"), (1, 1, 0.623, 1, 0.623, False, "trên báo động 1 0,62 m"),
        (3, 3, 0.81, 3, 0.81, False, "trên báo động 3 0,81 m")]


def test_stale_levels_carried_by_the_readings_are_replaced_by_the_stations() -> None:
    # readings that already carry alarm levels (a frame read back) take the station table's, and keep no extra column
    st = pl.DataFrame({"station_code": ["X"], "alarm1_m": [1.5], "alarm2_m": [3.0], "alarm3_m": [4.5],
                       "historic_level_m": [5.31]})
    stale = {"alarm1_m": [1.0], "alarm2_m": [9.0], "alarm3_m": [9.5], "historic_level_m": [3.0]}
    for col in stale:
        readings = pl.DataFrame({"station_code": ["X"], "water_level_m": [3.2], col: stale[col]})
        got = alarms.with_alarms(readings, st)
        assert got.columns == ["station_code", "water_level_m", "alarm_level", "ref_level", "diff_m",
                               "above_historic", "bulletin_vi", "nearest_level", "diff_nearest_m"], col
        assert got.row(0) == ("X", 3.2, 2, 2, 0.2, False, "trên báo động 2 0,20 m", 2, 0.2), col


def test_half_a_centimetre_is_written_up_in_both_rules() -> None:
    # 5 mm above level 1 is "0,01 m" above it (never "0,00 m"), 4 mm is at the level; 1,485 m below is 1,49 m
    st = pl.DataFrame({"station_code": ["X"], "alarm1_m": [1.5], "alarm2_m": [3.0], "alarm3_m": [4.5],
                       "historic_level_m": [5.31]})
    expected = [(1.505, "trên báo động 1 0,01 m"), (1.504, "ở mức báo động 1"), (0.015, "dưới báo động 1 1,49 m"),
                (3.115, "trên báo động 2 0,12 m"), (123.456, "trên báo động 3 118,96 m")]
    got = alarms.with_alarms(pl.DataFrame({"station_code": ["X"] * len(expected),
                                           "water_level_m": [lv for lv, _ in expected]}), st)
    assert got["bulletin_vi"].to_list() == [text for _, text in expected]
    assert [alarms.bulletin_text(*alarms.alarm_row(lv, 1.5, 3.0, 4.5)) for lv, _ in expected] == [
        text for _, text in expected]
    # 2.25 m is 0.75 m from both level 1 and level 2: the tie goes to the lower level
    mid = alarms.with_alarms(pl.DataFrame({"station_code": ["X"], "water_level_m": [2.25]}), st)
    assert mid.select("nearest_level", "diff_nearest_m").row(0) == (1, 0.75)


def test_row_and_vectorised_bulletins_agree_to_the_millimetre() -> None:
    # every millimetre from 0 to 6 m: the readable rule and the vectorised one write the same words
    st = pl.DataFrame({"station_code": ["X"], "alarm1_m": [1.5], "alarm2_m": [3.0], "alarm3_m": [4.5],
                       "historic_level_m": [5.31]})
    levels = [i / 1000 for i in range(6001)]
    vec = alarms.with_alarms(pl.DataFrame({"station_code": ["X"] * len(levels), "water_level_m": levels}), st)
    rows = [alarms.bulletin_text(*alarms.alarm_row(lv, 1.5, 3.0, 4.5)) for lv in levels]
    assert vec["bulletin_vi"].to_list() == rows


def test_ties_for_the_nearest_level_go_to_the_lower_one_vectorised() -> None:
    # 3.75 m is 0.75 m from levels 2 and 3; at a station without level 2, 2.25 m is 0.75 m from levels 1 and 3
    st = pl.DataFrame({"station_code": ["X", "GAP"], "alarm1_m": [1.5, 1.5], "alarm2_m": [3.0, None],
                       "alarm3_m": [4.5, 3.0], "historic_level_m": [5.31, None]})
    got = alarms.with_alarms(pl.DataFrame({"station_code": ["X", "GAP"], "water_level_m": [3.75, 2.25]}), st)
    assert got.select("nearest_level", "diff_nearest_m").rows() == [(2, 0.75), (1, 0.75)]
    assert alarms.nearest_row(3.75, 1.5, 3.0, 4.5) == (2, 0.75)
    assert alarms.nearest_row(2.25, 1.5, None, 3.0) == (1, 0.75)
