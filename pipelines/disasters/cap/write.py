"""Writing CAP 1.2: the IOC's alerts serialised in XSD element order and checked by the same validator."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as StdET
from typing import Any

from pipelines.disasters.cap.model import CapAlert, CapArea, CapInfo
from pipelines.disasters.cap.parse import DEFAULT_MAX_BYTES, parse_cap
from pipelines.disasters.cap.rules import (
    ALERT_SEQ,
    AREA_SEQ,
    DATE_FIELDS,
    INFO_SEQ,
    NS,
    PAIR_SEQ,
    RESOURCE_SEQ,
    CapError,
    Q,
    format_cap_datetime,
)

# An element's values: a text (or number) each, or a child element as (its XSD sequence, its values).
Values = dict[str, list[Any]]


def _pairs(pairs: list[tuple[str, str]]) -> list[tuple[list, Values]]:
    return [(PAIR_SEQ, {"valueName": [k], "value": [v]}) for k, v in pairs]


def _alert_values(alert: CapAlert, tz: dt.tzinfo | None) -> Values:
    return {
        "identifier": [alert.identifier], "sender": [alert.sender],
        "sent": [alert.sent_text or format_cap_datetime(alert.sent, tz)], "status": [alert.status],
        "msgType": [alert.msg_type], "source": [alert.source], "scope": [alert.scope],
        "restriction": [alert.restriction], "addresses": [alert.addresses], "code": alert.codes,
        "note": [alert.note],
        "references": [" ".join(",".join(r) for r in alert.references)] if alert.references else [],
        "incidents": [alert.incidents], "info": [(INFO_SEQ, _info_values(i, tz)) for i in alert.infos],
    }


def _info_values(info: CapInfo, tz: dt.tzinfo | None) -> Values:
    dates = {name: [None if getattr(info, name) is None else format_cap_datetime(getattr(info, name), tz)]
             for name in DATE_FIELDS}
    return {
        "language": [info.language], "category": info.categories, "event": [info.event],
        "responseType": info.response_types, "urgency": [info.urgency], "severity": [info.severity],
        "certainty": [info.certainty], "audience": [info.audience], "eventCode": _pairs(info.event_codes),
        **dates, "senderName": [info.sender_name], "headline": [info.headline],
        "description": [info.description], "instruction": [info.instruction], "web": [info.web],
        "contact": [info.contact], "parameter": _pairs(info.parameters),
        # derefUri content is not kept by the parser, so not written
        "resource": [(RESOURCE_SEQ, {"resourceDesc": [r.resource_desc], "mimeType": [r.mime_type], "size": [r.size],
                                     "uri": [r.uri], "digest": [r.digest]}) for r in info.resources],
        "area": [(AREA_SEQ, _area_values(a)) for a in info.areas],
    }


def _area_values(area: CapArea) -> Values:
    return {
        "areaDesc": [area.area_desc],
        "polygon": [" ".join(f"{lat:.5f},{lon:.5f}" for lat, lon in poly) for poly in area.polygons],
        "circle": [f"{lat:.5f},{lon:.5f} {r:g}" for lat, lon, r in area.circles],
        "geocode": _pairs(area.geocodes), "altitude": [area.altitude], "ceiling": [area.ceiling],
    }


def _write(parent: Any, seq: list[tuple[str, int, int]], values: Values) -> None:
    """The elements of ``values`` under ``parent``, in the order of the XSD sequence ``seq``."""
    for name, _, _ in seq:
        for value in values.get(name, []):
            if isinstance(value, tuple):
                child_seq, child_values = value
                _write(StdET.SubElement(parent, Q + name), child_seq, child_values)
            elif value is not None and value != "":
                StdET.SubElement(parent, Q + name).text = str(value)


def build_cap_xml(alert: CapAlert, tz: dt.tzinfo | None = None) -> bytes:
    """Serialise ``alert`` in XSD element order and check the result with the same validator."""
    root = StdET.Element(Q + "alert")
    _write(root, ALERT_SEQ, _alert_values(alert, tz))
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
