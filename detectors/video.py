"""Video sources through OpenCV: files, RTSP and HTTP streams.

Frames are sampled to a target fps (by time, so 12.5 → 5 fps keeps every 2nd or 3rd frame); skipped frames
are only grabbed, never converted. A dropped stream reconnects with exponential backoff; a corrupt or
missing frame is counted in ``stats`` and skipped, never fatal. What cannot work at all (a missing
file, a file OpenCV cannot open, a stream that stays down) raises ``VideoError`` with a clear reason.
``prefetch`` decodes ahead in a background thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np


class VideoError(RuntimeError):
    """A source that cannot be read at all (the message says which and why)."""


@dataclass
class Frame:
    index: int  # position in the source (frames decoded since the start, gaps included)
    t: float  # seconds since the start of the source (file: from its frame rate; stream: its timestamps)
    image: np.ndarray


@dataclass
class VideoStats:
    decoded: int = 0  # frames read from the source
    sampled: int = 0  # frames handed on after sampling
    corrupt: int = 0  # frames that failed to decode or came back empty/mis-sized
    missing: int = 0  # frames the container announced but never delivered (truncated file)
    reconnects: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"decoded": self.decoded, "sampled": self.sampled, "corrupt": self.corrupt,
                "missing": self.missing, "reconnects": self.reconnects}


def is_stream(uri: str) -> bool:
    return uri.split("://", 1)[0].lower() in {"rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp"}


class VideoSource:
    """Iterate sampled ``Frame``s of a file or stream.

    ``fps``: target sampling rate (None = every frame). ``max_frames``: stop after this many sampled
    frames. Streams reconnect up to ``reconnect_attempts`` times with backoff ``backoff_s`` doubling
    up to ``max_backoff_s``; files are read once (a truncated tail is counted as missing frames).
    """

    MAX_CONSECUTIVE_BAD = 25

    def __init__(self, uri: str | Path, fps: float | None = None, max_frames: int | None = None,
                 reconnect_attempts: int = 5, backoff_s: float = 0.5, max_backoff_s: float = 8.0,
                 timeout_ms: int = 5000) -> None:
        self.uri = str(uri)
        self.stream = is_stream(self.uri)
        self.fps = fps
        self.max_frames = max_frames
        self.reconnect_attempts = reconnect_attempts
        self.backoff_s, self.max_backoff_s = backoff_s, max_backoff_s
        self.timeout_ms = timeout_ms
        self.stats = VideoStats()
        self.source_fps: float = 0.0
        self.size: tuple[int, int] | None = None  # (w, h)
        self.frame_count: int = 0
        self._cap: cv2.VideoCapture | None = None

    # ------------------------------------------------------------ opening
    def _open_once(self) -> cv2.VideoCapture:
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self.timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.timeout_ms]
        cap = cv2.VideoCapture(self.uri, cv2.CAP_FFMPEG, params)
        if not cap.isOpened():
            cap.release()
            raise VideoError(f"cannot open {self.uri}")
        return cap

    def open(self) -> None:
        if not self.stream and not Path(self.uri).is_file():
            raise VideoError(f"không tìm thấy tệp video / video file not found: {self.uri}")
        if not self.stream:
            try:
                self._cap = self._open_once()
            except VideoError:
                raise VideoError("tệp video hỏng hoặc không hỗ trợ / "
                                 f"cannot decode video file {self.uri} (corrupt or unsupported)") from None
        else:
            self._cap = self._connect(initial=True)
        cap = self._cap
        self.source_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not (0.5 < self.source_fps < 240):
            self.source_fps = 25.0
        self.frame_count = max(int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0), 0)
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.size = (w, h) if w > 0 and h > 0 else None

    def _connect(self, initial: bool) -> cv2.VideoCapture:
        delay = self.backoff_s
        last = ""
        for attempt in range(self.reconnect_attempts + 1):
            try:
                cap = self._open_once()
                if not initial:
                    self.stats.reconnects += 1
                return cap
            except VideoError as exc:
                last = str(exc)
            if attempt < self.reconnect_attempts:
                time.sleep(delay)
                delay = min(delay * 2, self.max_backoff_s)
        what = "connect to" if initial else "reconnect to"
        raise VideoError(f"không kết nối được luồng camera / cannot {what} stream {self.uri} after "
                         f"{self.reconnect_attempts + 1} attempts ({last})")

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    # ------------------------------------------------------------ reading
    def __iter__(self) -> Iterator[Frame]:
        if self._cap is None:
            self.open()
        assert self._cap is not None
        period = 1.0 / self.fps if self.fps and self.fps < self.source_fps else 0.0
        next_due = 0.0
        index = -1
        bad_run = 0
        t_offset, since_connect, last_t = 0.0, 0, 0.0
        try:
            while self.max_frames is None or self.stats.sampled < self.max_frames:
                ok = self._cap.grab()
                index += 1
                if not ok:
                    if self.stream and self.frame_count and index >= self.frame_count:
                        break  # a finite stream (a file over HTTP) has ended
                    if self.stream:
                        self.stats.errors.append(f"stream dropped at frame {index}")
                        self._cap.release()
                        self._cap = self._connect(initial=False)
                        t_offset, since_connect = last_t + 1.0 / self.source_fps, 0
                        continue
                    # a file: the end, or a broken stretch; try a few more grabs before giving up
                    if self.frame_count and index < self.frame_count - 1 and bad_run < self.MAX_CONSECUTIVE_BAD:
                        bad_run += 1
                        self.stats.corrupt += 1
                        continue
                    if self.frame_count and index < self.frame_count:
                        self.stats.missing += self.frame_count - index
                    break
                if self.stream:  # the stream's own clock when it has one, restarted after a reconnect
                    pos = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
                    t = t_offset + (pos if pos > 0 else since_connect / self.source_fps)
                    since_connect += 1
                else:
                    t = index / self.source_fps
                last_t = t
                self.stats.decoded += 1
                if period and t + 1e-6 < next_due:
                    continue
                ok, image = self._cap.retrieve()
                if not ok or image is None or image.size == 0 or (
                        self.size is not None and image.shape[1::-1] != self.size):
                    self.stats.corrupt += 1
                    bad_run += 1
                    continue
                bad_run = 0
                next_due = (next_due + period) if period else t
                if period and next_due < t:  # the stream stalled: resynchronise
                    next_due = t + period
                self.stats.sampled += 1
                yield Frame(index, t, image)
        finally:
            self.close()
        if self.stats.decoded == 0:
            raise VideoError(f"không giải mã được khung hình nào / no frame could be decoded from {self.uri}")


def read_frames(uri: str | Path, fps: float | None = None, max_frames: int | None = None) -> list[Frame]:
    """All sampled frames of a file in memory (benchmarks, tests)."""
    return list(VideoSource(uri, fps=fps, max_frames=max_frames))


def prefetch(items: Iterable[Any], depth: int = 8) -> Iterator[Any]:
    """Iterate ``items`` in a background thread (video decoding releases the GIL), ``depth`` ahead.
    Exceptions raised by the producer are re-raised here."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(_Raised(exc))

    th = threading.Thread(target=produce, name="video-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, _Raised):
                raise item.exc
            yield item
    finally:
        stop.set()
        th.join(timeout=5)


@dataclass
class _Raised:
    exc: BaseException
