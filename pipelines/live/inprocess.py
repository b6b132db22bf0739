"""A message source inside the process, for when no broker is configured: the live simulator (``make demo``)
publishes into it and the same service code ingests it. Acknowledgements are counted, nothing is redelivered:
without a broker there is no one to redeliver."""

from __future__ import annotations

import queue
import time

from pipelines.live.messages import Message


class InProcessConsumer:
    def __init__(self) -> None:
        self._queue: queue.Queue[Message] = queue.Queue()
        self._mid = 0
        self.acked: list[int] = []

    def publish(self, topic: str, payload: bytes) -> None:
        self._mid += 1
        self._queue.put(Message(topic, payload, self._mid))

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def get_batch(self, max_messages: int, max_wait_s: float) -> list[Message]:
        out: list[Message] = []
        deadline = time.monotonic() + max_wait_s
        while len(out) < max_messages:
            try:
                out.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return out

    def ack(self, messages: list[Message]) -> int:
        self.acked += [m.mid for m in messages]
        return len(messages)
