"""A CAP 1.2 alert as Python objects: alert, info blocks, resources and areas."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines.disasters.cap.rules import parse_cap_datetime


@dataclass
class CapArea:
    area_desc: str
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)  # (lat, lon)
    circles: list[tuple[float, float, float]] = field(default_factory=list)  # (lat, lon, radius km)
    geocodes: list[tuple[str, str]] = field(default_factory=list)
    altitude: float | None = None
    ceiling: float | None = None


@dataclass
class CapResource:
    resource_desc: str
    mime_type: str
    size: int | None = None
    uri: str | None = None
    deref_uri: str | None = None
    digest: str | None = None


@dataclass
class CapInfo:
    language: str
    categories: list[str]
    event: str
    response_types: list[str]
    urgency: str
    severity: str
    certainty: str
    audience: str | None = None
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)
    resources: list[CapResource] = field(default_factory=list)
    areas: list[CapArea] = field(default_factory=list)


@dataclass
class CapAlert:
    identifier: str
    sender: str
    sent: dt.datetime  # UTC
    sent_text: str  # as written (offset kept): references quote it
    status: str
    msg_type: str
    scope: str
    source: str | None = None
    restriction: str | None = None
    addresses: str | None = None
    codes: list[str] = field(default_factory=list)
    note: str | None = None
    references: list[tuple[str, str, str]] = field(default_factory=list)  # (sender, identifier, sent)
    incidents: str | None = None
    infos: list[CapInfo] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        """De-duplication key: (sender, identifier, sent in UTC ISO)."""
        return self.sender, self.identifier, self.sent.isoformat()

    @property
    def languages(self) -> list[str]:
        return [i.language for i in self.infos]

    @property
    def expires(self) -> dt.datetime | None:
        vals = [i.expires for i in self.infos if i.expires is not None]
        return min(vals) if vals else None

    def primary_info(self, prefer: str = "vi") -> CapInfo | None:
        for info in self.infos:
            if info.language.lower().startswith(prefer):
                return info
        return self.infos[0] if self.infos else None

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self), default=_json_default))

    def infos_as_dicts(self) -> list[dict[str, Any]]:
        """Every info block as plain JSON-able dicts (a fast, hand-written ``asdict``)."""
        return [info_as_dict(i) for i in self.infos]


def _iso(v: dt.datetime | None) -> str | None:
    return None if v is None else v.isoformat()


def info_as_dict(i: CapInfo) -> dict[str, Any]:
    return {
        "language": i.language, "categories": list(i.categories), "event": i.event,
        "response_types": list(i.response_types), "urgency": i.urgency, "severity": i.severity,
        "certainty": i.certainty, "audience": i.audience, "event_codes": [list(p) for p in i.event_codes],
        "effective": _iso(i.effective), "onset": _iso(i.onset), "expires": _iso(i.expires),
        "sender_name": i.sender_name, "headline": i.headline, "description": i.description,
        "instruction": i.instruction, "web": i.web, "contact": i.contact,
        "parameters": [list(p) for p in i.parameters],
        "resources": [{"resource_desc": r.resource_desc, "mime_type": r.mime_type, "size": r.size, "uri": r.uri,
                       "deref_uri": r.deref_uri, "digest": r.digest} for r in i.resources],
        "areas": [{"area_desc": a.area_desc, "polygons": [[list(pt) for pt in poly] for poly in a.polygons],
                   "circles": [list(c) for c in a.circles], "geocodes": [list(g) for g in a.geocodes],
                   "altitude": a.altitude, "ceiling": a.ceiling} for a in i.areas],
    }


def _json_default(o: Any) -> Any:
    if isinstance(o, dt.datetime):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def reference_key(sender: str, identifier: str, sent_text: str) -> tuple[str, str, str]:
    """The (sender, identifier, sent UTC ISO) key a CAP ``references`` triple points at."""
    return sender, identifier, parse_cap_datetime(sent_text, "references").isoformat()
