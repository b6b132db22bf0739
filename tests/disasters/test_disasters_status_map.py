"""gold.flood_status (write side) and the flood map layers at a moment (views.floods*, the time slider)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.disasters.flood_status import build_flood_status
from views.floods import gauge_status, replay_bounds
from views.floods_layers import map_layers
from views.warnings import in_force as warnings_in_force

PEAK = dt.datetime(2025, 11, 17, 1, tzinfo=dt.UTC)  # 08:00 in Huế


def test_flood_status_at_peak_and_overall(flood_lake) -> None:
    at = gauge_status(flood_lake, at=PEAK)
    po = at.filter(pl.col("station_code") == "71518").row(0, named=True)
    assert (po["latest_level_m"], po["alarm_level"], po["peak_level_m"]) == (4.96, 3, 4.96)
    assert po["trend"] == "rising" and po["trend_3h_m"] > 0 and po["colour"] == "#c62828"
    assert po["river"] == "Sông Bồ"
    assert build_flood_status(flood_lake) == 2
    gold = flood_lake.read("gold.flood_status")
    po = gold.filter(pl.col("station_code") == "71518").row(0, named=True)
    assert po["peak_level_m"] == 4.96 and po["peak_at"] == PEAK
    assert po["hours_above_1"] >= po["hours_above_2"] >= po["hours_above_3"] > 0
    kl = gold.filter(pl.col("station_code") == "71520").row(0, named=True)
    assert kl["peak_level_m"] == 3.01 and kl["hours_above_3"] == 0 and kl["hours_above_2"] > 0
    # hours above level 3: each reading at or above 4.5 m counts until the next reading (gaps capped at 3 h)
    r = flood_lake.read("silver.gauge_readings").filter(pl.col("station_code") == "71518").sort("observed_at")
    gap = (r["observed_at"].shift(-1) - r["observed_at"]).dt.total_hours().fill_null(0).clip(0, 3)
    expected = float(gap.filter(r["water_level_m"] >= 4.5).sum())
    assert po["hours_above_3"] == expected and expected >= 21


def test_map_layers_move_with_time(flood_lake, lake) -> None:
    lo, hi, _peak = replay_bounds(flood_lake)
    assert lo < PEAK < hi
    peak = map_layers(flood_lake, PEAK)
    g = {x["station_code"]: x for x in peak["gauges"]}
    assert g["71518"]["alarm_level"] == 3 and g["71518"]["level_name_vi"] == "Báo động 3"
    assert g["71520"]["colour"] == "#ef6c00"
    feats = peak["warning_areas"]["features"]
    assert feats and {f["properties"]["severity"] for f in feats} == {"Extreme", "Severe"}
    assert peak["sos"] == [] and peak["flood_reports"] == [] and peak["flooded_cameras"] == []
    before = map_layers(flood_lake, dt.datetime(2025, 11, 12, tzinfo=dt.UTC))
    assert before["gauges"] == [] and before["warning_areas"]["features"] == []
    after = map_layers(flood_lake, hi)
    assert not any(x["stale"] for x in after["gauges"])
    assert all(x["stale"] for x in map_layers(flood_lake, hi + dt.timedelta(days=1))["gauges"])
    assert after["warning_areas"]["features"] == []  # both episodes cancelled by then
    assert warnings_in_force(flood_lake, PEAK).height == 2  # one per gauge: older messages superseded


def test_map_shows_sos_and_flood_reports(flood_lake) -> None:
    flood_lake.merge("silver.sos_requests", pl.DataFrame([{
        "sos_id": "T1", "requested_at": PEAK - dt.timedelta(hours=1), "lat": 16.46, "lon": 107.56, "people": 3,
        "status": "resolved", "handled_at": PEAK + dt.timedelta(hours=1), "source": "csv"}]))
    flood_lake.merge("silver.reports", pl.DataFrame([
        {"report_id": "R1", "category_code": "flooding", "received_at": PEAK - dt.timedelta(hours=2),
         "lat": 16.47, "lon": 107.58, "title": "Ngập sâu đường Lê Duẩn", "source": "simulated"},
        {"report_id": "R2", "category_code": "lighting", "received_at": PEAK - dt.timedelta(hours=2),
         "lat": 16.47, "lon": 107.58, "source": "simulated"}]))
    layers = map_layers(flood_lake, PEAK)
    assert [s["sos_id"] for s in layers["sos"]] == ["T1"] and layers["sos"][0]["open_at"] is True
    assert [r["report_id"] for r in layers["flood_reports"]] == ["R1"]
    later = map_layers(flood_lake, PEAK + dt.timedelta(hours=2))
    assert later["sos"][0]["open_at"] is False


def test_cameras_inside_warning_areas_are_flagged(flood_lake) -> None:
    from pipelines.disasters import geo

    inside = next(c for c in geo.communes() if c.short_name == "Quảng Điền").geometry.representative_point()
    flood_lake.merge("silver.cameras", pl.DataFrame([
        {"camera_id": "CAM-QD", "name": "Cầu Quảng Điền", "lat": inside.y, "lon": inside.x, "source": "config"},
        {"camera_id": "CAM-FAR", "name": "Lăng Cô", "lat": 16.23, "lon": 108.07, "source": "config"}]))
    cams = map_layers(flood_lake, PEAK)["flooded_cameras"]
    assert [c["camera_id"] for c in cams] == ["CAM-QD"] and cams[0]["severity"] == "Extreme"
    assert map_layers(flood_lake, dt.datetime(2025, 11, 12, tzinfo=dt.UTC))["flooded_cameras"] == []


def test_an_alert_without_expiry_is_not_in_force_for_ever(tmp_path):
    """The OASIS A.3 sample has no <expires>: in force just after it was sent, not years later."""
    import datetime as dt

    from core.settings import data_path
    from lake import Lake
    from pipelines.disasters.cap_ingest import ingest_documents
    from pipelines.disasters.feeds import file_documents
    from views.warnings import NO_EXPIRY_VALIDITY

    lake = Lake.open(tmp_path / "lake")
    ingest_documents(lake, file_documents([data_path("cap/cap12_spec_A3_earthquake_update_circle.xml")]))
    sent = lake.sql("SELECT min(sent) FROM silver.warnings WHERE expires IS NULL").item()
    assert sent is not None
    assert warnings_in_force(lake, sent + dt.timedelta(hours=1)).height >= 1
    assert warnings_in_force(lake, sent + NO_EXPIRY_VALIDITY + dt.timedelta(hours=1)).height == 0
