"""Nothing lost, nothing doubled: a broker killed with SIGKILL mid-stream and started again, and the ingest
process killed with SIGKILL mid-stream and started again. Counted by message id: every event id and every
reading time published is in silver exactly once, and bronze holds each message once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from lake import Lake
from pipelines.live.mqtt import create_session
from tests.live.conftest import CAMERA, OwnBroker, Publisher, RunningService, forget_session, wait_for

pytestmark = pytest.mark.mqtt

REPO = Path(__file__).resolve().parents[2]
START = dt.datetime(2025, 11, 17, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def stream(n: int) -> list[tuple[str, bytes]]:
    """n messages: even ones detector violations (event id ev-i), odd ones Kim Long readings (one a minute)."""
    out = []
    for i in range(n):
        at = START + dt.timedelta(minutes=i)
        if i % 2 == 0:
            ev = {"event_id": f"ev-{i}", "camera_id": CAMERA, "rule_id": "sidewalk:encroachment",
                  "rule": "encroachment", "violation_type": "encroachment", "category": "violation",
                  "class_name": "vehicle", "track_id": i, "start_at": at.isoformat(), "end_at": at.isoformat(),
                  "score": 0.9, "source": "detector"}
            out.append((f"hue-ioc/cameras/{CAMERA}/events", json.dumps(ev).encode()))
        else:
            out.append(("hue-ioc/gauges/71520/level", json.dumps(
                {"station_code": "71520", "observed_at": at.isoformat(), "water_level_m": 0.5 + i / 1000}).encode()))
    return out


def expected_ids(n: int) -> tuple[set[str], set[dt.datetime]]:
    return ({f"ev-{i}" for i in range(0, n, 2)},
            {(START + dt.timedelta(minutes=i)).astimezone(dt.UTC) for i in range(1, n, 2)})


def assert_exactly_once(lake: Lake, n: int) -> None:
    events, times = expected_ids(n)
    v = lake.sql("SELECT event_id FROM silver.violations WHERE camera_id = $c", {"c": CAMERA})["event_id"]
    assert sorted(v.to_list()) == sorted(events)  # none lost, none twice
    r = lake.sql("SELECT observed_at FROM silver.gauge_readings WHERE station_code = '71520'")["observed_at"]
    assert sorted(r.to_list()) == sorted(times)
    raw = lake.sql("SELECT count(*) n, count(DISTINCT record_id) d FROM bronze.camera_events_raw").row(0)
    assert raw == (len(events), len(events))
    graw = lake.sql("SELECT count(*) n, count(DISTINCT payload) d FROM bronze.gauge_readings_raw").row(0)
    assert graw == (len(times), len(times))


def all_in_silver(lake: Lake, n: int) -> bool:
    events, times = expected_ids(n)
    if not (lake.exists("silver.violations") and lake.exists("silver.gauge_readings")):
        return False
    return (lake.sql("SELECT count(DISTINCT event_id) FROM silver.violations").item() == len(events)
            and lake.sql("SELECT count(DISTINCT observed_at) FROM silver.gauge_readings").item() == len(times))


def publish_all(url: str, msgs: list[tuple[str, bytes]], half: threading.Event) -> threading.Thread:
    def run() -> None:
        pub = Publisher(url)
        try:
            for i, (topic, payload) in enumerate(msgs):
                pub.send(topic, payload, deadline_s=120)
                if i == len(msgs) // 2:
                    half.set()
        finally:
            pub.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_broker_killed_mid_stream_loses_and_doubles_nothing(gauge_lake: Lake, own_broker: OwnBroker):
    lake, n = gauge_lake, 240
    half = threading.Event()
    with RunningService(lake, own_broker.url):
        pub = publish_all(own_broker.url, stream(n), half)
        wait_for(half.is_set, "half of the stream published")
        own_broker.kill()
        own_broker.start()  # same port, same persistence file
        pub.join(180)
        assert not pub.is_alive(), "the publisher did not get every message acknowledged"
        wait_for(lambda: all_in_silver(lake, n), "every published message in silver", 120)
    assert_exactly_once(lake, n)


def start_service(lake: Lake, url: str, client_id: str, cameras: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ, HUE_IOC_LAKE=lake.root, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "hue_ioc.cli", "live", "--mqtt", url, "--client-id", client_id,
                             "--cameras", str(cameras), "--batch-wait", "0.3", "--batch-max", "40"],
                            cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


CAMERAS_YAML = f"""
cameras:
  - id: {CAMERA}
    name: Camera kiểm thử
    location: {{name: Lê Lợi, lat: 16.4637, lon: 107.5931}}
    source: rtsp://127.0.0.1:8554/test
    zones:
      - id: sidewalk
        polygon: [[0.8, 0.0], [1.0, 0.0], [1.0, 1.0], [0.8, 1.0]]
        rule: {{type: encroachment, seconds: 0.5, classes: [vehicle, bike]}}
"""


def test_ingest_killed_mid_stream_loses_and_doubles_nothing(gauge_lake: Lake, own_broker: OwnBroker,
                                                            tmp_path: Path):
    lake, n = gauge_lake, 240
    cams = tmp_path / "cameras.yaml"
    cams.write_text(CAMERAS_YAML, encoding="utf-8")
    client_id, log = f"hue-test-live-{uuid.uuid4().hex[:8]}", tmp_path / "live.log"
    create_session(own_broker.url, client_id)
    half = threading.Event()
    pub = publish_all(own_broker.url, stream(n), half)
    proc = start_service(lake, own_broker.url, client_id, cams, log)
    try:
        wait_for(lambda: lake.exists("bronze.camera_events_raw") and lake.sql(
            "SELECT count(*) FROM bronze.camera_events_raw").item() >= n // 8, "part of the stream in bronze", 120)
        proc.send_signal(signal.SIGKILL)  # mid-stream: batches committed, batches not, acks sent or not
        proc.wait(10)
        proc = start_service(lake, own_broker.url, client_id, cams, log)
        pub.join(180)
        assert not pub.is_alive(), "the publisher did not get every message acknowledged"
        wait_for(lambda: all_in_silver(lake, n), "every published message in silver", 180)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        forget_session(own_broker.url, client_id)
    assert_exactly_once(lake, n)
    assert "stopped after" in log.read_text(encoding="utf-8")  # the second run shut down cleanly on SIGTERM
