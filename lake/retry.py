"""Commit conflicts are retried with jittered exponential backoff, so no writer shows one to a user.

delta-rs raises ``CommitFailedError`` when another writer committed a version this commit conflicts with
(two merges or an overwrite beside a merge on one table). The operation is run again on the newer table.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from deltalake.exceptions import CommitFailedError

T = TypeVar("T")


def retry_commit(op: Callable[[], T], *, retries: int = 8, first_delay: float = 0.05,
                 max_delay: float = 2.0) -> T:
    """Run ``op``; on a commit conflict wait (0.05 s doubling to 2 s, with jitter) and run it again."""
    delay = first_delay
    for attempt in range(retries + 1):
        try:
            return op()
        except CommitFailedError:
            if attempt == retries:
                raise
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")
