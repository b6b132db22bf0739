"""Gauge telemetry on ``hue-ioc/gauges/<station>/level``: ``{"station_code": "71520", "observed_at":
"2025-11-17T08:00:00+07:00", "water_level_m": 3.12}``. The time must carry its offset (loggers in the field
keep local time; a bare time would be read wrong by seven hours); the station in the payload, when given,
must be the topic's."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from pipelines.live.frigate import BadMessage


def parse(payload: bytes, station: str) -> dict[str, Any]:
    """{station_code, observed_at (UTC), water_level_m} or :class:`BadMessage`."""
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadMessage(f"not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadMessage("not a gauge reading: expected a JSON object")
    code = doc.get("station_code", station)
    if not isinstance(code, str | int) or str(code).strip() != station:
        raise BadMessage(f"station_code {code!r} differs from the topic's station {station!r}")
    t = doc.get("observed_at")
    if not isinstance(t, str):
        raise BadMessage(f"observed_at: expected an ISO 8601 time with an offset, got {t!r}")
    try:
        at = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        raise BadMessage(f"observed_at: not an ISO 8601 time: {t!r}") from None
    if at.tzinfo is None:
        raise BadMessage(f"observed_at: {t!r} has no UTC offset")
    level = doc.get("water_level_m")
    if isinstance(level, bool) or not isinstance(level, int | float) or not math.isfinite(level):
        raise BadMessage(f"water_level_m: expected a finite number of metres, got {level!r}")
    return {"station_code": station, "observed_at": at.astimezone(dt.UTC), "water_level_m": float(level)}
