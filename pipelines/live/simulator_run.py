"""Running the live simulator against the live service (``hue-ioc simulate live``, ``make demo``).

Without a broker the simulator publishes into an :class:`InProcessConsumer` and a :class:`LiveService` in a
thread of this process ingests it: the same micro-batch code as ``hue-ioc live``. With a broker the camera and
gauge messages go to it (QoS 1) for a ``hue-ioc live`` running elsewhere; the simulated reports are still
ingested here, through the same service's report polling (the citizen app's PostgreSQL is not simulated)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as paho

from lake import Lake
from pipelines.live.inprocess import InProcessConsumer
from pipelines.live.mqtt import parse_url
from pipelines.live.service import LiveConfig, LiveService
from pipelines.live.simulator import LiveSimulator, Rates
from pipelines.live.simulator_reports import SimulatedReports
from pipelines.live.zones import Cameras
from pipelines.reports.build import load_reference, missing_reference
from pipelines.sources.simulator import SimulatorConfig, roster

log = logging.getLogger(__name__)


class MqttPublisher:
    """Publishes with QoS 1 to the broker of ``url`` (reconnecting by itself)."""

    def __init__(self, url: str, client_id: str = "hue-ioc-simulator") -> None:
        host, port, user, password = parse_url(url)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        if user:
            self.client.username_pw_set(user, password)
        self.client.connect(host, port)
        self.client.loop_start()

    def __call__(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@dataclass
class SimulationResult:
    sent: dict[str, int]
    reports: dict[str, int]
    service: dict[str, int]


def unit_ids(lake: Lake) -> list[str]:
    """The units reports can be assigned to (none in a lake without the reports pipeline's roster)."""
    if not lake.exists("silver.units"):
        return []
    return sorted(lake.read("silver.units", columns=["unit_id"])["unit_id"].drop_nulls().to_list())


def run_simulation(lake: Lake, cameras: Cameras, stop: threading.Event, *, speed: float = 1.0,
                   scenario: str = "normal", broker: str | None = None, rates: Rates | None = None,
                   tick_s: float = 0.5, duration_s: float | None = None,
                   on_tick: Callable[[LiveSimulator], None] | None = None) -> SimulationResult:
    """Simulate until ``stop`` is set (or ``duration_s`` has passed); returns what was made and ingested."""
    if missing_reference(lake):
        # the simulated city brings its own units and categories, as the simulated reports build does: without
        # them every simulated report would be rejected for an unknown category
        load_reference(lake, roster(SimulatorConfig()))
    reports = SimulatedReports(unit_ids(lake), speed=speed)
    consumer = None if broker else InProcessConsumer()
    publisher = MqttPublisher(broker) if broker else None
    publish = publisher if publisher is not None else consumer.publish  # type: ignore[union-attr]
    # Reports are polled every 2 s (the PostgreSQL path polls every 5 s); report gold every 30 s.
    service = LiveService(lake, cameras, consumer, LiveConfig(batch_wait_s=1.0, postgres=reports,  # type: ignore[arg-type]
                                                              postgres_every_s=2.0, report_gold_every_s=30.0))
    sim = LiveSimulator(cameras, publish, reports, scenario=scenario, speed=speed, rates=rates)
    worker = threading.Thread(target=service.run, args=(stop,), name="live-service", daemon=True)
    worker.start()
    t0 = time.monotonic()
    try:
        while not stop.is_set():
            elapsed = time.monotonic() - t0
            if duration_s is not None and elapsed >= duration_s:
                break
            sim.step(elapsed)
            if on_tick is not None:
                on_tick(sim)
            stop.wait(tick_s)
    finally:
        stop.set()
        worker.join(timeout=60)
        if publisher is not None:
            publisher.close()
    return SimulationResult(dict(sim.sent), dict(reports.made), dict(service.stats))
