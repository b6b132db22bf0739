"""The broker connection: MQTT v5, QoS 1, a persistent session and manual acknowledgement (paho-mqtt 2).

- Persistent session: a fixed client id, ``clean_start=False`` and a session that outlives a disconnect, so
  the broker keeps our subscriptions and queues what arrives while we are away (a restart of this service, a
  network cut).
- Manual acknowledgement: paho does not PUBACK on its own; :meth:`MqttConsumer.ack` sends it after the batch
  holding the message is committed. An unacknowledged message is sent again by the broker on the next
  connection, so nothing is lost; bronze's message key makes the second copy a no-op, so nothing is doubled.
- Receive Maximum: with manual acknowledgement the broker only sends that many unacknowledged messages; MQTT
  v3.1.1 leaves it to the broker's ``max_inflight_messages`` (Mosquitto: 20), too few for a micro-batch.
- Reconnect: paho's loop thread reconnects with exponential backoff between ``min_delay`` and ``max_delay``.
  An acknowledgement only means something on the connection that delivered the message: messages of an
  earlier connection are committed but not acknowledged (the broker delivers them again).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from urllib.parse import urlsplit

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from pipelines.live.messages import TOPICS, Message

log = logging.getLogger(__name__)
SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps our queue for a week of absence
RECEIVE_MAXIMUM = 65535


def parse_url(url: str) -> tuple[str, int, str | None, str | None]:
    """``mqtt://[user[:password]@]host[:port]`` → (host, port, user, password)."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"HUE_IOC_MQTT_URL: scheme {parts.scheme!r} not supported; write mqtt://host:port")
    if not parts.hostname:
        raise ValueError(f"HUE_IOC_MQTT_URL: no host in {url!r}; write mqtt://host:port")
    return parts.hostname, parts.port or 1883, parts.username, parts.password


class MqttConsumer:
    """Subscribes to ``topics`` and hands over messages in batches; :meth:`ack` after they are committed."""

    def __init__(self, url: str, client_id: str = "hue-ioc-live", topics: tuple[str, ...] = TOPICS,
                 min_delay: int = 1, max_delay: int = 30) -> None:
        self.host, self.port, user, password = parse_url(url)
        self.topics = topics
        self.generation = 0
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker has confirmed our subscriptions
        self._queue: queue.Queue[Message] = queue.Queue()
        self._lock = threading.Lock()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=paho.MQTTv5, manual_ack=True)
        if user:
            self.client.username_pw_set(user, password)
        self.client.reconnect_delay_set(min_delay=min_delay, max_delay=max_delay)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # paho callbacks (its network thread)
    def _on_connect(self, client: paho.Client, userdata: object, flags: object, reason: object,
                    properties: object) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("broker refused the connection: %s", reason)
            return
        with self._lock:
            self.generation += 1
        log.info("connected to %s:%s (session present: %s)", self.host, self.port,
                 getattr(flags, "session_present", None))
        client.subscribe([(t, 1) for t in self.topics])
        self.connected.set()

    def _on_subscribe(self, client: paho.Client, userdata: object, mid: int, reasons: object,
                      properties: object) -> None:
        self.subscribed.set()

    def _on_disconnect(self, client: paho.Client, userdata: object, flags: object, reason: object,
                       properties: object) -> None:
        self.connected.clear()
        self.subscribed.clear()
        log.warning("disconnected from the broker (%s); reconnecting with backoff", reason)

    def _on_message(self, client: paho.Client, userdata: object, msg: paho.MQTTMessage) -> None:
        self._queue.put(Message(msg.topic, bytes(msg.payload), msg.mid, self.generation))

    # the service's side
    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect_async(self.host, self.port, keepalive=15, clean_start=False, properties=props)
        self.client.loop_start()

    def get_batch(self, max_messages: int, max_wait_s: float) -> list[Message]:
        """Up to ``max_messages``, waiting at most ``max_wait_s`` after the first one arrives (and at most that
        long for a first one)."""
        out: list[Message] = []
        try:
            out.append(self._queue.get(timeout=max_wait_s))
        except queue.Empty:
            return out
        deadline = time.monotonic() + max_wait_s
        while len(out) < max_messages:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                out.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return out

    def ack(self, messages: list[Message]) -> int:
        """PUBACK the messages delivered on the current connection; returns how many were acknowledged."""
        n = 0
        with self._lock:
            current = self.generation
        for m in messages:
            if m.generation == current and self.connected.is_set():
                self.client.ack(m.mid, 1)
                n += 1
        return n

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _session_client(url: str, client_id: str) -> tuple[paho.Client, str, int]:
    host, port, user, password = parse_url(url)
    c = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    if user:
        c.username_pw_set(user, password)
    return c, host, port


def create_session(url: str, client_id: str, timeout_s: float = 20.0) -> None:
    """Open the service's persistent session with its subscriptions and leave: from now on the broker queues
    every message for it, before the service first runs (a deployment step, and what tests and benches do)."""
    c, host, port = _session_client(url, client_id)
    done = threading.Event()
    c.on_subscribe = lambda *_: done.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = SESSION_EXPIRY_S
    c.connect(host, port, clean_start=True, properties=props)
    c.loop_start()
    try:
        c.subscribe([(t, 1) for t in TOPICS])
        if not done.wait(timeout_s):
            raise TimeoutError(f"the broker at {host}:{port} did not confirm the subscriptions")
    finally:
        c.disconnect()
        c.loop_stop()


def end_session(url: str, client_id: str, timeout_s: float = 20.0) -> None:
    """End a persistent session and drop its queue (a clean start that expires at once)."""
    c, host, port = _session_client(url, client_id)
    done = threading.Event()
    c.on_connect = lambda *_: done.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    c.connect(host, port, clean_start=True, properties=props)
    c.loop_start()
    try:
        done.wait(timeout_s)
    finally:
        c.disconnect()
        c.loop_stop()
