"""Live ingest bench: N messages a second through a Mosquitto on loopback into `hue-ioc live`, with the broker
killed (SIGKILL) and started again in the middle.

Measures publish → silver row (p50, p95; the bench polls silver every ``--poll`` seconds, so a latency is
rounded up by up to one poll), messages lost and duplicated (counted by message id: event ids for camera
events, (station, time) for gauge readings, and the sum of the per-minute counts against the count events
sent), and the files of the hot tables after the run (the service compacts them on its schedule).

Traffic: our detector's events on 4 cameras (half violations, half line counts) and gauge readings of the two
Huế river gauges, mixed 4 : 1. The broker is a Mosquitto of the bench's own (persistence saved every second,
no queue limit), on a free loopback port; the ingest runs as its own process, as in production.

Run: .venv/bin/python bench/bench_live.py [--rate 500 --seconds 300 | --quick]
     (under `make bench`: the defaults, or 30 s with HUE_IOC_BENCH_LIVE_QUICK=1)
     → table on stdout, JSON in bench/results/live.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HUE_IOC_ASSETS", str(REPO.parent / "shared" / "assets"))

import paho.mqtt.client as paho  # noqa: E402
from deltalake import DeltaTable  # noqa: E402

from bench.common import percentiles_ms, write  # noqa: E402
from lake import Lake  # noqa: E402
from pipelines.disasters import gauges  # noqa: E402
from pipelines.live.mqtt import create_session, end_session  # noqa: E402
from pipelines.live.service import HOT_TABLES  # noqa: E402

CAMERAS = [f"bench-cam-{i}" for i in range(1, 5)]
STATIONS = ["71520", "71518"]
CLIENT_ID = "hue-ioc-live-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, up: bool, limit_s: float = 20) -> None:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        with socket.socket() as s:
            s.settimeout(0.2)
            if (s.connect_ex(("127.0.0.1", port)) == 0) == up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} not {'open' if up else 'closed'} after {limit_s} s")


class Broker:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {folder}/\nautosave_interval 1\nmax_queued_messages 0\n"
            f"log_dest file {folder}/mosquitto.log\n" + ("user root\n" if os.geteuid() == 0 else ""))
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([mosquitto, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port, True)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def cameras_yaml(path: Path) -> None:
    cams = "".join(f"""
  - id: {c}
    name: Camera {c}
    location: {{name: Huế, lat: 16.46, lon: 107.59}}
    source: rtsp://127.0.0.1:8554/{c}
    zones:
      - id: sidewalk
        polygon: [[0.8, 0.0], [1.0, 0.0], [1.0, 1.0], [0.8, 1.0]]
        rule: {{type: encroachment, seconds: 0.5, classes: [vehicle, bike]}}
""" for c in CAMERAS)
    path.write_text("cameras:" + cams, encoding="utf-8")


def message(i: int, now: dt.datetime) -> tuple[str, bytes, tuple[str, str]]:
    """The i-th message: (topic, payload, (kind, id)); ids are unique per message."""
    at = now.isoformat()
    if i % 5 == 4:
        st = STATIONS[(i // 5) % 2]
        level = 0.6 + 0.3 * ((i // 10) % 7) / 7  # below alarm 1 at both gauges: no warning storm
        payload = {"station_code": st, "observed_at": at, "water_level_m": round(level, 3)}
        return f"hue-ioc/gauges/{st}/level", json.dumps(payload).encode(), ("gauge", f"{st}|{at}")
    cam = CAMERAS[i % len(CAMERAS)]
    ev = {"event_id": f"b{i}", "camera_id": cam, "class_name": "vehicle", "track_id": i, "start_at": at,
          "end_at": at, "score": 0.9, "source": "detector"}
    if i % 2 == 0:
        ev |= {"rule_id": "sidewalk:encroachment", "rule": "encroachment", "violation_type": "encroachment",
               "category": "violation"}
        kind = "violation"
    else:
        ev |= {"rule_id": "midline:count", "rule": "count", "category": "count", "direction": "forward"}
        kind = "count"
    return f"hue-ioc/cameras/{cam}/events", json.dumps(ev).encode(), (kind, f"b{i}")


def seen_ids(lake: Lake) -> set[tuple[str, str]]:
    out = set()
    if lake.exists("silver.violations"):
        out |= {("violation", e) for e in lake.sql(
            "SELECT event_id FROM silver.violations WHERE source = 'detector'")["event_id"].to_list()}
    if lake.exists("silver.gauge_readings"):
        r = lake.sql("SELECT station_code, observed_at FROM silver.gauge_readings WHERE source = 'mqtt'")
        out |= {("gauge", f"{s}|{t.isoformat()}") for s, t in r.rows()}
    return out


def run(rate: int, seconds: int, poll: float, compact_every: float, batch_wait: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-live-"))
    (work / "broker").mkdir()
    broker = Broker(work / "broker")
    broker.start()
    url = f"mqtt://127.0.0.1:{broker.port}"
    lake = Lake.open(work / "lake")
    gauges.load_stations(lake)
    cameras_yaml(work / "cameras.yaml")
    create_session(url, CLIENT_ID)
    env = dict(os.environ, HUE_IOC_LAKE=lake.root, PYTHONPATH=str(REPO))
    log = (work / "live.log").open("ab")
    service = subprocess.Popen([sys.executable, "-m", "hue_ioc.cli", "live", "--mqtt", url, "--client-id", CLIENT_ID,
                                "--cameras", str(work / "cameras.yaml"), "--batch-max", "5000", "--batch-wait",
                                str(batch_wait), "--compact-every", str(compact_every)],
                               cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    sent: dict[tuple[str, str], float] = {}
    counts_sent = 0
    acked = 0
    lock = threading.Lock()

    def on_publish(*_: object) -> None:
        nonlocal acked
        with lock:
            acked += 1

    pub = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="hue-ioc-bench-pub", protocol=paho.MQTTv311,
                      clean_session=False)
    pub.max_queued_messages_set(0)
    pub.max_inflight_messages_set(1000)
    pub.reconnect_delay_set(1, 2)
    pub.on_publish = on_publish
    pub.connect("127.0.0.1", broker.port)
    pub.loop_start()

    first_seen: dict[tuple[str, str], float] = {}
    stop_poll = threading.Event()

    def poller() -> None:
        while not stop_poll.is_set():
            t = time.time()
            for key in seen_ids(lake) - first_seen.keys():
                first_seen[key] = t
            stop_poll.wait(poll)

    poll_thread = threading.Thread(target=poller, daemon=True)
    poll_thread.start()
    n = rate * seconds
    t0 = time.time()
    restart_at = n // 2
    restart = {}
    for i in range(n):
        target = t0 + i / rate
        delay = target - time.time()
        if delay > 0:
            time.sleep(delay)
        if i == restart_at:
            broker.kill()
            restart["killed_at_s"] = round(time.time() - t0, 2)
            broker.start()
            restart["restarted_after_s"] = round(time.time() - t0 - restart["killed_at_s"], 2)
        topic, payload, key = message(i, dt.datetime.now(dt.UTC))
        sent[key] = time.time()
        counts_sent += key[0] == "count"
        pub.publish(topic, payload, qos=1)
    publish_s = time.time() - t0
    end = time.monotonic() + 120
    while acked < n and time.monotonic() < end:
        time.sleep(0.2)
    expected = {k for k in sent if k[0] != "count"}
    drain_end = time.monotonic() + 300
    while time.monotonic() < drain_end and not expected <= first_seen.keys():
        time.sleep(0.5)
    drained_s = time.time() - t0 - publish_s
    stop_poll.set()
    poll_thread.join(10)
    pub.disconnect()
    pub.loop_stop()
    service.send_signal(signal.SIGTERM)
    try:
        service.wait(60)
    except subprocess.TimeoutExpired:
        service.kill()
    lat = [first_seen[k] - sent[k] for k in expected if k in first_seen]
    viol = lake.sql("SELECT count(*) n, count(DISTINCT event_id) d FROM silver.violations").row(0)
    read = lake.sql("SELECT count(*) n FROM silver.gauge_readings WHERE source = 'mqtt'").item()
    counted = lake.sql("SELECT coalesce(sum(count), 0)::BIGINT FROM silver.traffic_counts WHERE line_id = 'midline'").item()
    raw = lake.sql("SELECT count(*) n, count(DISTINCT raw_id) d FROM bronze.camera_events_raw").row(0)
    graw = lake.sql("SELECT count(*) n, count(DISTINCT raw_id) d FROM bronze.gauge_readings_raw").row(0)
    files = {name: len(DeltaTable(lake.uri(name)).file_uris()) for name in HOT_TABLES if lake.exists(name)}
    lost = len(expected - first_seen.keys()) + max(0, counts_sent - counted)
    dup = (viol[0] - viol[1]) + max(0, counted - counts_sent) + (raw[0] - raw[1]) + (graw[0] - graw[1])
    end_session(url, CLIENT_ID)
    broker.stop()
    log.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"rate_per_s": rate, "seconds": seconds, "messages": n, "publish_s": round(publish_s, 1),
            "achieved_rate_per_s": round(n / publish_s, 1), "acked_by_broker": acked, **restart,
            "drain_after_publish_s": round(drained_s, 1), "publish_to_silver": percentiles_ms(lat) if lat else {},
            "poll_s": poll, "lost": lost, "duplicated": dup, "violations": viol[0], "readings": read,
            "count_events_sent": counts_sent, "counted": counted, "bronze_rows": raw[0] + graw[0],
            "files_after": files, "compact_every_s": compact_every, "batch_wait_s": batch_wait,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=int, default=500, help="messages a second")
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="30 s instead of 5 min")
    ap.add_argument("--poll", type=float, default=0.5, help="seconds between the bench's looks at silver")
    ap.add_argument("--compact-every", type=float, default=None, help="default: a sixth of the run")
    ap.add_argument("--batch-wait", type=float, default=0.5)
    args = ap.parse_args([] if argv is None else argv)  # `make bench` calls main() with the bench names in argv
    quick = args.quick or os.environ.get("HUE_IOC_BENCH_LIVE_QUICK") == "1"
    seconds = 30 if quick else args.seconds
    res = run(args.rate, seconds, args.poll, args.compact_every or max(5.0, seconds / 6), args.batch_wait)
    lat = res["publish_to_silver"]
    rows = [{"metric": k, "value": v} for k, v in (
        ("messages (rate × s)", f"{res['messages']} ({res['rate_per_s']}/s × {res['seconds']} s)"),
        ("achieved publish rate /s", res["achieved_rate_per_s"]),
        ("broker SIGKILL at / back after s", f"{res.get('killed_at_s')} / {res.get('restarted_after_s')}"),
        ("publish → silver p50 ms", lat.get("p50_ms")), ("publish → silver p95 ms", lat.get("p95_ms")),
        ("drain after publishing ended s", res["drain_after_publish_s"]),
        ("lost", res["lost"]), ("duplicated", res["duplicated"]),
        ("files in hot tables", sum(res["files_after"].values())),
    )]
    write("live", res, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
