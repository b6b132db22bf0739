"""Live ingest bench: N messages a second through a Mosquitto on loopback into `hue-ioc live`, with the broker
killed (SIGKILL) and started again in the middle.

Measures publish → silver row (p50, p95; the bench polls silver every ``--poll`` seconds, so a latency is
rounded up by up to one poll), publish → figure on the page (below), messages lost and duplicated (counted by message id: event ids for camera
events, (station, time) for gauge readings, and the sum of the per-minute counts against the count events
sent), and the files of the hot tables after the run (the service compacts them on its schedule).

Traffic: our detector's events on 4 cameras (half violations, half line counts) and gauge readings of Kim Long,
mixed 4 : 1; every ``PROBE_EVERY_S`` a probe reading of Phú Ốc whose level is unique in the run.

Publish → page: the real dashboard (``streamlit run dashboards/app.py``, wall mode, the flood panel only, refreshing
every 5 s as an operator would set it for a flood watch) is open in headless Chromium (Debian's, through
Playwright); the bench reads the rendered wall table every 0.25 s and records when Phú Ốc's level first shows a
probe's value (or a later probe's: the figure then reflects it). The latency therefore includes the wall's refresh
period (≤ 5 s), the page's reads of the lake and the browser's rendering. The broker is a Mosquitto of the bench's own (persistence saved every second,
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
from dashboards.serve import command, environment, wait_until_healthy  # noqa: E402
from lake import Lake  # noqa: E402
from pipelines.disasters import gauges  # noqa: E402
from pipelines.live.mqtt import create_session, end_session  # noqa: E402
from pipelines.live.service import HOT_TABLES  # noqa: E402

CAMERAS = [f"bench-cam-{i}" for i in range(1, 5)]
STATION, PROBE_STATION, PROBE_NAME = "71520", "71518", "Phú Ốc"  # Kim Long: the traffic; Phú Ốc: probes
PROBE_EVERY_S = 3.0
WALL_SECONDS = 5  # the wall's refresh period (its minimum)
CHROMIUM = Path(os.environ.get("HUE_IOC_TEST_CHROMIUM", "/usr/bin/chromium"))
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
        st = STATION
        level = 0.6 + 0.3 * ((i // 10) % 7) / 7  # below alarm 1 (1.0 m): no warning storm
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


def probe(k: int, now: dt.datetime) -> tuple[str, bytes, tuple[str, str], str]:
    """The k-th probe: a Phú Ốc reading whose level (0.30, 0.31, … m, below its alarm 1 of 1.5 m) no other probe
    of the run has; returns (topic, payload, key, the level as the page prints it: "0,57")."""
    level = round(0.30 + 0.01 * (k % 110), 2)
    at = now.isoformat()
    payload = {"station_code": PROBE_STATION, "observed_at": at, "water_level_m": level}
    return (f"hue-ioc/gauges/{PROBE_STATION}/level", json.dumps(payload).encode(), ("gauge", f"{PROBE_STATION}|{at}"),
            f"{level:.2f}".replace(".", ","))


class PageWatcher:
    """The wall in headless Chromium: records, every 0.25 s, the level the page shows for Phú Ốc and when it
    first showed it. Runs in its own thread (Playwright's sync API stays in the thread that started it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.first_shown: dict[str, float] = {}  # printed level → when the page first showed it
        self.loaded_s: float | None = None
        self.error: str | None = None
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="page-watcher")

    def _run(self) -> None:
        import re

        from playwright.sync_api import sync_playwright

        row = re.compile(re.escape(PROBE_NAME) + r"\s+(\d+,\d\d)")
        t0 = time.time()
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"])
                page = b.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(self.url)
                page.locator("[data-testid='stTable']").first.wait_for(timeout=180_000)
                self.loaded_s = round(time.time() - t0, 1)
                self.ready.set()
                while not self.stop.is_set():
                    for text in page.locator("[data-testid='stTable']").all_inner_texts():
                        for m in row.finditer(text):
                            self.first_shown.setdefault(m.group(1), time.time())
                    self.stop.wait(0.25)
                b.close()
        except Exception as exc:  # noqa: BLE001 - reported in the results, the silver figures still stand
            self.error = f"{type(exc).__name__}: {exc}"
            self.ready.set()


def start_dashboard(lake_root: str, log: object) -> tuple[subprocess.Popen, str]:
    """The dashboard as `hue-ioc dashboard --wall` serves it, the flood panel only, refreshing every 5 s."""
    port = free_port()
    env = environment(wall=True) | {"HUE_IOC_LAKE": lake_root, "HUE_IOC_LANGUAGE": "vi",
                                    "HUE_IOC_WALL_PAGES": "floods", "HUE_IOC_WALL_SECONDS": str(WALL_SECONDS)}
    proc = subprocess.Popen(command(wall=True, port=port), env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    if not wait_until_healthy(url, 120):
        proc.terminate()
        raise RuntimeError("the dashboard did not start")
    return proc, url


def page_latencies(probes: list[tuple[float, str]], shown: dict[str, float]) -> tuple[list[float], int]:
    """Publish → page per probe: the first time the page showed this probe's level or a later probe's
    (a later one shown first means this one's figure was overtaken before a refresh); and the probes never shown."""
    out, missed = [], 0
    for k, (sent_at, _) in enumerate(probes):
        seen = [shown[t] for _, t in probes[k:] if t in shown and shown[t] >= sent_at]
        if seen:
            out.append(min(seen) - sent_at)
        else:
            missed += 1
    return out, missed


def seen_ids(lake: Lake) -> set[tuple[str, str]]:
    out = set()
    if lake.exists("silver.violations"):
        out |= {("violation", e) for e in lake.sql(
            "SELECT event_id FROM silver.violations WHERE source = 'detector'")["event_id"].to_list()}
    if lake.exists("silver.gauge_readings"):
        r = lake.sql("SELECT station_code, observed_at FROM silver.gauge_readings WHERE source = 'mqtt'")
        out |= {("gauge", f"{s}|{t.isoformat()}") for s, t in r.rows()}
    return out


def run(rate: int, seconds: int, poll: float, compact_every: float, batch_wait: float, page: bool = True) -> dict:
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
    dash, watcher = None, None
    if page and CHROMIUM.exists():
        # the first readings, so the wall has a table to show before the run starts
        seed = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="hue-ioc-bench-seed")
        seed.connect("127.0.0.1", broker.port)
        seed.loop_start()
        for st in (STATION, PROBE_STATION):
            body = {"station_code": st, "observed_at": dt.datetime.now(dt.UTC).isoformat(), "water_level_m": 0.2}
            seed.publish(f"hue-ioc/gauges/{st}/level", json.dumps(body).encode(), qos=1).wait_for_publish(10)
        seed.loop_stop()
        seed.disconnect()
        dash, dash_url = start_dashboard(lake.root, log)
        watcher = PageWatcher(dash_url)
        watcher.thread.start()
        watcher.ready.wait(240)
    sent: dict[tuple[str, str], float] = {}
    probes: list[tuple[float, str]] = []  # (published at, level as printed)
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
        if i % int(rate * PROBE_EVERY_S) == 0:
            ptopic, ppayload, pkey, shown_as = probe(len(probes), dt.datetime.now(dt.UTC))
            sent[pkey] = time.time()
            probes.append((sent[pkey], shown_as))
            pub.publish(ptopic, ppayload, qos=1)
    publish_s = time.time() - t0
    n_all = n + len(probes)
    end = time.monotonic() + 120
    while acked < n_all and time.monotonic() < end:
        time.sleep(0.2)
    expected = {k for k in sent if k[0] != "count"}
    drain_end = time.monotonic() + 900  # a run that falls behind is reported late, not lost
    while time.monotonic() < drain_end and not expected <= first_seen.keys():
        time.sleep(0.5)
    drained_s = time.time() - t0 - publish_s
    if watcher is not None:  # the last probe's figure: at most a refresh and a render after its silver row
        wait_end = time.monotonic() + 60
        while time.monotonic() < wait_end and probes and probes[-1][1] not in watcher.first_shown:
            time.sleep(0.5)
        watcher.stop.set()
        watcher.thread.join(30)
    if dash is not None:
        dash.terminate()
        try:
            dash.wait(20)
        except subprocess.TimeoutExpired:
            dash.kill()
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
    page_lat, page_missed = page_latencies(probes, watcher.first_shown) if watcher is not None else ([], 0)
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
    page_info = ({"publish_to_page": percentiles_ms(page_lat) if page_lat else {}, "probes": len(probes),
                  "probes_never_shown": page_missed, "page_loaded_s": watcher.loaded_s, "page_error": watcher.error,
                  "page": f"wall (flood panel, refresh {WALL_SECONDS} s) in {CHROMIUM}"}
                 if watcher is not None else {"publish_to_page": {}, "page": f"not measured: no {CHROMIUM}"})
    return {"rate_per_s": rate, "seconds": seconds, "messages": n_all, **page_info, "publish_s": round(publish_s, 1),
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
    ap.add_argument("--no-page", action="store_true", help="skip the dashboard and browser (publish → page)")
    args = ap.parse_args([] if argv is None else argv)  # `make bench` calls main() with the bench names in argv
    quick = args.quick or os.environ.get("HUE_IOC_BENCH_LIVE_QUICK") == "1"
    seconds = 30 if quick else args.seconds
    res = run(args.rate, seconds, args.poll, args.compact_every or max(5.0, seconds / 6), args.batch_wait,
              page=not args.no_page)
    lat = res["publish_to_silver"]
    rows = [{"metric": k, "value": v} for k, v in (
        ("messages (rate × s)", f"{res['messages']} ({res['rate_per_s']}/s × {res['seconds']} s)"),
        ("achieved publish rate /s", res["achieved_rate_per_s"]),
        ("broker SIGKILL at / back after s", f"{res.get('killed_at_s')} / {res.get('restarted_after_s')}"),
        ("publish → silver p50 ms", lat.get("p50_ms")), ("publish → silver p95 ms", lat.get("p95_ms")),
        ("publish → page p50 ms", res["publish_to_page"].get("p50_ms")),
        ("publish → page p95 ms", res["publish_to_page"].get("p95_ms")),
        ("probes shown / sent", f"{res.get('probes', 0) - res.get('probes_never_shown', 0)} / {res.get('probes', 0)}"),
        ("drain after publishing ended s", res["drain_after_publish_s"]),
        ("lost", res["lost"]), ("duplicated", res["duplicated"]),
        ("files in hot tables", sum(res["files_after"].values())),
    )]
    write("live", res, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
