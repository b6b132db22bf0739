"""The rules of the OASIS CAP-v1.2.xsd the validator checks: element sequences (order and cardinality),
enumerations, the dateTime pattern (explicit offset, no "Z"), identifiers, polygons and circles."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

NS = "urn:oasis:names:tc:emergency:cap:1.2"
Q = f"{{{NS}}}"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"  # the XSD ends <alert> with <any namespace="…xmldsig#">


class CapError(ValueError):
    """An input that is not a valid CAP 1.2 alert; ``reason`` goes to silver.rejects."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def local_name(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def check_sequence(elem: Any, seq: list[tuple[str, int, int]], where: str, tail_ns: str | None = None) -> None:
    """Children of ``elem`` follow ``seq`` (order, min/max occurrences), all in the CAP namespace.

    ``tail_ns``: elements of that namespace may close the sequence (the alert's enveloped signatures),
    nothing of CAP may follow them."""
    names = [n for n, _, _ in seq]
    counts = dict.fromkeys(names, 0)
    pos = 0
    in_tail = False
    for child in elem:
        if not isinstance(child.tag, str):
            continue  # comments / processing instructions
        if tail_ns is not None and child.tag.startswith(f"{{{tail_ns}}}"):
            in_tail = True
            continue
        if in_tail:
            raise CapError(f"{where}: element <{local_name(child.tag)}> after the signature")
        if not child.tag.startswith(Q):
            raise CapError(f"{where}: element <{child.tag}> is not in the CAP 1.2 namespace")
        name = local_name(child.tag)
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


def parse_polygon(text: str, where: str) -> list[tuple[float, float]]:
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


def parse_circle(text: str, where: str) -> tuple[float, float, float]:
    try:
        centre, radius = text.split()
        lat_s, lon_s = centre.split(",")
        lat, lon, r = float(lat_s), float(lon_s), float(radius)
    except ValueError:
        raise CapError(f"{where}: circle '{text.strip()}' is not 'lat,lon radius'") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or r < 0:
        raise CapError(f"{where}: circle '{text.strip()}' out of range")
    return lat, lon, r


