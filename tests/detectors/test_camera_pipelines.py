"""The simulated history, the Dagster assets/sensor and the demo hook."""

from __future__ import annotations

import os
import shutil

import dagster as dg
import polars as pl
import pytest

from hue_ioc.defs import cameras as cam_domain
from hue_ioc.defs.resources import LakeResource
from pipelines.sources.camera_simulator import CameraSimConfig, simulate_camera_history


@pytest.fixture(scope="module")
def history():
    return simulate_camera_history()


def test_history_is_calibrated(history):
    v = history["violations"]
    confirmed = v.filter(pl.col("review_status") == "confirmed")
    assert confirmed.height == 13_068
    assert 2_500_000_000 < confirmed["fine_vnd"].sum() < 2_600_000_000
    assert set(v["source"]) == {"simulated"}
    assert v.filter(pl.col("review_status") == "dismissed")["fine_vnd"].sum() == 0
    local = v["start_at"].dt.convert_time_zone("Asia/Ho_Chi_Minh")
    assert str(local.min().date()) >= "2019-05-01" and str(local.max().date()) <= "2022-05-27"
    assert v["event_id"].n_unique() == v.height
    cams = history["cameras"]
    assert cams["lat"].is_between(16.4, 16.5).all() and cams["lon"].is_between(107.55, 107.62).all()
    # motorbikes dominate, and plates are mostly from Huế (75)
    assert (v["class_name"] == "bike").mean() > 0.75
    plates = v["plate_text"].drop_nulls()
    assert plates.str.starts_with("75").mean() > 0.75


def test_history_is_deterministic(history):
    again = simulate_camera_history()
    assert again["violations"].equals(history["violations"])
    other = simulate_camera_history(CameraSimConfig(seed=7))
    assert not other["violations"]["start_at"].equals(history["violations"]["start_at"])
    assert other["violations"].filter(pl.col("review_status") == "confirmed").height == 13_068


def test_simulated_plates_parse_as_vn(history):
    from core.vn_plates import parse_vn_plate

    sample = history["violations"]["plate_text"].drop_nulls().head(300).to_list()
    parsed = [parse_vn_plate(p) for p in sample]
    assert all(p is not None and p.text == s for p, s in zip(parsed, sample, strict=True))


def test_dagster_history_and_daily(tmp_path):
    res = {"lake": LakeResource(root=str(tmp_path / "lake"))}
    out = dg.materialize([cam_domain.camera_violation_history, cam_domain.violations_daily,
                          cam_domain.violations_valid], resources=res, selection=dg.AssetSelection.assets(
        ["silver", "violations"], ["gold", "violations_daily"]).__or__(
        dg.AssetSelection.checks_for_assets(["silver", "violations"])))
    assert out.success
    lake = res["lake"].lake()
    g = lake.sql("select sum(confirmed) c, sum(fines_vnd) f, sum(detected) d from gold.violations_daily")
    assert g["c"][0] == 13_068 and g["f"][0] > 2_500_000_000
    # idempotent: a second materialisation adds nothing
    assert dg.materialize([cam_domain.camera_violation_history], resources=res).success
    assert lake.sql("select count(*) n from silver.violations")["n"][0] == g["d"][0]


@pytest.mark.assets
def test_dagster_videos_job_and_inbox_sensor(tmp_path, car_video, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "hue-le-loi-01").mkdir(parents=True)
    shutil.copy(car_video, inbox / "hue-le-loi-01" / "morning.mp4")
    (inbox / "hue-le-loi-01" / "notes.txt").write_text("not a video")
    monkeypatch.setenv("HUE_IOC_CAMERA_INBOX", str(inbox))
    ctx = dg.build_sensor_context(cursor=None)
    reqs = list(cam_domain.camera_inbox_sensor(ctx))
    assert len(reqs) == 1
    files = reqs[0].run_config["ops"]["camera_detections"]["config"]["files"]
    assert files == [f"hue-le-loi-01={inbox / 'hue-le-loi-01' / 'morning.mp4'}"]
    # the cursor remembers it: nothing new on the next tick
    assert list(cam_domain.camera_inbox_sensor(dg.build_sensor_context(cursor=ctx.cursor))) == []
    res = {"lake": LakeResource(root=str(tmp_path / "lake"))}
    run_config = reqs[0].run_config
    run_config["ops"]["camera_detections"]["config"]["inference_precision"] = "f32"
    out = dg.materialize([cam_domain.camera_detections, cam_domain.violations_daily], resources=res,
                         run_config=run_config)
    assert out.success
    lake = res["lake"].lake()
    v = lake.sql("select violation_type, count(*) n from silver.violations group by 1 order by 1")
    assert dict(v.rows()) == {"congestion": 1, "illegal_stopping": 1, "red_light": 1, "wrong_way": 2}
    daily = lake.sql("select sum(pending) p from gold.violations_daily")
    assert daily["p"][0] == 4  # the congestion incident is not a violation


@pytest.mark.assets
def test_build_demo_cameras(tmp_path, capsys, models):
    from lake import Lake

    small = CameraSimConfig(recorded=300, fines_target_vnd=50_000_000)  # the full history is tested above
    lake = Lake.open(tmp_path / "lake")
    out = cam_domain.build_demo_cameras(lake, assets_available=True, history=small, models=models)
    assert out["history"]["violations"] == 321 and out["detections"]["violations"] == 5
    lake2 = Lake.open(tmp_path / "lake2")
    out2 = cam_domain.build_demo_cameras(lake2, assets_available=False, history=small)
    assert "detections" not in out2 and "hue-ioc assets fetch" in capsys.readouterr().out
    assert os.path.exists(tmp_path / "lake2" / "gold" / "violations_daily")


def test_code_location_has_the_camera_domain():
    from hue_ioc.definitions import defs

    job = defs.resolve_job_def("camera_videos_job")
    keys = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert {"bronze/camera_events_raw", "silver/traffic_counts", "gold/violations_daily"} <= keys
    assert defs.resolve_sensor_def("camera_inbox_sensor").job_name == "camera_videos_job"
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["silver", "violations"])).group_name == "cameras"
