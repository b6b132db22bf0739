"""`hue-ioc detect`, `hue-ioc cameras check`, `hue-ioc assets fetch` (offline: --dry-run / present files)."""

from __future__ import annotations

import socket

import cv2
import pytest
import yaml

from hue_ioc.cli import main

EXAMPLE = "configs/cameras.example.yaml"


@pytest.mark.assets
def test_cameras_check_renders_zones(tmp_path, capsys):
    rc = main(["cameras", "check", EXAMPLE, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "OK: 2 cameras valid" in out
    img = cv2.imread(str(tmp_path / "hue-le-loi-01.png"))
    assert img.shape == (432, 768, 3)
    # the dwell zone (orange, BGR 0,165,255) outline is drawn on the frame at x = 0.4 * 768
    px = img[300, int(0.4 * 768) - 1: int(0.4 * 768) + 2]
    assert any(abs(int(p[1]) - 165) < 30 and p[2] > 200 and p[0] < 60 for p in px)


def test_cameras_check_refuses_bad_config(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"cameras": [{
        "id": "cam-x", "name": "X", "source": "x.mp4", "location": {"lat": 16.4, "lon": 107.6},
        "lines": [{"id": "l", "points": [[0, 0.5]], "direction": "up", "rule": "count"}]}]}))
    assert main(["cameras", "check", str(bad), "--out", str(tmp_path)]) == 2
    assert "camera 'cam-x': lines[0].points" in capsys.readouterr().err


@pytest.mark.assets
def test_detect_writes_the_lake(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))
    rc = main(["detect", "--camera", "hue-le-loi-01", "--config", EXAMPLE, "--max-frames", "50",
               "--precision", "f32", "--show-progress"])
    cap = capsys.readouterr()
    assert rc == 0
    assert "hue-le-loi-01: ok; 50 frames" in cap.out and "line_count/forward=1" in cap.out
    assert "hue-le-loi-01: 50 frames" in cap.err  # progress
    # the first 50 frames (10 s) hold only the white car going up: one count, no violation
    from lake import Lake

    lake = Lake.open(tmp_path / "lake")
    assert lake.sql("select count(*) n from silver.violations")["n"][0] == 0
    assert lake.sql("select sum(count) n from silver.traffic_counts")["n"][0] == 1


@pytest.mark.assets
def test_review_from_the_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))
    assert main(["detect", "--camera", "hue-le-loi-01", "--config", EXAMPLE, "--precision", "f32"]) == 0
    from lake import Lake

    lake = Lake.open(tmp_path / "lake")
    ev = lake.sql("select event_id, end_at from silver.violations where violation_type = 'red_light'")
    capsys.readouterr()
    assert main(["cameras", "review", ev["event_id"][0], "dismissed", "--by", "cb.tran", "--note", "xe ưu tiên"]) == 0
    assert "dismissed bởi / by cb.tran" in capsys.readouterr().out
    after = lake.sql("select * from silver.violations where event_id = $id", {"id": ev["event_id"][0]})
    assert after["review_status"][0] == "dismissed" and after["end_at"][0] == ev["end_at"][0]
    assert main(["cameras", "review", "no-such-id", "confirmed", "--by", "x"]) == 2  # a clear user error


@pytest.mark.assets
def test_detect_dead_stream_fails_clearly(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    rc = main(["detect", "--camera", "hue-le-loi-01", "--config", EXAMPLE, "--source",
               f"rtsp://127.0.0.1:{port}/x", "--reconnect-attempts", "0"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "camera 'hue-le-loi-01': không kết nối được luồng camera" in err
    assert f"cannot connect to stream rtsp://127.0.0.1:{port}/x after 1 attempts" in err
    from lake import Lake

    rej = Lake.open(tmp_path / "lake").sql("select source, reason from silver.rejects")
    assert rej["source"].to_list() == ["camera:hue-le-loi-01"] and "cannot connect" in rej["reason"][0]


def test_assets_fetch_plan_is_pinned(tmp_path, capsys):
    from hue_ioc.commands.cameras import fetch_plan

    plan = fetch_plan()
    assert len(plan) == 17 and all(len(sha) == 64 for _, _, sha in plan)
    urls = {rel: url for rel, url, _ in plan}
    assert urls["models/intel/person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.xml"] == (
        "https://storage.openvinotoolkit.org/repositories/open_model_zoo/2022.3/models_bin/1/"
        "person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.xml")
    assert main(["assets", "fetch", "--dest", str(tmp_path), "--dry-run"]) == 0  # no network in dry-run
    assert capsys.readouterr().out.count("→ https://") == 17


@pytest.mark.assets
def test_assets_fetch_verifies_present_files(assets_dir, capsys):
    assert main(["assets", "fetch", "--dest", str(assets_dir)]) == 0  # all present: sha256 checked, no download
    assert "17/17 files OK" in capsys.readouterr().out


@pytest.mark.assets
def test_detect_all_cameras_in_parallel(tmp_path, capsys, monkeypatch):
    """Both example cameras in their own threads, sharing the compiled models: the same events as alone."""
    monkeypatch.setenv("HUE_IOC_LAKE", str(tmp_path / "lake"))
    assert main(["detect", "--all", "--config", EXAMPLE, "--precision", "f32"]) == 0
    out = capsys.readouterr().out
    assert "hue-le-loi-01: ok; 151 frames" in out and "red_light=1" in out and "wrong_way=2" in out
    assert "hue-dong-ba-02: ok; 41 frames" in out and "encroachment=1" in out
    from lake import Lake

    n = Lake.open(tmp_path / "lake").sql("select camera_id, count(*) n from silver.violations group by 1 order by 1")
    assert n.rows() == [("hue-dong-ba-02", 1), ("hue-le-loi-01", 5)]
