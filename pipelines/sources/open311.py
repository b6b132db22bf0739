"""Open311 GeoReport v2 feeds and 311 CSV bulk exports as a :class:`ReportSource`.

Three shapes of input, one mapping to canonical records:

- GeoReport v2 ``requests.json`` / ``requests.xml`` (a list of service requests) and ``services.json`` /
  ``services.xml`` (the service list, read by ``services()``), from a file, a folder (the recorded feed) or
  an HTTP endpoint (the live feed, fetched with ``requests`` and timeouts; optionally recorded to a folder
  that the file source replays). XML is parsed with defusedxml, JSON and XML documents have a size limit.
- The CSV bulk style of NYC 311 exports (Unique Key, Created Date, Closed Date, Agency, Complaint Type,
  Descriptor, Latitude, Longitude, Status, ...), streamed row by row: columns found by name whatever their
  order or spelling (``Created Date`` = ``created_date``), BOM and cp1252 tolerated.

A request becomes a report record plus events: ``received`` at its requested time, ``assigned`` to the
responsible agency when one is given, ``resolved`` at its close time when its status is closed. Categories
come from a mapping table that is data (``category_map.yaml``, which also maps agencies to unit ids),
default ``other``. What the feed says beyond the canonical fields (service code, raw status, agency name,
address, cleaned ZIP code) rides along in the payload's ``extra`` dict. Dirty values (bad dates, ZIP+4 or
malformed ZIP codes, missing or non-numeric coordinates) become None and the row goes through;
a row without an id or a readable requested/created date is a reject with the reason.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import fnmatch
import io
import json
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as SafeET
import requests
import yaml
from defusedxml import DefusedXmlException

from lake import Reject
from pipelines.sources.base import REPORTS_RAW, RawRecord, SourceBatch, event_payload, iso, report_payload

DEFAULT_CATEGORY_MAP = Path(__file__).with_name("category_map.yaml")
DEFAULT_MAX_BYTES = 50_000_000  # one JSON/XML document; CSV files are streamed and have no limit
REJECT_PAYLOAD_CHARS = 20_000  # how much of an unreadable document a reject keeps

# ---------------------------------------------------------------------------------------------------------
# Category mapping (data, not code)


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


# ---------------------------------------------------------------------------------------------------------
# Cleaning dirty values

_DT_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%y",
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d", "%d-%b-%Y %H:%M:%S",
)
_FLOAT_ID = re.compile(r"\d+\.0")
_ZIP = re.compile(r"(\d{5})(?:-\d{4})?")
_POINT = re.compile(r"\(?\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)?")


def parse_datetime(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """A timestamp with its offset, or None when it cannot be read. Naive values are in ``tz``."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        for fmt in _DT_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None or not 1970 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def parse_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(str(value).strip())
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def parse_point(lat: Any, lon: Any, location: Any = None) -> tuple[float | None, float | None]:
    """(lat, lon) when both are numbers on Earth and not (0, 0); else (None, None)."""
    la, lo = parse_float(lat), parse_float(lon)
    if (la is None or lo is None) and location:
        m = _POINT.fullmatch(str(location).strip())
        if m:
            la, lo = float(m.group(1)), float(m.group(2))
    if la is None or lo is None or not (-90 <= la <= 90 and -180 <= lo <= 180) or (la == 0 and lo == 0):
        return None, None
    return la, lo


def clean_zip(value: Any) -> str | None:
    """A 5-digit ZIP code (ZIP+4 shortened), None for anything else (e.g. '99432-01234', 'N/A')."""
    if value is None:
        return None
    m = _ZIP.fullmatch(str(value).strip())
    return m.group(1) if m else None


def _address_zip(address: Any) -> str | None:
    """The ZIP code ending an address such as '1540 W 17TH ST, CHICAGO, IL, 60608'."""
    m = re.search(r"\b(\d{5})(?:-\d{4})?\s*$", str(address or ""))
    return m.group(1) if m else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


# Status words of GeoReport v2 (open / closed) and of NYC 311 exports, to the silver status vocabulary.
_STATUS = {
    "closed": "resolved", "open": "open", "assigned": "open", "started": "open", "in progress": "open",
    "email sent": "open", "pending": "pending", "draft": "pending",
}
# NYC "Open Data Channel Type" to our channels.
_CHANNEL = {"phone": "hotline", "online": "web", "mobile": "app"}


# ---------------------------------------------------------------------------------------------------------
# One request → records


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
    rid = _text(req.request_id)
    if rid is None:
        raise RowError("missing request id")
    received = parse_datetime(req.requested, mapping.tz)
    if received is None:
        raw = _text(req.requested)
        raise RowError(f"unreadable requested date {raw!r}" if raw else "missing requested date")
    report_id = f"{mapping.id_prefix}{rid}"
    status_raw = (_text(req.status) or "").casefold()
    status = _STATUS.get(status_raw)
    closed = status == "resolved"
    updated = parse_datetime(req.updated, mapping.tz)
    closed_at = parse_datetime(req.closed, mapping.tz)
    resolved_at = (closed_at or updated) if closed else None
    last = max([t for t in (received, updated, closed_at) if t is not None])
    agency = mapping.categories.unit(_text(req.agency))
    lat, lon = parse_point(req.lat, req.lon, req.location)
    channel = _CHANNEL.get((_text(req.channel) or "").casefold(), "open311")
    report = report_payload(
        report_id=report_id, source=source, channel=channel,
        category_code=mapping.categories.category(req.service_code, req.service_name, req.descriptor),
        title=_text(req.service_name) or _text(req.service_code),
        description=_text(req.description) or _text(req.descriptor),
        lat=lat, lon=lon,
        # Postal codes are not commune codes: the commune is left to the pipeline (from lat/lon).
        admin_unit_code=None,
        received_at=iso(received), process_type=None,
        # A request published by the city was accepted into its system: valid unless told otherwise.
        is_valid=True, invalid_reason=None,
        reporter_name=_text(req.reporter_name), reporter_phone=_text(req.reporter_phone),
        updated_at=iso(last), status=status, unit_id=agency,
        deadline_at=iso(parse_datetime(req.due, mapping.tz)), resolved_at=iso(resolved_at),
        rating=None, expected_datetime=iso(parse_datetime(req.expected, mapping.tz)),
    )
    # What the feed said beyond the canonical fields, kept in the raw payload (silver reads only its keys).
    report["extra"] = {k: v for k, v in {
        "service_code": _text(req.service_code), "status": _text(req.status),
        "agency": _text(req.agency), "address": _text(req.address),
        "zipcode": clean_zip(req.zipcode) or _address_zip(req.address),
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
        event("resolved", resolved_at, unit_id=agency, note=_text(req.status_notes))
    return out


# ---------------------------------------------------------------------------------------------------------
# Reading documents


def _xml_items(data: bytes, item_tag: str) -> list[dict[str, Any]]:
    root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    if root.tag == "errors":
        raise Open311Error("; ".join(f"{e.findtext('code')}: {e.findtext('description')}"
                                     for e in root.iter("error")))
    items = [root] if root.tag == item_tag else list(root.iter(item_tag))
    return [{child.tag: (child.text or "").strip() for child in item} for item in items]


class Open311Error(RuntimeError):
    """The endpoint answered with an Open311 error document or an HTTP error."""


def parse_document(data: bytes, kind: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
                   ) -> tuple[str, list[dict[str, Any]]]:
    """('requests' | 'services', items) from a GeoReport v2 JSON or XML document.

    Raises ValueError for a document that cannot be read, Open311Error for an error document.
    """
    if len(data) > max_bytes:
        raise ValueError(f"document of {len(data)} bytes is over the {max_bytes}-byte limit")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        try:
            root_tag = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                         forbid_external=True).tag
        except (SafeET.ParseError, DefusedXmlException) as e:
            raise ValueError(f"unreadable XML: {e}") from e
        if kind == "auto":
            kind = "services" if root_tag in ("services", "service") else "requests"
        return kind, _xml_items(data, "service" if kind == "services" else "request")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"unreadable JSON: {e}") from e
    if isinstance(doc, dict):  # some servers wrap the list: {"service_requests": [...]} / {"services": [...]}
        for key in ("service_requests", "requests", "services"):
            if isinstance(doc.get(key), list):
                if kind == "auto":
                    kind = "services" if key == "services" else "requests"
                doc = doc[key]
                break
        else:
            doc = [doc]
    if not isinstance(doc, list):
        raise ValueError(f"expected a JSON list of requests or services, got {type(doc).__name__}")
    items = [d for d in doc if isinstance(d, dict)]
    if items and all(set(d) <= {"code", "description"} and "code" in d for d in items):
        raise Open311Error("; ".join(f"{d.get('code')}: {d.get('description')}" for d in items))
    if kind == "auto":
        is_request = any("service_request_id" in d or "requested_datetime" in d or "token" in d for d in items)
        kind = "requests" if is_request or not items else "services"
    return kind, list(doc)


def open311_request(item: dict[str, Any]) -> Request:
    return Request(
        request_id=_text(item.get("service_request_id")), requested=item.get("requested_datetime"),
        updated=item.get("updated_datetime"), expected=item.get("expected_datetime"),
        status=item.get("status"), status_notes=item.get("status_notes"),
        service_code=_text(item.get("service_code")), service_name=_text(item.get("service_name")),
        description=_text(item.get("description")), agency=item.get("agency_responsible"),
        lat=item.get("lat"), lon=item.get("long", item.get("lon")), zipcode=item.get("zipcode"),
        address=_text(item.get("address")),
        reporter_name=" ".join(x for x in (_text(item.get("first_name")), _text(item.get("last_name"))) if x)
        or None,
        reporter_phone=item.get("phone"),
    )


def requests_batch(items: Iterable[Any], mapping: Mapping, origin: str, source: str = "open311"
                   ) -> tuple[list[RawRecord], list[Reject]]:
    records: list[RawRecord] = []
    rejects: list[Reject] = []
    for n, item in enumerate(items):
        ref = f"{origin}#{n}"
        if not isinstance(item, dict):
            rejects.append(Reject(source, REPORTS_RAW, f"request is a {type(item).__name__}, not an object",
                                  json.dumps(item, default=str), ref))
            continue
        try:
            records.extend(request_records(open311_request(item), source, mapping))
        except RowError as e:
            rid = _text(item.get("service_request_id"))
            rejects.append(Reject(source, REPORTS_RAW, str(e), json.dumps(item, ensure_ascii=False,
                                                                          default=str), rid or ref))
    return records, rejects


def service_rows(items: Iterable[dict[str, Any]], categories: CategoryMap) -> list[dict[str, Any]]:
    """The service list with the category each service maps to."""
    out = []
    for s in items:
        if not isinstance(s, dict) or not _text(s.get("service_code")):
            continue
        meta = s.get("metadata")
        out.append({
            "service_code": _text(s.get("service_code")), "service_name": _text(s.get("service_name")),
            "description": _text(s.get("description")), "group": _text(s.get("group")),
            "type": _text(s.get("type")), "keywords": _text(s.get("keywords")),
            "metadata": meta if isinstance(meta, bool) else str(meta).strip().lower() == "true",
            "category_code": categories.category(s.get("service_code"), s.get("service_name")),
        })
    return out


# ---------------------------------------------------------------------------------------------------------
# CSV bulk exports (NYC 311 style)


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.replace("\ufeff", "").strip().casefold()).strip("_")


# canonical field → header names (normalised) that may carry it, first present wins
_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "request_id": ("unique_key", "service_request_id", "request_id", "sr_number", "id"),
    "requested": ("created_date", "requested_datetime", "created", "created_at", "open_date"),
    "closed": ("closed_date", "closed", "closed_at", "close_date"),
    "updated": ("resolution_action_updated_date", "updated_datetime", "last_modified_date", "updated_at"),
    "due": ("due_date",),
    "status": ("status",),
    "status_notes": ("resolution_description", "status_notes"),
    "agency": ("agency", "agency_responsible", "owner_department", "department"),
    "service_name": ("complaint_type", "service_name", "sr_type", "request_type"),
    "service_code": ("service_code", "sr_short_code"),
    "descriptor": ("descriptor",),
    "description": ("description",),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "long", "lon", "lng"),
    "location": ("location",),
    "zipcode": ("incident_zip", "zip_code", "zipcode", "zip"),
    "address": ("incident_address", "address", "street_address"),
    "channel": ("open_data_channel_type", "origin", "channel"),
}


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (exports re-saved by spreadsheet programs mix both)."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start:err.end].decode("cp1252", "replace"), err.end


codecs.register_error("hue_ioc_cp1252_fallback", _cp1252_fallback)


def _sniff_encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # "Unicode text" from spreadsheet programs
    return "utf-8-sig"


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_requests(stream: io.TextIOBase | Iterable[str], origin: str, mapping: Mapping,
                      source: str = "csv", since: dt.datetime | None = None
                      ) -> tuple[list[RawRecord], list[Reject]]:
    """Records and rejects from a 311 CSV export, streamed; rows updated before ``since`` are skipped."""
    records: list[RawRecord] = []
    rejects: list[Reject] = []
    lines = (line.replace("\x00", "") for line in stream)
    first = next(lines, "")
    delimiter = _sniff_delimiter(first)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        rejects.append(Reject(source, REPORTS_RAW, "CSV without a header row", first[:REJECT_PAYLOAD_CHARS],
                              origin))
        return records, rejects
    names = [_norm(h) for h in header]
    where: dict[str, int] = {}
    for key, aliases in _CSV_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                where[key] = names.index(alias)
                break
    missing = [k for k in ("request_id", "requested") if k not in where]
    if missing:
        rejects.append(Reject(source, REPORTS_RAW,
                              f"CSV header has no {' and no '.join(missing)} column: {header!r}",
                              delimiter.join(header), origin))
        return records, rejects
    row_no = 1
    while True:
        row_no += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            rejects.append(Reject(source, REPORTS_RAW, f"unreadable CSV row: {e}", "", f"{origin}:row {row_no}"))
            continue
        if not any(cell.strip() for cell in row):
            continue
        values = {k: (row[i] if i < len(row) else None) for k, i in where.items()}
        if values.get("request_id") and _FLOAT_ID.fullmatch(values["request_id"].strip()):
            values["request_id"] = values["request_id"].strip()[:-2]  # 26589651.0 from a dataframe export
        try:
            recs = request_records(Request(**values), source, mapping)
        except RowError as e:
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter).writerow(row)
            rid = _text(values.get("request_id"))
            reason = str(e) if len(row) == len(header) else f"{e} (row has {len(row)} of {len(header)} fields)"
            rejects.append(Reject(source, REPORTS_RAW, reason, out.getvalue().rstrip("\r\n"),
                                  rid or f"{origin}:row {row_no}"))
            continue
        if since is None or _changed_since(recs[0].payload, since):
            records.extend(recs)
    return records, rejects


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def _changed_since(report: dict[str, Any], since: dt.datetime) -> bool:
    at = report.get("updated_at") or report.get("received_at")
    return at is None or dt.datetime.fromisoformat(at) >= since


# ---------------------------------------------------------------------------------------------------------
# Sources


def _since(since: str | None) -> dt.datetime | None:
    if not since:
        return None
    parsed = parse_datetime(since, dt.UTC)
    if parsed is None:
        raise ValueError(f"watermark {since!r} is not an ISO-8601 timestamp")
    return parsed


def _watermark(records: list[RawRecord], since: str | None) -> str | None:
    stamps = [dt.datetime.fromisoformat(r.payload["updated_at"]) for r in records
              if r.kind == "report" and r.payload.get("updated_at")]
    if not stamps:
        return since
    return max(stamps).astimezone(dt.UTC).isoformat()


def _keep_since(records: list[RawRecord], since: dt.datetime | None) -> list[RawRecord]:
    """Reports changed at or after ``since`` with their events.

    ``>=`` rather than ``>``: a feed has no tie-breaker, so a request updated in the same second as the
    watermark is read again rather than missed; bronze keys raw rows by a hash of their payload, so
    reading an unchanged request twice adds nothing.
    """
    if since is None:
        return records
    keep = {r.record_id for r in records if r.kind == "report" and _changed_since(r.payload, since)}
    return [r for r in records if (r.record_id if r.kind == "report" else r.payload["report_id"]) in keep]


@dataclass
class Open311FileSource:
    """The recorded feed: GeoReport v2 JSON/XML documents and 311 CSV exports in a file or a folder.

    A folder is read in name order; each document is recognised by its content (requests, services or
    CSV), so responses recorded by :class:`Open311HttpSource` replay as they were received.
    ``since`` keeps requests updated at or after it (see ``_keep_since``). Unreadable rows are reported on
    every fetch; their reject ids are stable, so silver.rejects keeps each once.
    """

    path: str | Path
    mapping: Mapping = field(default_factory=Mapping)
    max_bytes: int = DEFAULT_MAX_BYTES
    name: str = "open311"

    def files(self) -> list[Path]:
        p = Path(self.path)
        if p.is_dir():
            return sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in (".json", ".xml", ".csv"))
        if not p.exists():
            raise FileNotFoundError(f"Open311 feed not found: {p}")
        return [p]

    def fetch(self, since: str | None = None) -> SourceBatch:
        after = _since(since)
        records: list[RawRecord] = []
        rejects: list[Reject] = []
        for f in self.files():
            if f.suffix.lower() == ".csv":
                recs, rejs = read_csv_file(f, self.mapping, since=after)
                records += recs
                rejects += rejs
                continue
            recs, rejs = self._document(f)
            records += _keep_since(recs, after)
            rejects += rejs
        return SourceBatch(records, rejects, _watermark(records, since))

    def _document(self, f: Path) -> tuple[list[RawRecord], list[Reject]]:
        size = f.stat().st_size
        if size > self.max_bytes:
            return [], [Reject("open311", REPORTS_RAW, f"document of {size} bytes is over the "
                               f"{self.max_bytes}-byte limit", "", f.name)]
        data = f.read_bytes()
        try:
            kind, items = parse_document(data, max_bytes=self.max_bytes)
        except (ValueError, Open311Error) as e:
            return [], [Reject("open311", REPORTS_RAW, str(e),
                               data[:REJECT_PAYLOAD_CHARS].decode("utf-8", "replace"), f.name)]
        if kind != "requests":
            return [], []
        return requests_batch(items, self.mapping, f.name)

    def services(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for f in self.files():
            if f.suffix.lower() == ".csv" or f.stat().st_size > self.max_bytes:
                continue
            try:
                kind, items = parse_document(f.read_bytes(), max_bytes=self.max_bytes)
            except (ValueError, Open311Error):
                continue
            if kind == "services":
                out += service_rows(items, self.mapping.categories)
        return out


def read_csv_file(path: str | Path, mapping: Mapping, since: dt.datetime | None = None,
                  source: str = "csv") -> tuple[list[RawRecord], list[Reject]]:
    path = Path(path)
    with path.open("rb") as fb:
        encoding = _sniff_encoding(fb.read(1 << 16))
    with path.open(encoding=encoding, errors="hue_ioc_cp1252_fallback", newline="") as fh:
        return read_csv_requests(fh, path.name, mapping, source=source, since=since)


@dataclass
class Open311HttpSource:
    """The live feed: a GeoReport v2 endpoint (``{base_url}/requests.json``), fetched with timeouts.

    ``since_param`` names the server's query parameter for "updated after" when it has one (Chicago's is
    ``updated_after``; the standard has none), so the server sends only changes; the result is also
    filtered here. ``page_size`` turns on paging with ``page``/``page_size`` until a short page.
    ``record_dir`` keeps every response body as a file, which :class:`Open311FileSource` replays.
    """

    base_url: str
    fmt: str = "json"
    jurisdiction_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    since_param: str | None = None
    page_size: int | None = None
    max_pages: int = 100
    timeout: tuple[float, float] = (5.0, 30.0)  # connect, read (seconds)
    max_bytes: int = DEFAULT_MAX_BYTES
    mapping: Mapping = field(default_factory=Mapping)
    record_dir: str | Path | None = None
    session: requests.Session | None = None
    name: str = "open311"

    def _get(self, resource: str, params: dict[str, Any]) -> bytes:
        if self.fmt not in ("json", "xml"):
            raise ValueError(f"format must be json or xml, not {self.fmt!r}")
        url = f"{self.base_url.rstrip('/')}/{resource}.{self.fmt}"
        if self.jurisdiction_id:
            params = {"jurisdiction_id": self.jurisdiction_id, **params}
        http = self.session or requests
        with http.get(url, params=params, timeout=self.timeout, stream=True) as resp:
            body = bytearray()
            for chunk in resp.iter_content(1 << 16):
                body += chunk
                if len(body) > self.max_bytes:
                    raise Open311Error(f"{url}: response over the {self.max_bytes}-byte limit")
            if resp.status_code >= 400:
                raise Open311Error(f"{url}: HTTP {resp.status_code}: {bytes(body[:500]).decode('utf-8', 'replace')}")
        data = bytes(body)
        if self.record_dir is not None:
            folder = Path(self.record_dir)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            page = params.get("page", 1)
            (folder / f"{resource}-{stamp}-{time.monotonic_ns()}-p{page}.{self.fmt}").write_bytes(data)
        return data

    def fetch(self, since: str | None = None) -> SourceBatch:
        after = _since(since)
        params: dict[str, Any] = dict(self.params)
        if after is not None and self.since_param:
            params[self.since_param] = after.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        records: list[RawRecord] = []
        rejects: list[Reject] = []
        pages = range(1, self.max_pages + 1) if self.page_size else [None]
        for page in pages:
            if page is not None:
                params.update(page=page, page_size=self.page_size)
            data = self._get("requests", params)
            origin = f"requests.{self.fmt}" + (f"?page={page}" if page else "")
            try:
                _, items = parse_document(data, kind="requests", max_bytes=self.max_bytes)
            except ValueError as e:
                rejects.append(Reject("open311", REPORTS_RAW, str(e),
                                      data[:REJECT_PAYLOAD_CHARS].decode("utf-8", "replace"), origin))
                break
            recs, rejs = requests_batch(items, self.mapping, origin)
            records += _keep_since(recs, after)
            rejects += rejs
            if page is None or self.page_size is None or len(items) < self.page_size:
                break
        return SourceBatch(records, rejects, _watermark(records, since))

    def services(self) -> list[dict[str, Any]]:
        _, items = parse_document(self._get("services", {}), kind="services", max_bytes=self.max_bytes)
        return service_rows(items, self.mapping.categories)


def mapping_for(category_map: str | Path | None = None, timezone: str = "UTC", id_prefix: str = "") -> Mapping:
    return Mapping(categories=CategoryMap.load(category_map or None), tz=ZoneInfo(timezone), id_prefix=id_prefix)
