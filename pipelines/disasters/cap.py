"""OASIS CAP 1.2: a safe parser, a structural validator and a writer.

Parsing goes through ``defusedxml`` (no DTDs, entities or external references) after a size check
made *before* any byte is parsed. Validation follows the rules of the OASIS CAP-v1.2.xsd: the element
sequences (order and cardinality) of alert, info, resource and area, the enumerations, the dateTime
pattern (explicit offset, no "Z"), plus the spec's text rules (identifier/sender without spaces, commas,
"<" or "&"; polygons closed with at least 4 points; circles "lat,lon radius"). The same validator
checks the alerts the IOC issues (``build_cap_xml``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as StdET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

NS = "urn:oasis:names:tc:emergency:cap:1.2"
Q = f"{{{NS}}}"
DEFAULT_MAX_BYTES = 1_000_000  # a CAP alert is a few kB; 1 MB is generous and keeps a bomb out


class CapError(ValueError):
    """An input that is not a valid CAP 1.2 alert; ``reason`` goes to silver.rejects."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------- rules
ENUMS: dict[str, tuple[str, ...]] = {
    "status": ("Actual", "Exercise", "System", "Test", "Draft"),
    "msgType": ("Alert", "Update", "Cancel", "Ack", "Error"),
    "scope": ("Public", "Restricted", "Private"),
    "category": ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
                 "Infra", "CBRNE", "Other"),
    "responseType": ("Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                     "AllClear", "None"),
    "urgency": ("Immediate", "Expected", "Future", "Past", "Unknown"),
    "severity": ("Extreme", "Severe", "Moderate", "Minor", "Unknown"),
    "certainty": ("Observed", "Likely", "Possible", "Unlikely", "Unknown"),
}
UNBOUNDED = 10**9
# (element, minOccurs, maxOccurs) in the order of the XSD sequences
ALERT_SEQ = [("identifier", 1, 1), ("sender", 1, 1), ("sent", 1, 1), ("status", 1, 1), ("msgType", 1, 1),
             ("source", 0, 1), ("scope", 1, 1), ("restriction", 0, 1), ("addresses", 0, 1),
             ("code", 0, UNBOUNDED), ("note", 0, 1), ("references", 0, 1), ("incidents", 0, 1),
             ("info", 0, UNBOUNDED)]
INFO_SEQ = [("language", 0, 1), ("category", 1, UNBOUNDED), ("event", 1, 1), ("responseType", 0, UNBOUNDED),
            ("urgency", 1, 1), ("severity", 1, 1), ("certainty", 1, 1), ("audience", 0, 1),
            ("eventCode", 0, UNBOUNDED), ("effective", 0, 1), ("onset", 0, 1), ("expires", 0, 1),
            ("senderName", 0, 1), ("headline", 0, 1), ("description", 0, 1), ("instruction", 0, 1),
            ("web", 0, 1), ("contact", 0, 1), ("parameter", 0, UNBOUNDED), ("resource", 0, UNBOUNDED),
            ("area", 0, UNBOUNDED)]
RESOURCE_SEQ = [("resourceDesc", 1, 1), ("mimeType", 1, 1), ("size", 0, 1), ("uri", 0, 1),
                ("derefUri", 0, 1), ("digest", 0, 1)]
AREA_SEQ = [("areaDesc", 1, 1), ("polygon", 0, UNBOUNDED), ("circle", 0, UNBOUNDED),
            ("geocode", 0, UNBOUNDED), ("altitude", 0, 1), ("ceiling", 0, 1)]
PAIR_SEQ = [("valueName", 1, 1), ("value", 1, 1)]
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")  # the XSD pattern: no fraction, no Z
ID_FORBIDDEN = re.compile(r"[\s,<&]")
DATE_FIELDS = ("effective", "onset", "expires")


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def _check_sequence(elem: Any, seq: list[tuple[str, int, int]], where: str) -> None:
    """Children of ``elem`` follow ``seq`` (order, min/max occurrences), all in the CAP namespace."""
    names = [n for n, _, _ in seq]
    counts = dict.fromkeys(names, 0)
    pos = 0
    for child in elem:
        if not isinstance(child.tag, str):
            continue  # comments / processing instructions
        if not child.tag.startswith(Q):
            raise CapError(f"{where}: element <{child.tag}> is not in the CAP 1.2 namespace")
        name = _local(child.tag)
        if name not in counts:
            raise CapError(f"{where}: unexpected element <{name}>")
        idx = names.index(name)
        if idx < pos:
            raise CapError(f"{where}: element <{name}> out of order (after <{names[pos]}>)")
        pos = idx
        counts[name] += 1
        if counts[name] > seq[idx][2]:
            raise CapError(f"{where}: element <{name}> occurs more than {seq[idx][2]} time(s)")
    for name, lo, _ in seq:
        if counts[name] < lo:
            raise CapError(f"{where}: required element <{name}> is missing")


def parse_cap_datetime(text: str, where: str) -> dt.datetime:
    text = text.strip()
    if not DATETIME_RE.match(text):
        raise CapError(f"{where}: '{text}' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)")
    try:
        return dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    except ValueError as exc:
        raise CapError(f"{where}: '{text}' is not a valid date/time: {exc}") from None


def format_cap_datetime(value: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if tz is not None:
        value = value.astimezone(tz)
    return value.replace(microsecond=0).isoformat()


def _parse_polygon(text: str, where: str) -> list[tuple[float, float]]:
    pts = []
    for pair in text.split():
        try:
            lat_s, lon_s = pair.split(",")
            lat, lon = float(lat_s), float(lon_s)
        except ValueError:
            raise CapError(f"{where}: polygon point '{pair}' is not 'lat,lon'") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CapError(f"{where}: polygon point '{pair}' out of range")
        pts.append((lat, lon))
    if len(pts) < 4:
        raise CapError(f"{where}: a polygon needs at least 4 points, got {len(pts)}")
    if pts[0] != pts[-1]:
        raise CapError(f"{where}: polygon is not closed (first point != last point)")
    return pts


def _parse_circle(text: str, where: str) -> tuple[float, float, float]:
    try:
        centre, radius = text.split()
        lat_s, lon_s = centre.split(",")
        lat, lon, r = float(lat_s), float(lon_s), float(radius)
    except ValueError:
        raise CapError(f"{where}: circle '{text.strip()}' is not 'lat,lon radius'") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or r < 0:
        raise CapError(f"{where}: circle '{text.strip()}' out of range")
    return lat, lon, r


# ---------------------------------------------------------------------------------------------- model
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


# ---------------------------------------------------------------------------------------------- parse
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
        _check_sequence(c, PAIR_SEQ, f"{where}/{name}")
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
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise CapError(f"forbidden XML construct (DTD/entity/external reference): {type(exc).__name__}") from None
    except StdET.ParseError as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    return alert_from_element(root)


def alert_from_element(root: Any) -> CapAlert:
    if root.tag != Q + "alert":
        if _local(root.tag) == "alert" and "emergency:cap" in root.tag:
            raise CapError(f"unsupported CAP version: namespace {root.tag.split('}')[0][1:]} (need {NS})")
        raise CapError(f"not a CAP 1.2 alert: root element is <{root.tag}>")
    _check_sequence(root, ALERT_SEQ, "alert")
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
    _check_sequence(el, INFO_SEQ, where)
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
        _check_sequence(res, RESOURCE_SEQ, w)
        size = _float(_text(res, "size"), w)
        info.resources.append(CapResource(
            resource_desc=_text(res, "resourceDesc") or "", mime_type=_text(res, "mimeType") or "",
            size=None if size is None else int(size), uri=_text(res, "uri"),
            deref_uri=_deref_summary(_text(res, "derefUri")), digest=_text(res, "digest")))
    for n, area in enumerate(el.findall(Q + "area"), 1):
        w = f"{where}/area[{n}]"
        _check_sequence(area, AREA_SEQ, w)
        altitude = _float(_text(area, "altitude"), w)
        ceiling = _float(_text(area, "ceiling"), w)
        if ceiling is not None and altitude is None:
            raise CapError(f"{w}: <ceiling> without <altitude>")
        info.areas.append(CapArea(
            area_desc=_text(area, "areaDesc") or "",
            polygons=[_parse_polygon(t, w) for t in _texts(area, "polygon")],
            circles=[_parse_circle(t, w) for t in _texts(area, "circle")],
            geocodes=_pairs(area, "geocode", w), altitude=altitude, ceiling=ceiling))
    return info


# ---------------------------------------------------------------------------------------------- geometry
def circle_ring(lat: float, lon: float, radius_km: float, n: int = 32) -> list[list[float]]:
    """A closed ring of [lon, lat] approximating a CAP circle (equirectangular, fine at city scale)."""
    ring = []
    dlat = radius_km / 110.574
    dlon = radius_km / (111.320 * max(math.cos(math.radians(lat)), 1e-6))
    for k in range(n):
        a = 2 * math.pi * k / n
        ring.append([round(lon + dlon * math.cos(a), 6), round(lat + dlat * math.sin(a), 6)])
    ring.append(ring[0])
    return ring


def areas_geojson(info: CapInfo | None, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every area of an info block as GeoJSON features: polygons, circles (as rings, radius kept;
    radius 0 = a point) and geocode-only areas (geometry null)."""
    feats: list[dict[str, Any]] = []
    if info is None:
        return {"type": "FeatureCollection", "features": feats}
    base = dict(properties or {})
    for area in info.areas:
        props = {**base, "areaDesc": area.area_desc, "geocodes": [list(g) for g in area.geocodes]}
        for poly in area.polygons:
            feats.append({"type": "Feature", "properties": {**props, "shape": "polygon"},
                          "geometry": {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in poly]]}})
        for lat, lon, r in area.circles:
            if r > 0:
                geom = {"type": "Polygon", "coordinates": [circle_ring(lat, lon, r)]}
            else:
                geom = {"type": "Point", "coordinates": [lon, lat]}
            feats.append({"type": "Feature", "properties": {**props, "shape": "circle", "radius_km": r},
                          "geometry": geom})
        if not area.polygons and not area.circles:
            feats.append({"type": "Feature", "properties": {**props, "shape": "geocode"}, "geometry": None})
    return {"type": "FeatureCollection", "features": feats}


# ---------------------------------------------------------------------------------------------- write
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
