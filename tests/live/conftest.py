"""Fixtures for the live-ingest tests: the development Mosquitto (127.0.0.1:1883), a Mosquitto of the test's
own (a loopback port, a persistence file: it can be killed with SIGKILL and started again), a publisher that
waits for the broker's acknowledgement, a lake with the gauge stations, and condition waits with a deadline."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as paho
import pytest

from lake import Lake
from pipelines.live.mqtt import MqttConsumer, end_session
from pipelines.live.service import LiveConfig, LiveService
from pipelines.live.zones import Cameras, CameraZones, ZoneRule

SYSTEM_BROKER = os.environ.get("HUE_IOC_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
CAMERA = "hue-test-cam"  # the cameras of these tests; messages of any other camera are refused


def wait_for(cond: Callable[[], object], what: str, deadline_s: float = 60.0, every_s: float = 0.2) -> object:
    """Poll ``cond`` until it is truthy; fail naming ``what`` once the deadline has passed."""
    end = time.monotonic() + deadline_s
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail(f"not reached within {deadline_s:g} s: {what}")
        time.sleep(every_s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class OwnBroker:
    """A Mosquitto of the test's own: persistence saved after every change, no limit on queued messages."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.conf = folder / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
            f"persistence_location {folder}/\npersistence_file broker.db\n"
            "autosave_interval 1\nautosave_on_changes true\nmax_queued_messages 0\n"
            f"log_dest file {folder}/mosquitto.log\n"
            # as root mosquitto would switch to its own user, who cannot write the test's folder
            + ("user root\n" if os.geteuid() == 0 else ""))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.port), f"mosquitto listening on {self.port}", 20)

    def kill(self) -> None:
        """SIGKILL: no shutdown save, the broker keeps only what it had written to its persistence file."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[OwnBroker]:
    if not Path(MOSQUITTO).exists():
        pytest.fail("mosquitto is not installed (Debian package mosquitto)")
    b = OwnBroker(tmp_path / "broker")
    b.start()
    try:
        yield b
    finally:
        b.stop()


class Publisher:
    """QoS 1 publisher; :meth:`send` returns once the broker has acknowledged the message. A message published
    while the broker is away stays queued in paho and is sent (and acknowledged) after the reconnect."""

    def __init__(self, url: str) -> None:
        from pipelines.live.mqtt import parse_url

        host, port, _, _ = parse_url(url)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"hue-test-pub-{uuid.uuid4().hex[:8]}",
                                  protocol=paho.MQTTv311, clean_session=False)
        self.client.reconnect_delay_set(1, 2)
        self.client.max_queued_messages_set(0)
        self.acked: set[int] = set()
        self.client.on_publish = lambda client, userdata, mid, *rest: self.acked.add(mid)
        self.client.connect(host, port)
        self.client.loop_start()

    def send(self, topic: str, payload: bytes, deadline_s: float = 60.0) -> None:
        # info.is_published() raises for a message queued while disconnected, though paho sends it later
        mid = self.client.publish(topic, payload, qos=1).mid
        wait_for(lambda: mid in self.acked, f"the broker's acknowledgement of a message on {topic}", deadline_s,
                 every_s=0.005)
        self.acked.discard(mid)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    """A QoS 1 publisher on the development Mosquitto."""
    p = Publisher(SYSTEM_BROKER)
    yield p
    p.close()


def forget_session(url: str, client_id: str) -> None:
    """End the service's session on the broker, so tests leave no queue behind."""
    with contextlib.suppress(OSError, TimeoutError):
        end_session(url, client_id)


def zone_rules() -> Cameras:
    return {CAMERA: CameraZones(CAMERA, ("vehicle", "person", "bike"), (
        ZoneRule("sidewalk", "encroachment", ("vehicle", "bike"), 0.5),
        ZoneRule("no_parking", "dwell", ("vehicle",), 30.0, "illegal_parking")))}


class RunningService:
    """A :class:`LiveService` on a thread of the test (stopped and its session ended afterwards)."""

    def __init__(self, lake: Lake, url: str, config: LiveConfig | None = None, consume: bool = True) -> None:
        self.url = url
        self.client_id = f"hue-test-live-{uuid.uuid4().hex[:8]}"
        consumer = MqttConsumer(url, client_id=self.client_id) if consume else None
        self.service = LiveService(lake, zone_rules(), consumer, config or LiveConfig(batch_wait_s=0.3))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.service.run, args=(self.stop,), daemon=True)
        self.consumer = consumer

    def __enter__(self) -> RunningService:
        self.thread.start()
        if self.consumer is not None:
            wait_for(self.consumer.subscribed.is_set, "the live service subscribed at the broker", 20)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)
        if self.consumer is not None:
            forget_session(self.url, self.client_id)


@pytest.fixture
def gauge_lake(lake: Lake, data_dir: Path) -> Lake:
    from pipelines.disasters import gauges

    gauges.load_stations(lake)
    return lake
