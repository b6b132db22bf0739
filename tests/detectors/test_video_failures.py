"""Broken sources: clear errors, counted frames, and the other cameras of the run go on."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from detectors.runner import run_cameras
from detectors.video import VideoError, VideoSource

pytestmark = pytest.mark.assets


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def truncated(tmp_path_factory, car_video):
    p = tmp_path_factory.mktemp("vid") / "truncated.mp4"
    data = car_video.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    return p


@pytest.fixture(scope="module")
def garbage(tmp_path_factory):
    p = tmp_path_factory.mktemp("vid") / "garbage.mp4"
    p.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a video " * 500)
    return p


def test_sampling_to_target_fps(car_video):
    v = VideoSource(car_video, fps=5)
    frames = list(v)
    assert len(frames) == 151 and v.stats.decoded == 377
    gaps = {round(b.t - a.t, 2) for a, b in zip(frames, frames[1:], strict=False)}
    assert gaps <= {0.16, 0.24}  # 12.5 fps → every 2nd or 3rd frame, 0.2 s on average
    assert len(list(VideoSource(car_video, fps=5, max_frames=10))) == 10


def test_truncated_file_counts_missing_frames(truncated):
    v = VideoSource(truncated)
    n = len(list(v))
    assert 50 < n < 377
    assert v.stats.missing + v.stats.corrupt + v.stats.decoded == 377


def test_corrupt_and_missing_files_raise_clearly(garbage, tmp_path):
    with pytest.raises(VideoError, match="corrupt or unsupported"):
        list(VideoSource(garbage))
    with pytest.raises(VideoError, match="not found"):
        list(VideoSource(tmp_path / "nope.mp4"))


def test_dead_rtsp_gives_up_after_retries():
    port = closed_port()
    v = VideoSource(f"rtsp://127.0.0.1:{port}/live", reconnect_attempts=2, backoff_s=0.01)
    with pytest.raises(VideoError, match=rf"cannot connect to stream rtsp://127.0.0.1:{port}/live after 3 attempts"):
        list(v)


def test_other_cameras_continue(example_cams, models, truncated, garbage, lake):
    good = next(c for c in example_cams if c.id == "hue-le-loi-01")
    port = closed_port()
    cams = [
        dataclasses.replace(good, id="cam-dead-rtsp", source=f"rtsp://127.0.0.1:{port}/live"),
        dataclasses.replace(good, id="cam-corrupt", source=str(garbage)),
        dataclasses.replace(good, id="cam-truncated", source=str(truncated)),
        good,
    ]
    results = {r.camera_id: r for r in run_cameras(cams, lake, models, reconnect_attempts=1, backoff_s=0.01)}
    assert results["cam-dead-rtsp"].status == "error"
    assert "cannot connect to stream" in results["cam-dead-rtsp"].error
    assert results["cam-corrupt"].status == "error" and "corrupt" in results["cam-corrupt"].error
    trunc = results["cam-truncated"]
    assert trunc.status == "partial" and "missing frames" in trunc.error
    # the first third of the clip (10.9 s): only the white car going up at ~7 s
    assert [e["direction"] for e in trunc.events if e["event_type"] == "line_count"] == ["forward"]
    assert results["hue-le-loi-01"].status == "ok" and len(results["hue-le-loi-01"].events) == 9
    cams_in_lake = lake.sql("select camera_id from silver.cameras order by camera_id")["camera_id"].to_list()
    assert cams_in_lake == ["cam-corrupt", "cam-dead-rtsp", "cam-truncated", "hue-le-loi-01"]
    # the three broken sources, and only they, are recorded with their reason
    rejects = lake.sql("select source, reason from silver.rejects order by source").rows()
    assert [src for src, _ in rejects] == ["camera:cam-corrupt", "camera:cam-dead-rtsp", "camera:cam-truncated"]
    assert "missing frames" in rejects[2][1]


@pytest.fixture(scope="module")
def http_server(car_video):
    """A loopback HTTP server for the sample clip; /drop.mp4 cuts the first connection after a third."""
    import http.server
    import socketserver
    import threading

    data = car_video.read_bytes()
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            hits.append(self.path)
            first_drop = self.path == "/drop.mp4" and hits.count("/drop.mp4") == 1
            body = data[: len(data) // 3] if first_drop else data
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:
                pass

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", hits
    srv.shutdown()
    srv.server_close()


def test_http_source_sampled_by_stream_time(http_server):
    base, _ = http_server
    v = VideoSource(f"{base}/car.mp4", fps=5)
    assert len(list(v)) == 151 and v.stats.reconnects == 0


def test_dropped_stream_reconnects_and_goes_on(http_server):
    base, hits = http_server
    v = VideoSource(f"{base}/drop.mp4", fps=5, backoff_s=0.01)
    frames = list(v)
    assert v.stats.reconnects == 1 and hits.count("/drop.mp4") == 2
    assert v.stats.errors and v.stats.errors[0].startswith("stream dropped at frame")
    assert len(frames) > 151  # the part before the drop, then the whole clip again after reconnecting
    ts = [f.t for f in frames]
    assert ts == sorted(ts)  # the clock keeps going across the reconnect
