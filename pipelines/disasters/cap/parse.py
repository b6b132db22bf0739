"""Reading CAP 1.2: a size check made *before* any byte is parsed, ``defusedxml`` (no DTDs, entities or
external references), then the structural validation of ``rules`` while building the ``model``."""

from __future__ import annotations

import xml.etree.ElementTree as StdET
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipelines.disasters.cap.model import CapAlert, CapArea, CapInfo, CapResource
from pipelines.disasters.cap.rules import (
    ALERT_SEQ,
    AREA_SEQ,
    DATE_FIELDS,
    DSIG_NS,
    ENUMS,
    ID_FORBIDDEN,
    INFO_SEQ,
    NS,
    PAIR_SEQ,
    RESOURCE_SEQ,
    CapError,
    Q,
    check_sequence,
    local_name,
    parse_cap_datetime,
    parse_circle,
    parse_polygon,
)

DEFAULT_MAX_BYTES = 1_000_000  # a CAP alert is a few kB; 1 MB is generous and keeps a bomb out


def safe_xml(raw: bytes, what: str = "") -> Any:
    """The root element of ``raw``, parsed without DTDs, entities or external references; ``CapError``
    (its reason prefixed by ``what``) for anything hostile or not well-formed."""
    try:
        return SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CapError(f"{what}forbidden XML construct (DTD/entity/external reference): "
                       f"{type(exc).__name__}") from None
    except StdET.ParseError as exc:
        raise CapError(f"{what}not well-formed XML: {exc}") from None


def read_limited(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Bytes of a file, refused by its size *before* reading when larger than ``max_bytes``."""
    p = Path(path)
    size = p.stat().st_size
    if size > max_bytes:
        raise CapError(f"too large: {size} bytes > limit {max_bytes} bytes (refused before parsing)")
    with p.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while reading
        raise CapError(f"too large: more than {max_bytes} bytes (refused before parsing)")
    return data


def _text(elem: Any, name: str) -> str | None:
    child = elem.find(Q + name)
    if child is None:
        return None
    return (child.text or "").strip()


def _texts(elem: Any, name: str) -> list[str]:
    return [(c.text or "").strip() for c in elem.findall(Q + name)]


def _pairs(elem: Any, name: str, where: str) -> list[tuple[str, str]]:
    out = []
    for c in elem.findall(Q + name):
        check_sequence(c, PAIR_SEQ, f"{where}/{name}")
        out.append((_text(c, "valueName") or "", _text(c, "value") or ""))
    return out


def _enum(value: str | None, name: str, where: str) -> str:
    if value is None or value not in ENUMS[name]:
        raise CapError(f"{where}: <{name}> value '{value}' not in {list(ENUMS[name])}")
    return value


def _float(text: str | None, where: str) -> float | None:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise CapError(f"{where}: '{text}' is not a number") from None


def parse_cap(data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CapAlert:
    """Parse and validate one CAP 1.2 alert. Raises ``CapError`` with the reason when it is refused."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise CapError(f"too large: {len(raw)} bytes > limit {max_bytes} bytes (refused before parsing)")
    return alert_from_element(safe_xml(raw))


def alert_from_element(root: Any) -> CapAlert:
    if root.tag != Q + "alert":
        if local_name(root.tag) == "alert" and "emergency:cap" in root.tag:
            raise CapError(f"unsupported CAP version: namespace {root.tag.split('}')[0][1:]} (need {NS})")
        raise CapError(f"not a CAP 1.2 alert: root element is <{root.tag}>")
    check_sequence(root, ALERT_SEQ, "alert", tail_ns=DSIG_NS)
    identifier = _text(root, "identifier") or ""
    sender = _text(root, "sender") or ""
    for name, val in (("identifier", identifier), ("sender", sender)):
        if not val or ID_FORBIDDEN.search(val):
            raise CapError(f"alert: <{name}> '{val}' is empty or contains spaces, commas, '<' or '&'")
    sent_text = _text(root, "sent") or ""
    sent = parse_cap_datetime(sent_text, "alert/sent")
    status = _enum(_text(root, "status"), "status", "alert")
    msg_type = _enum(_text(root, "msgType"), "msgType", "alert")
    scope = _enum(_text(root, "scope"), "scope", "alert")
    restriction = _text(root, "restriction")
    addresses = _text(root, "addresses")
    if scope == "Restricted" and not restriction:
        raise CapError("alert: scope Restricted needs <restriction>")
    if scope == "Private" and not addresses:
        raise CapError("alert: scope Private needs <addresses>")
    references: list[tuple[str, str, str]] = []
    ref_text = _text(root, "references")
    if ref_text:
        for triple in ref_text.split():
            parts = triple.split(",")
            if len(parts) != 3:
                raise CapError(f"alert/references: '{triple}' is not 'sender,identifier,sent'")
            parse_cap_datetime(parts[2], "alert/references")
            references.append((parts[0], parts[1], parts[2]))
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not references:
        raise CapError(f"alert: msgType {msg_type} without <references>")
    alert = CapAlert(
        identifier=identifier, sender=sender, sent=sent, sent_text=sent_text, status=status,
        msg_type=msg_type, scope=scope, source=_text(root, "source"), restriction=restriction,
        addresses=addresses, codes=_texts(root, "code"), note=_text(root, "note"), references=references,
        incidents=_text(root, "incidents"),
    )
    for n, info_el in enumerate(root.findall(Q + "info"), 1):
        alert.infos.append(_parse_info(info_el, f"alert/info[{n}]"))
    return alert


def _deref_summary(text: str | None) -> str | None:
    """An embedded base64 resource is kept as its size, not its bytes (the XML keeps the content)."""
    return None if text is None else f"(embedded base64, {len(text)} characters)"


def _parse_info(el: Any, where: str) -> CapInfo:
    check_sequence(el, INFO_SEQ, where)
    info = CapInfo(
        language=_text(el, "language") or "en-US",  # the XSD default
        categories=[_enum(c, "category", where) for c in _texts(el, "category")],
        event=_text(el, "event") or "",
        response_types=[_enum(c, "responseType", where) for c in _texts(el, "responseType")],
        urgency=_enum(_text(el, "urgency"), "urgency", where),
        severity=_enum(_text(el, "severity"), "severity", where),
        certainty=_enum(_text(el, "certainty"), "certainty", where),
        audience=_text(el, "audience"),
        event_codes=_pairs(el, "eventCode", where),
        sender_name=_text(el, "senderName"), headline=_text(el, "headline"),
        description=_text(el, "description"), instruction=_text(el, "instruction"),
        web=_text(el, "web"), contact=_text(el, "contact"),
        parameters=_pairs(el, "parameter", where),
    )
    if not info.event:
        raise CapError(f"{where}: <event> is empty")
    for name in DATE_FIELDS:
        text = _text(el, name)
        if text:
            setattr(info, name, parse_cap_datetime(text, f"{where}/{name}"))
    for n, res in enumerate(el.findall(Q + "resource"), 1):
        w = f"{where}/resource[{n}]"
        check_sequence(res, RESOURCE_SEQ, w)
        size = _float(_text(res, "size"), w)
        info.resources.append(CapResource(
            resource_desc=_text(res, "resourceDesc") or "", mime_type=_text(res, "mimeType") or "",
            size=None if size is None else int(size), uri=_text(res, "uri"),
            deref_uri=_deref_summary(_text(res, "derefUri")), digest=_text(res, "digest")))
    for n, area in enumerate(el.findall(Q + "area"), 1):
        w = f"{where}/area[{n}]"
        check_sequence(area, AREA_SEQ, w)
        altitude = _float(_text(area, "altitude"), w)
        ceiling = _float(_text(area, "ceiling"), w)
        if ceiling is not None and altitude is None:
            raise CapError(f"{w}: <ceiling> without <altitude>")
        info.areas.append(CapArea(
            area_desc=_text(area, "areaDesc") or "",
            polygons=[parse_polygon(t, w) for t in _texts(area, "polygon")],
            circles=[parse_circle(t, w) for t in _texts(area, "circle")],
            geocodes=_pairs(area, "geocode", w), altitude=altitude, ceiling=ceiling))
    return info
