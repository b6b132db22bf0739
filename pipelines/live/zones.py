"""The zone rules of a camera as the live ingest needs them: plain data the caller builds from the camera
configuration (``hue_ioc.commands.live`` reads the YAML with ``detectors.config``; pipelines do not import
detectors)."""

from __future__ import annotations

from dataclasses import dataclass

# Default violation type of each zone rule (a zone's ``event_type`` overrides it), as the detector's rules name them.
DEFAULT_TYPES = {"dwell": "illegal_parking", "encroachment": "encroachment"}


@dataclass(frozen=True)
class ZoneRule:
    zone_id: str
    rule: str  # dwell | encroachment | congestion
    classes: tuple[str, ...] = ()  # empty: every class
    seconds: float = 0.0  # dwell: time the object must have stayed; encroachment: minimum presence
    event_type: str = ""

    @property
    def rule_id(self) -> str:
        return f"{self.zone_id}:{self.rule}"

    @property
    def violation_type(self) -> str:
        return self.event_type or DEFAULT_TYPES.get(self.rule, self.rule)


@dataclass(frozen=True)
class CameraZones:
    camera_id: str
    labels: tuple[str, ...]  # the classes the camera's model knows (the rules' classes are among them)
    zones: tuple[ZoneRule, ...] = ()


Cameras = dict[str, CameraZones]
