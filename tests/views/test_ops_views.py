"""The operations views over a hand-made tiny lake whose answers are written here: violation slices by
camera, type, day and hour (Vietnam time), the review queue (independent of any period), traffic
counts, and the flood layers at a moment (gauge level against the official alarm levels)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from lake import Lake
from views import floods, floods_layers, review, violations

VN = dt.timezone(dt.timedelta(hours=7))
D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)


def _square(lon: float, lat: float, half: float = 0.01) -> str:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture(scope="module")
def cam_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake.open(tmp_path_factory.mktemp("ops") / "lake")
    lake.merge("silver.admin_units", pl.DataFrame([
        {"admin_unit_code": "X1", "name": "Phường Một", "level": "commune", "geometry_geojson": _square(107.50, 16.40)},
        {"admin_unit_code": "X2", "name": "Phường Hai", "level": "commune", "geometry_geojson": _square(107.60, 16.50)}]))
    lake.merge("silver.cameras", pl.DataFrame([
        {"camera_id": "CAM-A", "name": "Cầu Một", "lat": 16.40, "lon": 107.50, "enabled": True, "source": "t"},
        {"camera_id": "CAM-B", "name": "Ngã tư Hai", "lat": 16.50, "lon": 107.60, "enabled": True, "source": "t"},
        {"camera_id": "CAM-C", "name": "Xa", "lat": 16.00, "lon": 108.00, "enabled": False, "source": "t"}]))

    def v(event: str, cam: str, vtype: str, local: dt.datetime, status: str | None, fine: int,
          plate: str | None = None, category: str = "violation") -> dict:
        return {"event_id": event, "camera_id": cam, "violation_type": vtype, "category": category,
                "start_at": local.replace(tzinfo=VN), "review_status": status, "fine_vnd": fine,
                "plate_text": plate, "source": "t"}

    lake.merge("silver.violations", pl.DataFrame([
        v("e1", "CAM-A", "illegal_parking", dt.datetime(2025, 6, 1, 8, 10), "confirmed", 800_000, "75A-111.11"),
        v("e2", "CAM-A", "illegal_parking", dt.datetime(2025, 6, 1, 23, 30), "pending", 800_000),
        # 00:30 in Huế is still 1 June in UTC: it belongs to 2 June
        v("e3", "CAM-B", "red_light", dt.datetime(2025, 6, 2, 0, 30), "dismissed", 4_000_000, "75B-222.22"),
        v("e4", "CAM-B", "red_light", dt.datetime(2025, 6, 2, 9, 0), "confirmed", 4_000_000, "75B-333.33"),
        v("e5", "CAM-B", "congestion", dt.datetime(2025, 6, 2, 10, 0), None, 0, category="incident"),
        v("e6", "CAM-A", "wrong_way", dt.datetime(2025, 5, 31, 23, 59), "pending", 300_000),  # before the period
        v("e7", "CAM-C", "illegal_stopping", dt.datetime(2025, 6, 3, 0, 0), None, 300_000),  # after it
    ]))
    lake.merge("silver.traffic_counts", pl.DataFrame([
        {"camera_id": cam, "minute": local.replace(tzinfo=VN), "line_id": "L1", "class_name": "car",
         "direction": "forward", "count": n, "source": "t"}
        for cam, local, n in (("CAM-A", dt.datetime(2025, 6, 1, 8, 5), 3), ("CAM-A", dt.datetime(2025, 6, 1, 8, 40), 2),
                              ("CAM-A", dt.datetime(2025, 6, 1, 9, 10), 4), ("CAM-B", dt.datetime(2025, 6, 2, 9, 0), 7),
                              ("CAM-B", dt.datetime(2025, 5, 31, 9, 0), 50))]))
    return lake


def test_slices_by_camera_type_day_and_hour(cam_lake: Lake) -> None:
    sl = violations.slices(cam_lake, D1, D2)
    assert violations.summary_of(sl) == {"total": 4, "fines": 4_800_000, "cameras": 2, "plates": 3}
    by_type = violations.by_type_of(sl)
    assert by_type.rows() == [("illegal_parking", 2, 1, 0, 1, 1, 800_000, 1),
                              ("red_light", 2, 1, 1, 0, 2, 4_000_000, 1)]
    assert by_type.columns == ["violation_type", *violations.COUNTS, "cameras"]
    by_cam = violations.by_camera_of(sl, violations.cameras(cam_lake))
    assert by_cam.select("camera_id", "name", "detected").rows() == [("CAM-A", "Cầu Một", 2),
                                                                     ("CAM-B", "Ngã tư Hai", 2)]
    assert violations.by_day_of(sl).rows() == [(D1, "illegal_parking", 2), (D2, "red_light", 2)]
    assert violations.by_hour_of(sl).rows() == [(0, 1), (8, 1), (9, 1), (23, 1)]
    assert violations.by_type(cam_lake, D2, D2)["detected"].to_list() == [2]  # e3 and e4, in Huế's day


def test_slices_of_an_area_take_the_cameras_standing_in_it(cam_lake: Lake) -> None:
    assert violations.cameras(cam_lake).select("camera_id", "area_code").rows() == [
        ("CAM-A", "X1"), ("CAM-B", "X2"), ("CAM-C", None)]
    sl = violations.slices(cam_lake, D1, D2, ("X2",))
    assert sl["camera_id"].unique().to_list() == ["CAM-B"] and int(sl["detected"].sum()) == 2
    assert violations.slices(cam_lake, D1, D2, ("NOWHERE",)).is_empty()


def test_review_queue_is_pending_newest_first_whatever_the_period(cam_lake: Lake) -> None:
    queue = review.pending(cam_lake)
    # e7 has no review yet (pending), e5 is an incident, e6 lies before any period shown on screen
    assert queue["event_id"].to_list() == ["e7", "e2", "e6"]
    assert queue["camera_name"].to_list() == ["Xa", "Cầu Một", "Cầu Một"]
    assert review.pending(cam_lake, ("X1",))["event_id"].to_list() == ["e2", "e6"]
    assert review.pending(cam_lake, limit=1)["event_id"].to_list() == ["e7"]
    assert (review.pending_count(cam_lake), review.pending_count(cam_lake, ("X1",))) == (3, 2)


def test_traffic_flow_per_camera_and_local_hour(cam_lake: Lake) -> None:
    flow = violations.traffic_flow(cam_lake, D1, D2)
    assert [(h.hour, cam, n) for h, cam, _, n in flow.rows()] == [(8, "CAM-A", 5), (9, "CAM-A", 4), (9, "CAM-B", 7)]
    assert flow["name"].to_list() == ["Cầu Một", "Cầu Một", "Ngã tư Hai"]


# ---------------------------------------------------------------------------------------- floods
T0 = dt.datetime(2025, 11, 16, 20, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def flood_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """Huế's two official gauges with their alarm levels (QĐ 05/2020/QĐ-TTg), one gauge elsewhere, a few
    readings through the real ingest (which sets each reading's alarm level), one warning, one SOS."""
    from pipelines.disasters.gauges import load_readings

    lake = Lake.open(tmp_path_factory.mktemp("floods") / "lake")
    lake.merge("silver.gauge_stations", pl.DataFrame([
        {"station_code": "71520", "name": "Kim Long", "kind": "river", "river": "Hương", "lat": 16.46,
         "lon": 107.55, "alarm1_m": 1.0, "alarm2_m": 2.0, "alarm3_m": 3.5, "historic_level_m": 5.9, "in_hue": True},
        {"station_code": "71518", "name": "Phú Ốc", "kind": "river", "river": "Bồ", "lat": 16.53, "lon": 107.47,
         "alarm1_m": 1.5, "alarm2_m": 3.0, "alarm3_m": 4.5, "historic_level_m": 5.6, "in_hue": True},
        {"station_code": "99999", "name": "Elsewhere", "kind": "river", "river": "X", "lat": 15.0, "lon": 108.0,
         "alarm1_m": 1.0, "alarm2_m": 2.0, "alarm3_m": 3.0, "historic_level_m": 5.0, "in_hue": False}]))
    readings = [("71520", 0, 0.8), ("71520", 1, 1.6), ("71520", 2, 2.4), ("71520", 3, 3.6), ("71520", 4, 3.2),
                ("71518", 0, 1.2), ("71518", 2, 3.1), ("71518", 4, 4.6), ("99999", 1, 3.2)]
    frame = pl.DataFrame([{"station_code": c, "observed_at": T0 + h * H, "water_level_m": lv, "line": i}
                          for i, (c, h, lv) in enumerate(readings)])
    assert load_readings(lake, frame, [], source="generic_csv", origin="test").written == len(readings)
    area = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"areaDesc": "Quanh Phú Ốc"},
                                                       "geometry": json.loads(_square(107.47, 16.53, 0.05))}]}
    lake.merge("silver.warnings", pl.DataFrame([{
        "warning_id": "W1", "direction": "issued", "source": "ioc", "identifier": "W1", "sender": "ioc",
        "sent": T0 + 2 * H, "status": "Actual", "msg_type": "Alert", "severity": "Severe", "event": "Lũ",
        "headline": "Lũ sông Bồ trên báo động 2", "expires": T0 + 6 * H, "areas_geojson": json.dumps(area)}]))
    lake.merge("silver.sos_requests", pl.DataFrame([{
        "sos_id": "S1", "requested_at": T0 + 3 * H, "lat": 16.53, "lon": 107.47, "people": 4, "status": "resolved",
        "handled_at": T0 + 5 * H, "source": "csv"}]))
    lake.merge("silver.cameras", pl.DataFrame([
        {"camera_id": "CAM-PO", "name": "Cầu Phú Ốc", "lat": 16.53, "lon": 107.48, "source": "t"},
        {"camera_id": "CAM-KL", "name": "Kim Long", "lat": 16.46, "lon": 107.55, "source": "t"}]))
    return lake


def test_gauges_at_a_moment_against_their_alarm_levels(flood_lake: Lake) -> None:
    at = T0 + 3.5 * H
    g = {r["station_code"]: r for r in floods.gauge_status(flood_lake, at).iter_rows(named=True)}
    assert set(g) == {"71520", "71518"}  # Huế's gauges only
    kl, po = g["71520"], g["71518"]
    # Kim Long 3.6 m at T0+3h: above alarm 3 (3.5 m) by 0.1 m; rose 2.8 m from 0.8 m three hours before
    assert (kl["latest_level_m"], kl["alarm_level"], kl["colour"], kl["level_name_vi"]) == (3.6, 3, "#c62828",
                                                                                            "Báo động 3")
    assert kl["diff_m"] == pytest.approx(0.1) and kl["trend"] == "rising" and kl["trend_3h_m"] == pytest.approx(2.8)
    assert kl["river"] == "Sông Hương" and kl["peak_level_m"] == 3.6 and not kl["stale"]
    # readings at or above a level count until the next reading: >=1 m from T0+1h to T0+3h, >=2 m from T0+2h
    assert (kl["hours_above_1"], kl["hours_above_2"], kl["hours_above_3"]) == (2.0, 1.0, 0.0)
    # Phú Ốc 3.1 m at T0+2h (4.6 m comes later): alarm 2 (3.0 m), no reading 3 h before it
    assert (po["latest_level_m"], po["alarm_level"], po["colour"]) == (3.1, 2, "#ef6c00")
    assert po["diff_m"] == pytest.approx(0.1) and po["trend"] is None and po["river"] == "Sông Bồ"
    assert (po["alarm1_m"], po["alarm2_m"], po["alarm3_m"]) == (1.5, 3.0, 4.5)
    later = {r["station_code"]: r for r in floods.gauge_status(flood_lake, T0 + 4 * H).iter_rows(named=True)}
    assert (later["71518"]["alarm_level"], later["71520"]["alarm_level"]) == (3, 2)  # 4.6 ≥ 4.5; 3.2 < 3.5
    assert floods.gauge_status(flood_lake, T0 - H).is_empty()
    assert floods.gauge_status(flood_lake, T0 + 11 * H)["stale"].to_list() == [True, True]  # silent 7 h
    assert set(floods.gauge_status(flood_lake, at, hue_only=False)["station_code"]) == {"71520", "71518", "99999"}


def test_map_layers_at_a_moment(flood_lake: Lake) -> None:
    layers = floods_layers.map_layers(flood_lake, T0 + 3.5 * H)
    assert [(x["station_code"], x["alarm_level"]) for x in layers["gauges"]] == [("71518", 2), ("71520", 3)]
    assert layers["gauges"][0]["latest_at"] == (T0 + 2 * H).isoformat()  # JSON-able: ISO text
    feats = layers["warning_areas"]["features"]
    assert [(f["properties"]["warning_id"], f["properties"]["colour"]) for f in feats] == [("W1", "#ef6c00")]
    assert [(s["sos_id"], s["open_at"]) for s in layers["sos"]] == [("S1", True)]
    assert [c["camera_id"] for c in layers["flooded_cameras"]] == ["CAM-PO"]
    assert layers["flood_reports"] == []
    assert floods_layers.headline_of(layers) == {"gauges": 2, "alarmed": 2, "warnings": 1, "sos_open": 1,
                                                 "flood_reports": 0}
    before = floods_layers.map_layers(flood_lake, T0 + H)  # the warning was not sent yet
    assert before["warning_areas"]["features"] == [] and before["flooded_cameras"] == [] and before["sos"] == []
    after = floods_layers.map_layers(flood_lake, T0 + 7 * H)  # expired; the SOS was handled
    assert after["warning_areas"]["features"] == [] and [s["open_at"] for s in after["sos"]] == [False]
    # at T0+7h Kim Long stands at 3.2 m (alarm 2), Phú Ốc at 4.6 m (alarm 3): both still alarmed
    assert floods_layers.headline_of(after) == {"gauges": 2, "alarmed": 2, "warnings": 0, "sos_open": 0,
                                                "flood_reports": 0}
    first = floods_layers.map_layers(flood_lake, T0)  # Kim Long 0.8 m < 1.0, Phú Ốc 1.2 m < 1.5
    assert floods_layers.headline_of(first) == {"gauges": 2, "alarmed": 0, "warnings": 0, "sos_open": 0,
                                                "flood_reports": 0}


def test_replay_bounds_and_hydrograph(flood_lake: Lake) -> None:
    lo, hi, peak = floods.replay_bounds(flood_lake)
    # the default moment: Huế's highest alarm level reached, first at T0+3h (Kim Long 3.6 m, alarm 3;
    # Phú Ốc's 4.6 m, also alarm 3 and 0.1 m above it, comes an hour later); the gauge outside Huế
    # (3.2 m, alarm 3 at T0+1h) does not count
    assert (lo, hi, peak) == (T0, T0 + 4 * H, T0 + 3 * H)
    hg = floods.hydrograph(flood_lake, "71518", T0, T0 + 4 * H)
    assert hg.select("water_level_m", "alarm_level").rows() == [(1.2, 0), (3.1, 2), (4.6, 3)]
