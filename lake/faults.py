"""Fault injection for the crash tests (tests/faults): a process kills itself right after a named commit.

``HUE_IOC_TEST_KILL_AT=silver.reports`` makes the process SIGKILL itself right after its first commit to
``silver.reports``; ``silver.reports#2`` after its second. Several points may be given, comma separated
(the first one reached fires). Unset (always, outside the tests) this costs one dictionary lookup per
commit. The lake's write methods call :func:`after_commit`; a job may name its own points with the same
function (e.g. ``after_commit("lease:reports")``).
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "HUE_IOC_TEST_KILL_AT"
_seen: Counter[str] = Counter()


def _targets() -> dict[str, int]:
    out: dict[str, int] = {}
    for part in os.environ.get(ENV, "").split(","):
        name, _, nth = part.strip().partition("#")
        if name:
            out[name] = int(nth or 1)
    return out


def after_commit(point: str) -> None:
    """Count a commit at ``point``; SIGKILL this process when it is the one named in HUE_IOC_TEST_KILL_AT."""
    if ENV not in os.environ:
        return
    _seen[point] += 1
    if _targets().get(point) == _seen[point]:
        os.kill(os.getpid(), signal.SIGKILL)
