"""What a received CAP document holds: one alert, a container of many, or an EDXL-DE distribution.

Each alert becomes one part with its position in the document (1-based; ``None`` for a document that is
the alert itself, whose bytes are then kept exactly as received). Nothing here validates CAP: that is
``parse.parse_cap`` on each part. Hostile XML (DTDs, entities) is refused by ``parse.safe_xml`` before
lxml reads anything.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from dataclasses import dataclass

from lxml import etree

from pipelines.disasters.cap.parse import safe_xml
from pipelines.disasters.cap.rules import CapError, Q, local_name
from pipelines.disasters.cap.signature import SAFE_PARSER

EDXL_DE_NS = ("urn:oasis:names:tc:emergency:EDXL:DE:1.0", "urn:oasis:names:tc:emergency:EDXL:DE:2.0")
_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_BOMS = ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


@dataclass(frozen=True)
class AlertPart:
    position: int | None  # 1-based position in its container; None: the document is the alert
    wrapper: str  # alert | container | edxl-de
    data: bytes


def declared_encoding(raw: bytes) -> str:
    """The encoding a document declares: its byte-order mark, else its XML declaration, else UTF-8."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    m = _DECL.match(raw.lstrip())
    return m.group(1).decode("ascii").upper() if m else "UTF-8"


def decoded_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding): the document read in the encoding it declares. Bytes that do not fit that
    encoding (a mislabelled file) are kept as replacement characters; the raw bytes stay as received."""
    enc = declared_encoding(raw)
    try:
        return raw.decode(codecs.lookup(enc).name), enc
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace"), enc


def _serialise(elem: etree._Element) -> bytes:
    return etree.tostring(elem, encoding="UTF-8", xml_declaration=True)


def _edxl_parts(root: etree._Element, ns: str) -> list[AlertPart]:
    parts: list[AlertPart] = []
    for n, obj in enumerate(root.iter(f"{{{ns}}}contentObject"), 1):
        embedded = obj.find(f"{{{ns}}}xmlContent/{{{ns}}}embeddedXMLContent")
        if embedded is not None:
            parts += [AlertPart(n, "edxl-de", _serialise(a)) for a in embedded if a.tag == Q + "alert"]
            continue
        non_xml = obj.find(f"{{{ns}}}nonXMLContent")
        mime = (non_xml.findtext(f"{{{ns}}}mimeType") or "") if non_xml is not None else ""
        data = (non_xml.findtext(f"{{{ns}}}contentData") or "") if non_xml is not None else ""
        if "cap" in mime.lower() and data.strip():
            try:
                parts.append(AlertPart(n, "edxl-de", base64.b64decode(data, validate=False)))
            except (binascii.Error, ValueError):
                raise CapError(f"EDXL-DE contentObject[{n}]: contentData is not base64") from None
    if not parts:
        raise CapError("EDXL-DE distribution holds no CAP 1.2 alert")
    return parts


def split_alerts(raw: bytes) -> list[AlertPart]:
    """The alerts of a received document, in document order. ``CapError`` when it holds none."""
    safe_xml(raw)  # refuses DTDs, entities and malformed XML with the usual reasons
    root = etree.fromstring(raw, parser=SAFE_PARSER)
    tag = root.tag if isinstance(root.tag, str) else ""
    if local_name(tag) == "alert":
        return [AlertPart(None, "alert", raw)]  # any CAP version: parse_cap names the one it needs
    ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if ns in EDXL_DE_NS and local_name(tag) == "EDXLDistribution":
        return _edxl_parts(root, ns)
    # a container: every CAP alert not nested inside another one, in document order
    alerts = [e for e in root.iter(Q + "alert")
              if not any(a.tag == Q + "alert" for a in e.iterancestors())]
    if not alerts:
        raise CapError(f"not a CAP 1.2 alert: root element is <{tag}> and holds no CAP 1.2 alert")
    return [AlertPart(n, "container", _serialise(a)) for n, a in enumerate(alerts, 1)]
