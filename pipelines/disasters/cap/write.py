"""Writing CAP 1.2: the IOC's alerts serialised in XSD element order and checked by the same validator."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as StdET
from typing import Any

from pipelines.disasters.cap.model import CapAlert
from pipelines.disasters.cap.parse import DEFAULT_MAX_BYTES, parse_cap
from pipelines.disasters.cap.rules import DATE_FIELDS, NS, CapError, Q, format_cap_datetime


def build_cap_xml(alert: CapAlert, tz: dt.tzinfo | None = None) -> bytes:
    """Serialise ``alert`` in XSD element order and check the result with the same validator."""
    root = StdET.Element(Q + "alert")

    def add(parent: Any, name: str, value: Any) -> None:
        if value is None or value == "":
            return
        StdET.SubElement(parent, Q + name).text = str(value)

    def add_pairs(parent: Any, name: str, pairs: list[tuple[str, str]]) -> None:
        for k, v in pairs:
            el = StdET.SubElement(parent, Q + name)
            add(el, "valueName", k)
            add(el, "value", v)

    add(root, "identifier", alert.identifier)
    add(root, "sender", alert.sender)
    add(root, "sent", alert.sent_text or format_cap_datetime(alert.sent, tz))
    add(root, "status", alert.status)
    add(root, "msgType", alert.msg_type)
    add(root, "source", alert.source)
    add(root, "scope", alert.scope)
    add(root, "restriction", alert.restriction)
    add(root, "addresses", alert.addresses)
    for c in alert.codes:
        add(root, "code", c)
    add(root, "note", alert.note)
    if alert.references:
        add(root, "references", " ".join(",".join(r) for r in alert.references))
    add(root, "incidents", alert.incidents)
    for info in alert.infos:
        el = StdET.SubElement(root, Q + "info")
        add(el, "language", info.language)
        for c in info.categories:
            add(el, "category", c)
        add(el, "event", info.event)
        for r in info.response_types:
            add(el, "responseType", r)
        add(el, "urgency", info.urgency)
        add(el, "severity", info.severity)
        add(el, "certainty", info.certainty)
        add(el, "audience", info.audience)
        add_pairs(el, "eventCode", info.event_codes)
        for name in DATE_FIELDS:
            val = getattr(info, name)
            add(el, name, None if val is None else format_cap_datetime(val, tz))
        add(el, "senderName", info.sender_name)
        add(el, "headline", info.headline)
        add(el, "description", info.description)
        add(el, "instruction", info.instruction)
        add(el, "web", info.web)
        add(el, "contact", info.contact)
        add_pairs(el, "parameter", info.parameters)
        for res in info.resources:
            r = StdET.SubElement(el, Q + "resource")
            add(r, "resourceDesc", res.resource_desc)
            add(r, "mimeType", res.mime_type)
            add(r, "size", res.size)
            add(r, "uri", res.uri)
            add(r, "digest", res.digest)  # derefUri content is not kept by the parser, so not written
        for area in info.areas:
            a = StdET.SubElement(el, Q + "area")
            add(a, "areaDesc", area.area_desc)
            for poly in area.polygons:
                add(a, "polygon", " ".join(f"{lat:.5f},{lon:.5f}" for lat, lon in poly))
            for lat, lon, r in area.circles:
                add(a, "circle", f"{lat:.5f},{lon:.5f} {r:g}")
            add_pairs(a, "geocode", area.geocodes)
            add(a, "altitude", area.altitude)
            add(a, "ceiling", area.ceiling)
    StdET.register_namespace("", NS)
    xml = StdET.tostring(root, encoding="utf-8", xml_declaration=True)
    parse_cap(xml, max_bytes=max(DEFAULT_MAX_BYTES, len(xml)))  # refuses anything the XSD would refuse
    return xml


def validate_cap(data: bytes | str) -> list[str]:
    """Problems of a CAP document (empty list = valid)."""
    try:
        parse_cap(data)
    except CapError as exc:
        return [exc.reason]
    return []
