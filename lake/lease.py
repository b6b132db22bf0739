"""Leases: one holder at a time for a job that reads tables and writes what it derived from them.

Silver and gold of reports are derived state (a fold of all of bronze); two writers computing them side
by side would each overwrite the other's view. Every such writer runs inside ``lease(lake, "reports")``.
The lease is recorded in the lake and says who holds it (:func:`holder`):

- local lake: an exclusive ``flock`` on ``<root>/_leases/<name>.lock`` beside a JSON note of the holder.
  The kernel drops the lock when the holder dies, even by SIGKILL, so a crash never leaves it held.
- ``s3://`` lake: the object ``_leases/<name>.json`` created with ``If-None-Match: *`` (only one creator
  wins), renewed by a heartbeat with ``If-Match`` on its ETag, deleted on release. A holder that died
  stops renewing; after ``ttl_s`` (default 30 s, ``HUE_IOC_TEST_LEASE_TTL_S`` in tests) the next writer
  takes it over with a conditional put on the stale ETag.

Re-entrant within one thread, so a job that holds it may call steps that take it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lake.faults import after_commit

if TYPE_CHECKING:
    from lake.store import Lake

log = logging.getLogger(__name__)
DEFAULT_TTL_S = 30.0
_held: dict[tuple[str, str, int], int] = {}  # (root, name, thread) -> depth, for re-entry
_held_lock = threading.Lock()


class LeaseTimeout(TimeoutError):
    """The lease stayed with another holder longer than the caller would wait."""


def _ttl() -> float:
    return float(os.environ.get("HUE_IOC_TEST_LEASE_TTL_S") or DEFAULT_TTL_S)


def _note(name: str, ttl_s: float) -> dict[str, Any]:
    now = time.time()
    return {"lease": name, "host": socket.gethostname(), "pid": os.getpid(),
            "command": " ".join(sys.argv[:3])[:200], "acquired_at": dt.datetime.now(dt.UTC).isoformat(),
            "expires_at": now + ttl_s}


@contextlib.contextmanager
def lease(lake: Lake, name: str, *, wait_s: float = 1800.0, poll_s: float = 0.2) -> Iterator[None]:
    """Hold the lease ``name`` on ``lake`` for the ``with`` block; waits for another holder up to ``wait_s``."""
    key = (lake.root, name, threading.get_ident())
    with _held_lock:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:
            yield
            return
        impl = _LocalLease(lake, name) if lake.is_local else _S3Lease(lake, name)
        impl.acquire(wait_s, poll_s)
        after_commit(f"lease:{name}")
        try:
            yield
        finally:
            impl.release()
    finally:
        with _held_lock:
            if _held[key] <= 1:
                del _held[key]
            else:
                _held[key] -= 1


def holder(lake: Lake, name: str) -> dict[str, Any] | None:
    """Who holds the lease now (host, pid, command, acquired_at), or None when it is free."""
    impl = _LocalLease(lake, name) if lake.is_local else _S3Lease(lake, name)
    return impl.holder()


def _waiting(name: str, who: dict[str, Any] | None, said: bool) -> bool:
    if not said:
        who_s = f"{who.get('command')} (pid {who.get('pid')} on {who.get('host')})" if who else "another job"
        log.warning("đang chờ %s giữ khóa '%s' / waiting for %s to release lease '%s'", who_s, name, who_s, name)
    return True


class _LocalLease:
    def __init__(self, lake: Lake, name: str) -> None:
        folder = Path(lake.root) / "_leases"
        folder.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.lock_path = folder / f"{name}.lock"
        self.note_path = folder / f"{name}.json"
        self.fd: int | None = None

    def acquire(self, wait_s: float, poll_s: float) -> None:
        fd = os.open(self.lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        deadline = time.monotonic() + wait_s
        said = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise LeaseTimeout(f"lease {self.name!r} held by {self.holder()}") from None
                said = _waiting(self.name, self._read_note(), said)
                time.sleep(poll_s)
        self.fd = fd
        tmp = self.note_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(_note(self.name, 0.0)))
        tmp.replace(self.note_path)

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.note_path.unlink()
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def _read_note(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.note_path.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def holder(self) -> dict[str, Any] | None:
        fd = os.open(self.lock_path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None  # nobody holds it (a note left by a killed holder is stale)
        except BlockingIOError:
            return self._read_note() or {"lease": self.name}
        finally:
            os.close(fd)


class _S3Lease:
    def __init__(self, lake: Lake, name: str) -> None:
        import boto3

        opts = lake.storage_options
        bucket, _, prefix = lake.root.removeprefix("s3://").partition("/")
        self.bucket = bucket
        self.key = f"{prefix}/_leases/{name}.json".lstrip("/")
        self.name = name
        self.ttl = _ttl()
        self.s3 = boto3.client("s3", endpoint_url=opts.get("AWS_ENDPOINT_URL"),
                               region_name=opts.get("AWS_REGION", "us-east-1"),
                               aws_access_key_id=opts.get("AWS_ACCESS_KEY_ID"),
                               aws_secret_access_key=opts.get("AWS_SECRET_ACCESS_KEY"),
                               aws_session_token=opts.get("AWS_SESSION_TOKEN"))
        self.etag: str | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _put(self, **cond: str) -> str:
        body = json.dumps(_note(self.name, self.ttl)).encode()
        return self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=body, **cond)["ETag"]

    def _current(self) -> tuple[dict[str, Any], str] | None:
        from botocore.exceptions import ClientError

        try:
            got = self.s3.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return json.loads(got["Body"].read()), got["ETag"]

    def acquire(self, wait_s: float, poll_s: float) -> None:
        from botocore.exceptions import ClientError

        deadline = time.monotonic() + wait_s
        said = False
        while True:
            try:
                cur = self._current()
                if cur is None:
                    self.etag = self._put(IfNoneMatch="*")
                    break
                note, etag = cur
                if float(note.get("expires_at", 0)) < time.time():  # the holder died: take it over
                    self.etag = self._put(IfMatch=etag)
                    break
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "ConditionalRequestConflict"):
                    raise
                cur = None  # another writer won this round
            if time.monotonic() > deadline:
                raise LeaseTimeout(f"lease {self.name!r} held by {self.holder()}")
            said = _waiting(self.name, cur[0] if cur else None, said)
            time.sleep(poll_s)
        self._beat = threading.Thread(target=self._heartbeat, name=f"lease-{self.name}", daemon=True)
        self._beat.start()

    def _heartbeat(self) -> None:
        from botocore.exceptions import ClientError

        while not self._stop.wait(self.ttl / 3):
            try:
                self.etag = self._put(IfMatch=self.etag or "")
            except ClientError:
                log.error("lease %r was taken over: this job ran longer than its lease without renewing", self.name)
                return

    def release(self) -> None:
        from botocore.exceptions import ClientError

        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        with contextlib.suppress(ClientError):
            self.s3.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag or "")

    def holder(self) -> dict[str, Any] | None:
        cur = self._current()
        if cur is None or float(cur[0].get("expires_at", 0)) < time.time():
            return None
        return cur[0]
