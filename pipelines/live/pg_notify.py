"""LISTEN/NOTIFY on the PostgreSQL path: the citizen app's tables notify ``hue_ioc_reports`` at commit
(``pg_notify.sql``, installed by :func:`install_notify` or ``hue-ioc live --pg-notify-install``), and the live
service polls as soon as a notification has arrived instead of waiting for its next turn.

Notifications only wake the poller: what is read is still decided by the watermarked fetch, so a notification
lost (listener reconnecting, triggers not installed) delays a change until the next scheduled poll, never loses
it. The listening connection is opened lazily and reopened after ``retry_s`` when it fails."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)
CHANNEL = "hue_ioc_reports"
SQL = Path(__file__).with_name("pg_notify.sql")


def install_notify(dsn: str, schema: str = "public") -> None:
    """Create the notify triggers on the app's report and event tables in ``schema`` (idempotent)."""
    with psycopg.connect(dsn) as conn, conn.transaction():
        conn.execute(sql.SQL("set local search_path to {}").format(sql.Identifier(schema)))
        conn.execute(SQL.read_text(encoding="utf-8"))  # type: ignore[arg-type] - a file of ours, no parameters


class NotifyListener:
    """A LISTEN connection polled without blocking: :meth:`pending` says whether a change was notified."""

    def __init__(self, dsn: str, channel: str = CHANNEL, retry_s: float = 30.0, connect_timeout: int = 5) -> None:
        self.dsn, self.channel, self.retry_s, self.connect_timeout = dsn, channel, retry_s, connect_timeout
        self._conn: psycopg.Connection | None = None
        self._next_try = 0.0
        self.received = 0

    def _connection(self) -> psycopg.Connection | None:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        if time.monotonic() < self._next_try:
            return None
        try:
            self._conn = psycopg.connect(self.dsn, autocommit=True, connect_timeout=self.connect_timeout)
            self._conn.execute(sql.SQL("listen {}").format(sql.Identifier(self.channel)))
            return self._conn
        except psycopg.Error as exc:
            log.warning("LISTEN %s unavailable (%s); polling on schedule only", self.channel, exc)
            self._drop()
            return None

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
        self._conn = None
        self._next_try = time.monotonic() + self.retry_s

    def pending(self) -> bool:
        """True when at least one notification arrived since the last call (never blocks)."""
        conn = self._connection()
        if conn is None:
            return False
        try:
            n = sum(1 for _ in conn.notifies(timeout=0))
        except psycopg.Error as exc:
            log.warning("LISTEN connection lost (%s); polling on schedule until it is back", exc)
            self._drop()
            return False
        self.received += n
        return n > 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
