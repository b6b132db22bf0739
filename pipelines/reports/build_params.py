"""A built lake remembers how it was built: the simulator's scale, seed and date range, stored in the lake.

The bronze step records the parameters it simulated with (``record``); ``hue-ioc build``/``demo`` read them
back (``resolve``) so a later build reuses them unless told otherwise, and says so when they change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from lake import Lake

ARTIFACT = ("state", "simulator_build.json")  # artifact kind and name, beside the tables
KEYS = ("scale", "seed", "start", "end", "until")


def recorded(lake: Lake) -> dict[str, Any] | None:
    """The simulator parameters the lake was last built with, or None for a lake never built by it."""
    try:
        data = json.loads(lake.get_artifact(lake.artifact_uri(*ARTIFACT)))
    except (FileNotFoundError, OSError, ValueError):
        return None
    return {k: data[k] for k in KEYS if k in data} or None


def record(lake: Lake, params: Mapping[str, Any]) -> None:
    lake.put_artifact(*ARTIFACT, json.dumps({k: params[k] for k in KEYS if k in params}, sort_keys=True).encode())


def resolve(lake: Lake, requested: Mapping[str, Any | None]) -> tuple[dict[str, Any], str | None]:
    """Parameters for the next build: the recorded ones, overridden by those given (not None).

    Returns them and a sentence for the user (Vietnamese, then English) when they reuse or change what
    the lake was built with; None for a lake without a record and nothing given."""
    given = {k: v for k, v in requested.items() if v is not None and k in KEYS}
    before = recorded(lake)
    if before is None:
        return given, None
    params = {**before, **given}
    shown = ", ".join(f"{k} {params[k]}" for k in KEYS if k in params)
    changed = {k: (before.get(k), v) for k, v in given.items() if before.get(k) != v}
    if not changed:
        return params, f"dùng lại tham số đã dựng hồ dữ liệu / reusing the lake's build parameters: {shown}"
    diff = ", ".join(f"{k} {a} → {b}" for k, (a, b) in changed.items())
    return params, (f"tham số dựng thay đổi, dữ liệu mô phỏng được tạo lại / build parameters changed, the "
                    f"simulation is regenerated: {diff}")
