"""A message as received from the broker, the topic families we read, and the key that makes a redelivered
message a no-op in bronze."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

FRIGATE_TOPIC = "frigate/events"
CAMERA_TOPIC = "hue-ioc/cameras/+/events"
GAUGE_TOPIC = "hue-ioc/gauges/+/level"
TOPICS = (FRIGATE_TOPIC, CAMERA_TOPIC, GAUGE_TOPIC)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    mid: int = 0  # the broker's packet id (what is acknowledged)
    generation: int = 0  # which connection delivered it: an ack only means something on that connection
    received_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def key(self) -> str:
        """Idempotency key: a redelivery carries the same topic and bytes, so it is the same bronze row."""
        return message_key(self.topic, self.payload)

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", "replace")

    @property
    def simulated(self) -> bool:
        """True when the payload declares ``"source": "simulated"`` at its top level (our live simulator does,
        on a real broker too), so what it becomes in silver is labelled simulated, never presented as real."""
        return declares_simulated(self.payload)


SIMULATED = "simulated"


def declares_simulated(payload: bytes | str) -> bool:
    try:
        doc = json.loads(payload)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("source") == SIMULATED


def message_key(topic: str, payload: bytes) -> str:
    h = hashlib.sha256(topic.encode("utf-8"))
    h.update(b"\x1f")
    h.update(payload)
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Route:
    kind: str  # frigate | camera | gauge | unknown
    subject: str | None = None  # camera id (camera topic) or station code (gauge topic)


def route(topic: str) -> Route:
    """Which family a topic belongs to, and the camera or station its path names."""
    parts = topic.split("/")
    if topic == FRIGATE_TOPIC:
        return Route("frigate")
    if len(parts) == 4 and parts[0] == "hue-ioc" and parts[1] == "cameras" and parts[3] == "events" and parts[2]:
        return Route("camera", parts[2])
    if len(parts) == 4 and parts[0] == "hue-ioc" and parts[1] == "gauges" and parts[3] == "level" and parts[2]:
        return Route("gauge", parts[2])
    return Route("unknown")
