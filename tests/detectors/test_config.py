"""Camera configs are validated on load; errors name the camera and the field."""

from __future__ import annotations

import copy

import pytest
import yaml

from detectors.config import ConfigError, load_cameras, parse_cameras, resolve_source

BASE = {
    "cameras": [{
        "id": "cam-a", "name": "A", "source": "a.mp4",
        "location": {"name": "Huế", "lat": 16.46, "lon": 107.59},
        "zones": [{"id": "z", "polygon": [[0, 0], [0.5, 0], [0.5, 1]], "rule": {"type": "dwell", "seconds": 3}}],
        "lines": [{"id": "l", "points": [[0, 0.5], [1, 0.5]], "direction": "up", "rule": "count"}],
    }]
}


def with_(path: str, value) -> dict:
    data = copy.deepcopy(BASE)
    node = data["cameras"][0]
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if k.isdigit() else node[k]
    last = keys[-1]
    node[int(last) if last.isdigit() else last] = value
    return data


def test_valid_config_loads():
    cam = parse_cameras(BASE)[0]
    assert cam.zones[0].rule.seconds == 3 and cam.lines[0].direction == "up"


@pytest.mark.parametrize(("path", "value", "message"), [
    ("zones.0.polygon", [[0, 0], [1.2, 0], [0.5, 1]], r"camera 'cam-a': zones\[0\]\.polygon\[1\]\[0\]: 1\.2 outside 0\.0\.\.1\.0"),
    ("zones.0.rule", {"type": "dwell", "seconds": 3, "classes": ["tank"]},
     r"camera 'cam-a': zones\[0\]\.rule\.classes\[0\]: unknown class 'tank'"),
    ("lines.0.points", [[0, 0.5]], r"camera 'cam-a': lines\[0\]\.points: a line needs exactly two points"),
    ("lines.0.rule", "teleport", r"camera 'cam-a': lines\[0\]\.rule\.type: unknown rule 'teleport'"),
    ("zones.0.rule", "wrong_way", r"camera 'cam-a': zones\[0\]\.rule\.type: unknown rule 'wrong_way' for a zone"),
    ("lines.0.direction", "north", r"camera 'cam-a': lines\[0\]\.direction"),
    ("model", "resnet-9000", r"camera 'cam-a': model: unknown detector"),
    ("location", {"lat": 200, "lon": 107}, r"camera 'cam-a': location\.lat"),
    ("zones.0.rule", {"type": "dwell"}, r"camera 'cam-a': zones\[0\]\.rule\.seconds: dwell needs seconds > 0"),
    ("lines.0.rule", {"type": "stop_line"}, r"camera 'cam-a': lines\[0\]\.rule\.phase"),
])
def test_bad_configs_are_refused(path, value, message):
    with pytest.raises(ConfigError, match=message):
        parse_cameras(with_(path, value))


def test_yolox_classes_include_motorcycle():
    data = with_("model", "yolox-nano")
    data["cameras"][0]["zones"][0]["rule"] = {"type": "encroachment", "classes": ["motorcycle", "car"]}
    cam = parse_cameras(data)[0]
    assert cam.zones[0].rule.classes == ("motorcycle", "car")
    data["cameras"][0]["zones"][0]["rule"] = {"type": "encroachment", "classes": ["bike"]}  # a pvb-2000 name
    with pytest.raises(ConfigError, match="unknown class 'bike'"):
        parse_cameras(data)


def test_duplicate_camera_and_missing_fields(tmp_path):
    data = copy.deepcopy(BASE)
    data["cameras"].append(copy.deepcopy(data["cameras"][0]))
    with pytest.raises(ConfigError, match="camera 'cam-a': id: duplicate"):
        parse_cameras(data)
    with pytest.raises(ConfigError, match=r"camera 'cam-b': source: missing"):
        parse_cameras({"cameras": [{"id": "cam-b", "name": "B", "location": {"lat": 16, "lon": 107}}]})
    bad = tmp_path / "c.yaml"
    bad.write_text("cameras: [")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_cameras(bad)
    bad.write_text(yaml.safe_dump({"cameras": []}))
    with pytest.raises(ConfigError, match="non-empty 'cameras:'"):
        load_cameras(bad)


def test_example_config_is_valid(example_cams):
    assert [c.id for c in example_cams] == ["hue-le-loi-01", "hue-dong-ba-02"]
    for c in example_cams:
        assert 16.4 <= c.lat <= 16.5 and 107.55 <= c.lon <= 107.62


def test_asset_sources_resolve_under_the_given_folder(tmp_path):
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "a.mp4").write_bytes(b"")
    assert resolve_source("asset:videos/a.mp4", tmp_path) == str(tmp_path / "videos" / "a.mp4")
    assert resolve_source("rtsp://10.0.0.5/live", None) == "rtsp://10.0.0.5/live"  # not an asset: as given
    with pytest.raises(FileNotFoundError, match="videos/b.mp4 under .*hue-ioc assets fetch"):
        resolve_source("asset:videos/b.mp4", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"\(no assets folder given\)"):
        resolve_source("asset:videos/a.mp4", None)
