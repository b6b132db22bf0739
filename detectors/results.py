"""What one camera run reports: its status, frames, events, time per stage and rows written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timings:
    """Seconds spent per stage (the asynchronous decode+infer overlap is counted as 'decode_infer')."""

    decode_infer: float = 0.0
    track: float = 0.0
    rules: float = 0.0
    enrich: float = 0.0
    write: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


@dataclass
class RunResult:
    camera_id: str
    status: str = "ok"  # ok | partial (corrupt/missing frames) | error
    error: str = ""
    source: str = ""  # what was read: the camera's source or the run's override
    frames: int = 0
    seconds: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)
    sightings: list[dict[str, Any]] = field(default_factory=list)  # what each tracked vehicle was seen as
    video: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)

    @property
    def fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    def count(self, event_type: str, **match: Any) -> int:
        return sum(1 for e in self.events if e["event_type"] == event_type
                   and all(e.get(k) == v for k, v in match.items()))

    def summary(self) -> str:
        by: dict[str, int] = defaultdict(int)
        for e in self.events:
            by[e["event_type"] + (f"/{e['direction']}" if e["event_type"] == "line_count" else "")] += 1
        parts = ", ".join(f"{k}={v}" for k, v in sorted(by.items())) or "no events"
        head = f"{self.camera_id}: {self.status}"
        if self.error:
            head += f" ({self.error})"
        return f"{head}; {self.frames} frames in {self.seconds:.1f}s ({self.fps:.1f} fps); {parts}; video {self.video}"
