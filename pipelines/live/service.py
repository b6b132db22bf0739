"""The live service loop: micro-batches from the broker (bounded by size and time) through the lake and then
acknowledged; PostgreSQL every few seconds; CAP feeds every minute; compaction of the hot tables on a
schedule. One loop, one writer: the steps never run concurrently against the same table."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from lake import Lake, Reject
from pipelines.disasters.common import write_rejects
from pipelines.disasters.warning_drafts import issue_approved
from pipelines.live.batch import BatchResult, process_batch
from pipelines.live.messages import Message
from pipelines.live.pg_notify import NotifyListener
from pipelines.live.polls import poll_cap_feeds, poll_postgres, refresh_report_gold
from pipelines.live.zones import Cameras
from pipelines.sources.postgres import PostgresReportSource

log = logging.getLogger(__name__)
ALONE_AFTER = 3  # failures of a whole batch before its messages are tried one by one

# Tables the live service appends to all day: compacted on a schedule so an hour of traffic is a few files.
HOT_TABLES = ("bronze.camera_events_raw", "bronze.gauge_readings_raw", "silver.violations",
              "silver.traffic_counts", "silver.gauge_readings", "silver.rejects", "gold.flood_status",
              "gold.violations_daily")


class Consumer(Protocol):
    """What the service needs of a message source (``MqttConsumer``, or an in-process feed)."""

    def start(self) -> None: ...
    def get_batch(self, max_messages: int, max_wait_s: float) -> list[Message]: ...
    def ack(self, messages: list[Message]) -> int: ...
    def stop(self) -> None: ...


@dataclass
class LiveConfig:
    batch_max: int = 1000  # messages per micro-batch at most
    batch_wait_s: float = 1.0  # and at most this long after the first one
    postgres: PostgresReportSource | None = None
    postgres_every_s: float = 5.0
    postgres_listen: bool = True  # LISTEN for the app's NOTIFY (pg_notify.sql): poll at once on a change
    report_gold_every_s: float = 60.0
    cap_feeds: list[str] = field(default_factory=list)
    cap_every_s: float = 60.0
    compact_every_s: float = 600.0
    issue_every_s: float = 2.0  # warnings approved by an operator are issued within this
    retry_max_s: float = 30.0  # backoff ceiling when the lake refuses a batch


@dataclass
class _Clock:
    every_s: float
    last: float = float("-inf")

    def due(self, now: float) -> bool:
        if now - self.last >= self.every_s:
            self.last = now
            return True
        return False


def compact_hot(lake: Lake) -> dict[str, int]:
    """Compact each hot table; returns the files each compaction removed."""
    out = {}
    for name in HOT_TABLES:
        if lake.exists(name):
            out[name] = int(lake.compact(name).get("numFilesRemoved", 0))
    return out


class LiveService:
    def __init__(self, lake: Lake, cameras: Cameras, consumer: Consumer | None, config: LiveConfig | None = None,
                 on_batch: Callable[[BatchResult, list[Message]], None] | None = None) -> None:
        self.lake, self.cameras, self.consumer = lake, cameras, consumer
        self.config = config or LiveConfig()
        self.on_batch = on_batch
        self.stats = {"batches": 0, "messages": 0, "acked": 0, "failures": 0}
        self._clocks = {"postgres": _Clock(self.config.postgres_every_s),
                        "gold": _Clock(self.config.report_gold_every_s),
                        "cap": _Clock(self.config.cap_every_s), "compact": _Clock(self.config.compact_every_s),
                        "issue": _Clock(self.config.issue_every_s)}
        self._clocks["compact"].last = time.monotonic()  # the first compaction after one period
        self._reports_dirty = False
        pg = self.config.postgres
        self._listener = NotifyListener(pg.dsn) if pg is not None and self.config.postgres_listen and \
            isinstance(getattr(pg, "dsn", None), str) else None

    def run(self, stop: threading.Event) -> None:
        if self.consumer is not None:
            self.consumer.start()
        try:
            while not stop.is_set():
                self.step(stop)
        finally:
            if self.consumer is not None:
                self.consumer.stop()
            if self._listener is not None:
                self._listener.close()

    def step(self, stop: threading.Event) -> None:
        """One turn: a micro-batch (waiting at most ``batch_wait_s``), then whatever schedule is due."""
        c = self.config
        if self.consumer is not None:
            batch = self.consumer.get_batch(c.batch_max, c.batch_wait_s)
            if batch:
                self._commit(batch, stop)
        else:
            stop.wait(c.batch_wait_s)
        now = time.monotonic()
        if c.postgres is not None and (self._notified(now) or self._clocks["postgres"].due(now)):
            self._guarded("postgres", self._poll_postgres)
        if self._reports_dirty and self._clocks["gold"].due(now):
            self._guarded("report gold", self._report_gold)
        if c.cap_feeds and self._clocks["cap"].due(now):
            self._guarded("CAP feeds", lambda: log.info("CAP feeds: %s", poll_cap_feeds(self.lake, c.cap_feeds)))
        if self._clocks["issue"].due(now):
            self._guarded("approved warnings", self._issue_approved)
        if self._clocks["compact"].due(now):
            self._guarded("compaction", lambda: log.info("compacted: %s", compact_hot(self.lake)))

    def _commit(self, batch: list[Message], stop: threading.Event) -> None:
        """Process the batch until the lake takes it, then acknowledge it (never before). After
        ``ALONE_AFTER`` failures the messages go one by one: one that still fails on its own is a reject with
        the error as its reason, so a message the code cannot handle does not hold up the stream."""
        delay, failures = 0.5, 0
        while True:
            try:
                res: BatchResult | None = process_batch(self.lake, batch, self.cameras, dt.datetime.now(dt.UTC))
                break
            except Exception:  # noqa: BLE001 - the batch stays unacknowledged and is tried again
                failures += 1
                self.stats["failures"] += 1
                log.exception("batch of %d messages not committed (failure %d)", len(batch), failures)
            if failures >= ALONE_AFTER and self._one_by_one(batch):
                res = None
                break
            if stop.wait(delay):
                return  # shutting down: the broker redelivers what was not acknowledged
            delay = min(delay * 2, self.config.retry_max_s)
        assert self.consumer is not None
        self.stats["acked"] += self.consumer.ack(batch)
        self.stats["batches"] += 1
        self.stats["messages"] += len(batch)
        if res is not None:
            log.info("batch %s: %s", res.batch_id, res.as_dict())
            if self.on_batch is not None:
                self.on_batch(res, batch)

    def _one_by_one(self, batch: list[Message]) -> bool:
        """Each message alone; False when even a reject cannot be written (the lake itself is failing)."""
        for m in batch:
            try:
                process_batch(self.lake, [m], self.cameras, dt.datetime.now(dt.UTC))
            except Exception as exc:  # noqa: BLE001 - this message is the problem: keep it as a reject
                try:
                    write_rejects(self.lake, [Reject(f"mqtt:{m.topic}", "bronze",
                                                     f"could not be processed: {type(exc).__name__}: {exc}",
                                                     m.text, record_ref=m.key)])
                except Exception:  # noqa: BLE001
                    log.exception("cannot write a reject either; the batch is tried again later")
                    return False
        return True

    def _notified(self, now: float) -> bool:
        """A NOTIFY from the app's database arrived: poll now (and restart the schedule from here)."""
        if self._listener is None or not self._listener.pending():
            return False
        self._clocks["postgres"].last = now
        return True

    def _poll_postgres(self) -> None:
        assert self.config.postgres is not None
        res = poll_postgres(self.lake, self.config.postgres)
        if res.reports or res.events:
            self._reports_dirty = True
            log.info("PostgreSQL: %s", res)

    def _issue_approved(self) -> None:
        if n := issue_approved(self.lake):
            log.info("issued %d approved warning(s)", n)

    def _report_gold(self) -> None:
        log.info("report gold: %s", refresh_report_gold(self.lake))
        self._reports_dirty = False

    @staticmethod
    def _guarded(what: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - a source that is down is polled again on its next turn
            log.exception("%s failed; trying again on the next turn", what)
