"""In-process token buckets, one per partner key or anonymous client address.

A bucket holds up to a minute's worth of requests and refills continuously; an empty bucket answers
with the seconds until the next token (the 429's Retry-After). One process serves the API, so no
shared store is needed.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_BUCKETS = 10_000  # anonymous addresses are pruned beyond this (full buckets first)


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, who: str, per_minute: float) -> float:
        """Take one token from ``who``'s bucket: 0 when allowed, else the seconds to wait (> 0)."""
        capacity = max(per_minute, 1.0)
        rate = per_minute / 60.0
        now = self._clock()
        with self._lock:
            b = self._buckets.get(who)
            if b is None:
                if len(self._buckets) >= MAX_BUCKETS:
                    self._prune(now, capacity, rate)
                b = self._buckets[who] = _Bucket(capacity, now)
            b.tokens = min(capacity, b.tokens + (now - b.at) * rate)
            b.at = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / rate if rate > 0 else math.inf

    def _prune(self, now: float, capacity: float, rate: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * rate >= capacity]
        for k in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[k]
