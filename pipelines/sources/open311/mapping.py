"""How a service request becomes canonical records: the mapping table (data a user edits, see
``mapping_table``), the feed's status, status notes and channel words, and the report + events of one
request. A request whose service or agency the table does not map yet keeps ``category_code`` / ``unit_id``
None and says why in ``extra["unmapped"]``: the intake keeps it visible instead of rejecting it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipelines.sources.base import RawRecord, event_payload, iso, report_payload
from pipelines.sources.open311.mapping_table import MappingTable
from pipelines.sources.open311.values import address_zip, clean_text, clean_zip, parse_datetime, parse_point

# Status words of GeoReport v2 (open / closed) and of NYC 311 exports, to the silver status vocabulary.
_STATUS = {
    "closed": "resolved", "open": "open", "assigned": "open", "started": "open", "in progress": "open",
    "email sent": "open", "pending": "pending", "draft": "pending", "unassigned": "pending",
}
# A closed request whose status notes say it was never a real one is invalid, not resolved.
_INVALID_NOTES = ("duplicate", "invalid", "cancelled", "canceled", "withdrawn")
# NYC "Open Data Channel Type" to our channels.
_CHANNEL = {"phone": "hotline", "online": "web", "mobile": "app"}


class RowError(ValueError):
    """A row that cannot be read at all: no id or no readable requested/created date."""


@dataclass(frozen=True)
class Mapping:
    """How requests of one feed become canonical records."""

    table: MappingTable = field(default_factory=MappingTable.load)
    tz: dt.tzinfo = dt.UTC  # for timestamps without an offset (CSV exports are in local time)
    id_prefix: str = ""  # e.g. "nyc:" to keep report ids of several cities apart in one lake
    jurisdiction: str = "hue"  # which rows of the mapping table apply


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
    notes = clean_text(req.status_notes)
    status = _STATUS.get(status_raw)
    closed = status == "resolved"
    invalid = closed and notes is not None and any(w in notes.casefold() for w in _INVALID_NOTES)
    updated = parse_datetime(req.updated, mapping.tz)
    closed_at = parse_datetime(req.closed, mapping.tz)
    resolved_at = (closed_at or updated) if closed else None
    last = max([t for t in (received, updated, closed_at) if t is not None])
    agency = clean_text(req.agency)
    unit = mapping.table.unit(mapping.jurisdiction, agency)
    category = mapping.table.category(mapping.jurisdiction, req.service_code, req.service_name, req.descriptor)
    unmapped = []
    if category is None:
        service = clean_text(req.service_code) or clean_text(req.service_name) or clean_text(req.descriptor)
        unmapped.append(f"service {service!r} not mapped" if service else "no service code or name")
    if agency and unit is None:
        unmapped.append(f"agency {agency!r} not mapped")
    lat, lon = parse_point(req.lat, req.lon, req.location)
    channel = _CHANNEL.get((clean_text(req.channel) or "").casefold(), "open311")
    report = report_payload(
        report_id=report_id, source=source, channel=channel, category_code=category,
        title=clean_text(req.service_name) or clean_text(req.service_code),
        description=clean_text(req.description) or clean_text(req.descriptor),
        lat=lat, lon=lon,
        # Postal codes are not commune codes: the commune is left to the pipeline (from lat/lon).
        admin_unit_code=None,
        received_at=iso(received), process_type=None,
        # A request published by the city was accepted into its system: valid unless its notes say otherwise.
        is_valid=not invalid, invalid_reason=notes if invalid else None,
        reporter_name=clean_text(req.reporter_name), reporter_phone=clean_text(req.reporter_phone),
        updated_at=iso(last), status="invalid" if invalid else status, unit_id=unit,
        deadline_at=iso(parse_datetime(req.due, mapping.tz)), resolved_at=None if invalid else iso(resolved_at),
        rating=None, expected_datetime=iso(parse_datetime(req.expected, mapping.tz)),
    )
    # What the feed said beyond the canonical fields, kept in the raw payload (silver reads only its keys).
    report["extra"] = {k: v for k, v in {
        "service_code": clean_text(req.service_code), "service_name": clean_text(req.service_name),
        "status": clean_text(req.status), "status_notes": notes, "agency": agency,
        "address": clean_text(req.address), "zipcode": clean_zip(req.zipcode) or address_zip(req.address),
        "unmapped": unmapped or None,
    }.items() if v is not None}
    out = [RawRecord("report", source, report_id, report)]

    def event(kind: str, at: dt.datetime, **kw: Any) -> None:
        eid = f"{report_id}/{kind}"
        out.append(RawRecord("event", source, eid, event_payload(
            event_id=eid, report_id=report_id, event_type=kind, at=iso(at), **kw)))

    event("received", received)
    if unit:
        event("assigned", received, unit_id=unit,
              note="assignment time not published by the source; requested time used")
    if invalid and resolved_at is not None:
        event("invalidated", resolved_at, unit_id=unit, note=notes)
    elif closed and resolved_at is not None:
        event("resolved", resolved_at, unit_id=unit, note=notes)
    return out




def changed_since(report: dict[str, Any], since: dt.datetime) -> bool:
    at = report.get("updated_at") or report.get("received_at")
    return at is None or dt.datetime.fromisoformat(at) >= since



def zone(name: str) -> dt.tzinfo:
    """An IANA time zone (``America/New_York``), or ValueError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: give an IANA name such as Asia/Ho_Chi_Minh or "
                         "America/New_York") from None


def mapping_for(table: str | Path | None = None, timezone: str = "UTC", id_prefix: str = "",
                jurisdiction: str = "hue") -> Mapping:
    return Mapping(table=MappingTable.load(table or None), tz=zone(timezone), id_prefix=id_prefix,
                   jurisdiction=jurisdiction)
