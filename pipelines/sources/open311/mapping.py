"""How a service request becomes canonical records: the category and agency mapping table (data, in
``category_map.yaml``), the feed's status and channel words, and the report + events of one request."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from pipelines.sources.base import RawRecord, event_payload, iso, report_payload
from pipelines.sources.open311.values import address_zip, clean_text, clean_zip, parse_datetime, parse_point

DEFAULT_CATEGORY_MAP = Path(__file__).with_name("category_map.yaml")




@dataclass(frozen=True)
class CategoryMap:
    rules: tuple[tuple[str, str], ...]  # (case-folded glob pattern, category code), first match wins
    default: str = "other"
    units: tuple[tuple[str, str], ...] = ()  # (case-folded agency name, unit id)

    @classmethod
    def load(cls, path: str | Path | None = None) -> CategoryMap:
        doc = yaml.safe_load(Path(path or DEFAULT_CATEGORY_MAP).read_text(encoding="utf-8")) or {}
        rules = tuple((str(r["pattern"]).casefold(), str(r["category"])) for r in doc.get("rules") or [])
        units = tuple((str(k).strip().casefold(), str(v)) for k, v in (doc.get("units") or {}).items())
        return cls(rules=rules, default=str(doc.get("default") or "other"), units=units)

    def unit(self, agency: str | None) -> str | None:
        """The unit id of an agency named by the feed; the name itself when the table does not list it."""
        if not agency:
            return None
        return dict(self.units).get(agency.strip().casefold(), agency.strip())

    def category(self, *candidates: str | None) -> str:
        """The category of the first candidate (service code, then name, then descriptor) a rule matches."""
        for value in candidates:
            if not value:
                continue
            folded = value.strip().casefold()
            for pattern, code in self.rules:
                if fnmatch.fnmatchcase(folded, pattern):
                    return code
        return self.default



# Status words of GeoReport v2 (open / closed) and of NYC 311 exports, to the silver status vocabulary.
_STATUS = {
    "closed": "resolved", "open": "open", "assigned": "open", "started": "open", "in progress": "open",
    "email sent": "open", "pending": "pending", "draft": "pending",
}
# NYC "Open Data Channel Type" to our channels.
_CHANNEL = {"phone": "hotline", "online": "web", "mobile": "app"}


class RowError(ValueError):
    """A row that cannot be read at all: no id or no readable requested/created date."""


@dataclass(frozen=True)
class Mapping:
    """How requests of one feed become canonical records."""

    categories: CategoryMap = field(default_factory=CategoryMap.load)
    tz: dt.tzinfo = dt.UTC  # for timestamps without an offset (CSV exports are in local time)
    id_prefix: str = ""  # e.g. "nyc:" to keep report ids of several cities apart in one lake


@dataclass(frozen=True)
class Request:
    """A service request, whatever its input shape, as the fields the mapping needs."""

    request_id: str | None
    requested: Any
    updated: Any = None
    closed: Any = None
    expected: Any = None
    due: Any = None
    status: str | None = None
    status_notes: str | None = None
    service_code: str | None = None
    service_name: str | None = None
    descriptor: str | None = None
    description: str | None = None
    agency: str | None = None
    lat: Any = None
    lon: Any = None
    location: Any = None
    zipcode: Any = None
    address: str | None = None
    channel: str | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None


def request_records(req: Request, source: str, mapping: Mapping) -> list[RawRecord]:
    """The report record and its events; raises RowError when the request is unusable."""
    rid = clean_text(req.request_id)
    if rid is None:
        raise RowError("missing request id")
    received = parse_datetime(req.requested, mapping.tz)
    if received is None:
        raw = clean_text(req.requested)
        raise RowError(f"unreadable requested date {raw!r}" if raw else "missing requested date")
    report_id = f"{mapping.id_prefix}{rid}"
    status_raw = (clean_text(req.status) or "").casefold()
    status = _STATUS.get(status_raw)
    closed = status == "resolved"
    updated = parse_datetime(req.updated, mapping.tz)
    closed_at = parse_datetime(req.closed, mapping.tz)
    resolved_at = (closed_at or updated) if closed else None
    last = max([t for t in (received, updated, closed_at) if t is not None])
    agency = mapping.categories.unit(clean_text(req.agency))
    lat, lon = parse_point(req.lat, req.lon, req.location)
    channel = _CHANNEL.get((clean_text(req.channel) or "").casefold(), "open311")
    report = report_payload(
        report_id=report_id, source=source, channel=channel,
        category_code=mapping.categories.category(req.service_code, req.service_name, req.descriptor),
        title=clean_text(req.service_name) or clean_text(req.service_code),
        description=clean_text(req.description) or clean_text(req.descriptor),
        lat=lat, lon=lon,
        # Postal codes are not commune codes: the commune is left to the pipeline (from lat/lon).
        admin_unit_code=None,
        received_at=iso(received), process_type=None,
        # A request published by the city was accepted into its system: valid unless told otherwise.
        is_valid=True, invalid_reason=None,
        reporter_name=clean_text(req.reporter_name), reporter_phone=clean_text(req.reporter_phone),
        updated_at=iso(last), status=status, unit_id=agency,
        deadline_at=iso(parse_datetime(req.due, mapping.tz)), resolved_at=iso(resolved_at),
        rating=None, expected_datetime=iso(parse_datetime(req.expected, mapping.tz)),
    )
    # What the feed said beyond the canonical fields, kept in the raw payload (silver reads only its keys).
    report["extra"] = {k: v for k, v in {
        "service_code": clean_text(req.service_code), "status": clean_text(req.status),
        "agency": clean_text(req.agency), "address": clean_text(req.address),
        "zipcode": clean_zip(req.zipcode) or address_zip(req.address),
    }.items() if v is not None}
    out = [RawRecord("report", source, report_id, report)]

    def event(kind: str, at: dt.datetime, **kw: Any) -> None:
        eid = f"{report_id}/{kind}"
        out.append(RawRecord("event", source, eid, event_payload(
            event_id=eid, report_id=report_id, event_type=kind, at=iso(at), **kw)))

    event("received", received)
    if agency:
        event("assigned", received, unit_id=agency,
              note="assignment time not published by the source; requested time used")
    if closed and resolved_at is not None:
        event("resolved", resolved_at, unit_id=agency, note=clean_text(req.status_notes))
    return out




def changed_since(report: dict[str, Any], since: dt.datetime) -> bool:
    at = report.get("updated_at") or report.get("received_at")
    return at is None or dt.datetime.fromisoformat(at) >= since



def mapping_for(category_map: str | Path | None = None, timezone: str = "UTC", id_prefix: str = "") -> Mapping:
    return Mapping(categories=CategoryMap.load(category_map or None), tz=ZoneInfo(timezone), id_prefix=id_prefix)
