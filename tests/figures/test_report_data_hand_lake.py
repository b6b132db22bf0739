"""The report's figures (``publications.report_data.build_report_data``) on the hand-made lake of
tests/figures/hand_lake.py, every expected value worked out by hand (issue 17: the report's figures are in
the mutation run; the publication tests on the simulated lake take too long per mutant)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from publications.report_data import build_report_data
from tests.figures.hand_lake import START, D, build_hand_lake, daily_frame, reports_frame

VN = dt.timezone(dt.timedelta(hours=7))
GOLD_AS_OF = dt.datetime(2022, 4, 2, tzinfo=dt.UTC)


def _performance(as_of: dt.datetime | None) -> pl.DataFrame:
    return pl.DataFrame({"unit_id": ["U-A"], "month": ["2022-03"], "as_of": [as_of]},
                        schema={"unit_id": pl.Utf8, "month": pl.Utf8, "as_of": pl.Datetime("us", "UTC")})


def _report_lake(root: Path, gold_as_of: dt.datetime | None = GOLD_AS_OF) -> Lake:
    lake = build_hand_lake(root)
    lake.append("gold.kpi_daily", daily_frame([
        (D(2021, 3, 10), "X1", "U-B", 5, 1, 5, 5, 0, 0, 0, 0, 0),  # March 2021: the same month a year back
        (D(2021, 4, 1), "X1", "U-B", 40, 0, 0, 0, 0, 0, 0, 0, 0),  # April 2021: neither
    ]))
    # an open report of B past its deadline at the gold tables' moment: B's overdue list
    late = reports_frame([("o1", "U-B", "X1", START + dt.timedelta(days=6), 0, True, "open")]).with_columns(
        pl.lit(None, pl.Datetime("us", "UTC")).alias("resolved_at"),
        (pl.col("received_at") + dt.timedelta(days=1)).alias("deadline_at"),
        pl.lit("simulated").alias("source"), pl.lit("cat").alias("category_code"))
    lake.append("silver.reports", late)
    lake.overwrite("gold.unit_performance", _performance(gold_as_of))
    return lake


def test_province_report_figures(tmp_path: Path) -> None:
    lake = _report_lake(tmp_path / "lake")
    now = dt.datetime.now(VN)
    data = build_report_data(lake, "2022-03", now=now)
    assert (data.period.start, data.period.end, data.kind, data.unit) == (D(2022, 3, 1), D(2022, 3, 31),
                                                                          "province", None)
    assert data.generated_at == now and data.generated_at.utcoffset() == dt.timedelta(0)
    assert data.moment == now and data.as_of_given is None
    assert data.reference_time == GOLD_AS_OF
    # March 2022: A 6 + 4, B 3; February 2022 (the row of 28 Feb): 100; March 2021: 5
    assert [data.headline[k]["received"] for k in ("current", "previous", "year_ago")] == [13, 100, 5]
    assert data.headline["current"]["invalid"] == 9 and data.headline["year_ago"]["invalid"] == 1
    assert data.ranking["unit_id"].to_list()[:2] == ["U-B", "U-A"]
    assert data.best["unit_id"].to_list() == ["U-B", "U-A"]  # best first
    assert data.worst["unit_id"].to_list() == ["U-A", "U-B"]  # worst first
    assert data.best["rank"].null_count() == 0 and data.worst["rank"].null_count() == 0
    assert data.overdue["report_id"].to_list() == ["o1"] and data.overdue["unit_id"].to_list() == ["U-B"]
    assert data.overdue["overdue_kind"].to_list() == ["open"]
    # open at the gold tables' moment, 2 April 00:00 UTC, against a deadline of 7 March 17:00 UTC
    assert data.overdue["days_overdue"][0] == pytest.approx(25 + 7 / 24)
    assert data.sources == {"simulated": 1} | {None: 10} and data.simulated
    assert data.unit_types["unit_type"].to_list() == ["enterprise", "state"]
    assert data.unit_types["received"].to_list() == [3, 10]
    trend = dict(zip(data.trend["month"], data.trend["received"], strict=True))
    assert (trend["2022-03"], trend["2022-02"], trend["2021-04"]) == (13, 100, 40)
    assert data.categories["received"].sum() == 13
    assert not data.violations.available
    assert [s.key for s in data.disasters] == ["warnings", "gauges", "sos", "hotline"]
    assert [s.key for s in data.operations] == ["precision", "moderation"]
    assert data.versions["gold.kpi_daily"] is not None and data.versions["gold.unit_performance"] is not None
    # the versions stated are those of the tables a report reads: not the raw CAP documents, say
    assert "silver.reports" in data.versions and "bronze.cap_alerts_raw" not in data.versions


def test_unit_report_figures(tmp_path: Path) -> None:
    lake = _report_lake(tmp_path / "lake")
    now = dt.datetime.now(dt.UTC)
    data = build_report_data(lake, "2022-03", unit_id="U-A", as_of=now.isoformat(), now=now)
    assert data.kind == "unit" and data.unit["name"] == "Phuong A" and data.unit["unit_id"] == "U-A"
    assert data.as_of_given == now.isoformat() and data.moment == now
    assert [data.headline[k]["received"] for k in ("current", "previous", "year_ago")] == [10, 100, 0]
    assert data.headline["current"]["units"] is None  # a unit's figures, not the network's
    assert data.overdue.is_empty()  # A's reports have no deadline passed; B's late one is not A's
    trend = dict(zip(data.trend["month"], data.trend["received"], strict=True))
    assert (trend["2022-03"], trend["2021-04"]) == (10, 0)
    assert data.categories["received"].sum() == 10  # A's reports only
    # the ranking stays the whole network's
    assert data.ranking["unit_id"].to_list()[:2] == ["U-B", "U-A"]


def test_reference_is_the_moment_without_a_data_clock(tmp_path: Path) -> None:
    # no gold as_of and no report updated_at: "open overdue" is judged at the report's moment
    lake = _report_lake(tmp_path / "lake", gold_as_of=None)
    now = dt.datetime.now(dt.UTC)
    data = build_report_data(lake, "2022-03", now=now)
    assert data.reference_time == now
    assert data.period == build_report_data(lake, data.period, now=now).period


def test_refusals(tmp_path: Path) -> None:
    lake = build_hand_lake(tmp_path / "lake")  # no gold.unit_performance
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(ValueError) as err:
        build_report_data(lake, "2022-03", now=now)
    assert str(err.value) == (f"chưa có bảng gold.unit_performance tại thời điểm {now.isoformat()} / "
                              f"gold.unit_performance did not exist at {now.isoformat()}: build the reports lake "
                              "first")
    lake.overwrite("gold.unit_performance", _performance(GOLD_AS_OF))
    with pytest.raises(ValueError) as err:
        build_report_data(lake, "2022-03", unit_id="U-Z")
    assert str(err.value) == "không có đơn vị / unknown unit: 'U-Z'"


def test_every_missing_table_is_named(tmp_path: Path) -> None:
    lake = Lake.open(tmp_path / "empty")
    now = dt.datetime.now(dt.UTC)
    with pytest.raises(ValueError) as err:
        build_report_data(lake, "2022-03", now=now)
    assert str(err.value) == (f"chưa có bảng gold.kpi_daily, gold.unit_performance tại thời điểm {now.isoformat()} / "
                              f"gold.kpi_daily, gold.unit_performance did not exist at {now.isoformat()}: build the "
                              "reports lake first")


def test_a_unit_report_compares_with_the_units_own_months(tmp_path: Path) -> None:
    # B's 7 reports of February 2022 are the network's, not A's: A's previous month stays 100
    lake = _report_lake(tmp_path / "lake")
    lake.append("gold.kpi_daily", daily_frame([(D(2022, 2, 10), "X1", "U-B", 7, 0, 0, 0, 0, 0, 0, 0, 0)]))
    now = dt.datetime.now(dt.UTC)
    a = build_report_data(lake, "2022-03", unit_id="U-A", now=now)
    assert [a.headline[k]["received"] for k in ("current", "previous", "year_ago")] == [10, 100, 0]
    network = build_report_data(lake, "2022-03", now=now)
    assert [network.headline[k]["received"] for k in ("current", "previous", "year_ago")] == [13, 107, 5]


def test_a_report_as_of_a_past_moment_reads_the_tables_of_then(tmp_path: Path) -> None:
    # 2 more reports of A written after the moment asked for: the report built later does not see them
    lake = _report_lake(tmp_path / "lake")
    then = dt.datetime.now(dt.UTC)
    lake.append("gold.kpi_daily", daily_frame([(D(2022, 3, 5), "X1", "U-A", 2, 0, 0, 0, 0, 0, 0, 0, 0)]))
    now = then + dt.timedelta(minutes=5)
    data = build_report_data(lake, "2022-03", as_of=then.isoformat(), now=now)
    assert (data.moment, data.generated_at, data.as_of_given) == (then, now, then.isoformat())
    assert data.headline["current"]["received"] == 13
    assert build_report_data(lake, "2022-03", now=now).headline["current"]["received"] == 15


def test_sections_of_other_data_are_the_periods(tmp_path: Path) -> None:
    # one camera violation and one SOS request in March (Vietnam time), one of each just before it
    lake = _report_lake(tmp_path / "lake")
    inside, before = START + dt.timedelta(hours=1), START - dt.timedelta(hours=1)
    utc = pl.Datetime("us", "UTC")
    lake.append("silver.violations", pl.DataFrame(
        {"event_id": ["v1", "v0"], "camera_id": ["C1", "C1"], "violation_type": ["red_light", "red_light"],
         "start_at": [inside, before], "review_status": ["confirmed", "confirmed"],
         "reviewed_at": [inside, before], "fine_vnd": [4_000_000, 4_000_000]},
        schema_overrides={"start_at": utc, "reviewed_at": utc}))
    lake.append("silver.sos_requests", pl.DataFrame(
        {"sos_id": ["s1", "s0"], "requested_at": [inside, before], "status": ["open", "open"],
         "people": [3, 5]}, schema_overrides={"requested_at": utc}))
    data = build_report_data(lake, "2022-03", now=dt.datetime.now(dt.UTC))
    assert data.violations.frame.select("violation_type", "detected", "confirmed", "fines_vnd").rows() == [
        ("red_light", 1, 1, 4_000_000)]
    sos = {s.key: s for s in data.disasters}["sos"]
    assert sos.frame.rows() == [("open", 1, 3)]
    precision = {s.key: s for s in data.operations}["precision"]
    assert precision.frame.select("camera_name", "violation_type", "confirmed", "dismissed").rows() == [
        ("C1", "red_light", 1, 0)]


def test_times_are_utc_whatever_the_machine_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # on a machine set to Vietnam time a conversion to "local" would give +07:00, not UTC
    lake = _report_lake(tmp_path / "lake")
    now = dt.datetime(2022, 4, 3, 9, 30, tzinfo=VN)
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        data = build_report_data(lake, "2022-03", as_of=dt.datetime.now(dt.UTC), now=now)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert data.generated_at == dt.datetime(2022, 4, 3, 2, 30, tzinfo=dt.UTC)
    assert data.generated_at.utcoffset() == dt.timedelta(0) and data.moment.utcoffset() == dt.timedelta(0)
