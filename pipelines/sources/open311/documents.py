"""GeoReport v2 documents (JSON or XML, size-limited, XML read with defusedxml): requests and services."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from lake import Reject
from pipelines.sources.base import REPORTS_RAW, RawRecord
from pipelines.sources.open311.mapping import Mapping, Request, RowError, request_records
from pipelines.sources.open311.salvage import salvage
from pipelines.sources.open311.values import clean_text

DEFAULT_MAX_BYTES = 50_000_000  # one JSON/XML document; CSV files are streamed and have no limit
REJECT_PAYLOAD_CHARS = 20_000  # how much of an unreadable document a reject keeps


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
        request_id=clean_text(item.get("service_request_id")), requested=item.get("requested_datetime"),
        updated=item.get("updated_datetime"), expected=item.get("expected_datetime"),
        status=item.get("status"), status_notes=item.get("status_notes"),
        service_code=clean_text(item.get("service_code")), service_name=clean_text(item.get("service_name")),
        description=clean_text(item.get("description")), agency=item.get("agency_responsible"),
        lat=item.get("lat"), lon=item.get("long", item.get("lon")), zipcode=item.get("zipcode"),
        address=clean_text(item.get("address")),
        reporter_name=" ".join(x for x in (clean_text(item.get("first_name")), clean_text(item.get("last_name"))) if x)
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
            rid = clean_text(item.get("service_request_id"))
            rejects.append(Reject(source, REPORTS_RAW, str(e), json.dumps(item, ensure_ascii=False,
                                                                          default=str), rid or ref))
    return records, rejects


def service_rows(items: Iterable[dict[str, Any]], mapping: Mapping) -> list[dict[str, Any]]:
    """The service list with the category each service maps to (None: not mapped yet)."""
    out = []
    for s in items:
        if not isinstance(s, dict) or not clean_text(s.get("service_code")):
            continue
        meta = s.get("metadata")
        out.append({
            "service_code": clean_text(s.get("service_code")), "service_name": clean_text(s.get("service_name")),
            "description": clean_text(s.get("description")), "group": clean_text(s.get("group")),
            "type": clean_text(s.get("type")), "keywords": clean_text(s.get("keywords")),
            "metadata": meta if isinstance(meta, bool) else str(meta).strip().lower() == "true",
            "category_code": mapping.table.category(mapping.jurisdiction, clean_text(s.get("service_code")),
                                                    clean_text(s.get("service_name"))),
        })
    return out


@dataclass
class DocumentRead:
    kind: str  # requests | services | error
    records: list[RawRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0  # items in the document (complete ones, when broken)
    broken: bool = False  # truncated or broken: the records after the break are one reject


def read_document(data: bytes, mapping: Mapping, origin: str, source: str = "open311",
                  max_bytes: int = DEFAULT_MAX_BYTES) -> DocumentRead:
    """A GeoReport v2 document as records (or services) and rejects. A truncated or broken document keeps
    every complete record before the break; the rest is one reject naming the byte where it begins."""
    try:
        kind, items = parse_document(data, max_bytes=max_bytes)
        broken = None
    except Open311Error as e:
        return DocumentRead("error", rejects=[Reject(source, REPORTS_RAW, str(e),
                                                     data[:REJECT_PAYLOAD_CHARS].decode("utf-8", "replace"), origin)])
    except ValueError as e:
        broken = salvage(data) if len(data) <= max_bytes else None
        if broken is None:
            return DocumentRead("error", rejects=[Reject(source, REPORTS_RAW, str(e),
                                                         data[:REJECT_PAYLOAD_CHARS].decode("utf-8", "replace"),
                                                         origin)])
        kind, items = broken.kind, broken.items
    out = DocumentRead(kind, count=len(items), broken=broken is not None)
    if kind == "services":
        out.services = service_rows(items, mapping)
    else:
        out.records, out.rejects = requests_batch(items, mapping, origin, source)
    if broken is not None:
        rest = data[broken.offset:]
        out.rejects.append(Reject(source, REPORTS_RAW, f"{broken.reason}; {len(rest)} bytes from byte "
                                  f"{broken.offset} not read ({len(items)} complete records before it kept)",
                                  rest[:REJECT_PAYLOAD_CHARS].decode("utf-8", "replace"),
                                  f"{origin}@{broken.offset}"))
    return out
