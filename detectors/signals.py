"""Signal phases for the stop-line rule: a fixed-time plan, or the phase log of an external controller."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from core.tz import VN_TZ


class FixedTimePlan:
    """A fixed-time signal plan: green, amber, red seconds repeating; ``offset`` is the second of the
    local day (Asia/Ho_Chi_Minh) at which a green phase starts."""

    def __init__(self, green: float, red: float, amber: float = 3.0, offset: float = 0.0) -> None:
        self.green, self.amber, self.red, self.offset = float(green), float(amber), float(red), float(offset)
        self.cycle = self.green + self.amber + self.red

    def phase(self, at: dt.datetime) -> str:
        local = at.astimezone(VN_TZ)
        sec = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        x = (sec - self.offset) % self.cycle
        if x < self.green:
            return "green"
        return "amber" if x < self.green + self.amber else "red"


class PhaseFeed:
    """Signal phases from an external controller: a time-ordered log of (time, phase) changes.

    Load from a CSV (``at,phase``) or JSON-lines file, or push live changes with ``set``. The phase at
    a moment is the last change at or before it; before the first change it is ``unknown`` (no
    red-light event is raised on an unknown phase)."""

    def __init__(self, changes: list[tuple[dt.datetime, str]] | None = None) -> None:
        self._times: list[dt.datetime] = []
        self._phases: list[str] = []
        for at, ph in sorted(changes or []):
            self.set(at, ph)

    def set(self, at: dt.datetime, phase: str) -> None:
        if phase not in ("green", "amber", "red"):
            raise ValueError(f"unknown signal phase {phase!r}")
        if at.tzinfo is None:
            at = at.replace(tzinfo=VN_TZ)
        i = bisect.bisect_right(self._times, at)
        self._times.insert(i, at)
        self._phases.insert(i, phase)

    def phase(self, at: dt.datetime) -> str:
        i = bisect.bisect_right(self._times, at) - 1
        return self._phases[i] if i >= 0 else "unknown"

    @classmethod
    def from_file(cls, path: str | Path) -> PhaseFeed:
        path = Path(path)
        rows: list[tuple[dt.datetime, str]] = []
        text = path.read_text(encoding="utf-8")
        if path.suffix in (".jsonl", ".json"):
            for line in text.splitlines():
                if line.strip():
                    obj = json.loads(line)
                    rows.append((dt.datetime.fromisoformat(obj["at"]), obj["phase"]))
        else:
            for rec in csv.DictReader(text.splitlines()):
                rows.append((dt.datetime.fromisoformat(rec["at"]), rec["phase"].strip()))
        return cls(rows)


def phase_source(cfg: dict[str, Any], base: Path | None = None) -> FixedTimePlan | PhaseFeed:
    if "plan" in cfg:
        p = cfg["plan"]
        return FixedTimePlan(p["green"], p["red"], p.get("amber", 3.0), p.get("offset", 0.0))
    feed = Path(cfg["feed"])
    if base is not None and not feed.is_absolute():
        feed = base / feed
    return PhaseFeed.from_file(feed)
