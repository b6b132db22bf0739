"""What can be saved of a truncated or broken GeoReport v2 document: every complete record before the break.

JSON: the elements of the request (or service) array are decoded one at a time, so a file cut in the
middle of its 400th request keeps the first 399. XML: expat reads ``<request>`` / ``<service>`` elements
as they end, with DTDs and entity declarations refused exactly as ``defusedxml`` would. Either way the
result says at which byte the rest begins and why it could not be read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

_WRAPPED = re.compile(r'\{\s*"(service_requests|requests|services)"\s*:\s*\[')
_BOM = "\ufeff"


@dataclass(frozen=True)
class Salvaged:
    kind: str  # requests | services
    items: list[Any]  # the complete records, in document order
    offset: int  # byte where the unread rest begins
    reason: str  # why the rest could not be read


class _Forbidden(Exception):
    pass


def _byte(text: str, pos: int, skipped: int) -> int:
    return skipped + len(text[:pos].encode("utf-8"))


def salvage_json(data: bytes) -> Salvaged | None:
    """Complete elements of a broken JSON array; None when the document is not a JSON array at all."""
    skipped = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[skipped:].decode("utf-8")
        cut = ""
    except UnicodeDecodeError as exc:  # keep what decodes; the bad byte is where reading stops
        text = data[skipped:skipped + exc.start].decode("utf-8")
        cut = f"not UTF-8 at byte {skipped + exc.start}"
    stripped = text.lstrip()
    pos = len(text) - len(stripped)
    kind = "requests"
    if stripped.startswith("["):
        pos += 1
    else:
        m = _WRAPPED.match(stripped)
        if m is None:
            return None
        kind = "services" if m.group(1) == "services" else "requests"
        pos += m.end()
    decoder = json.JSONDecoder()
    items: list[Any] = []
    ws = re.compile(r"[ \t\r\n]*")
    while True:
        pos = ws.match(text, pos).end()
        start = pos
        try:
            item, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deep"
            reason = cut or f"broken JSON at byte {_byte(text, getattr(exc, 'pos', start), skipped)}: {detail}"
            return Salvaged(kind, items, _byte(text, start, skipped), reason)
        items.append(item)
        pos = ws.match(text, pos).end()
        if text.startswith(",", pos):
            pos += 1
            continue
        end = _byte(text, pos, skipped)
        reason = cut or (f"broken JSON at byte {end}: expected ',' or ']'" if pos < len(text)
                         else f"document ends at byte {end} inside the list (truncated)")
        return Salvaged(kind, items, end, reason)


def salvage_xml(data: bytes) -> Salvaged | None:
    """Complete ``<request>`` / ``<service>`` elements of a broken XML document; None for hostile XML
    (DTD, entity declarations) or a document whose root is not a request or service list."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    items: list[dict[str, str]] = []
    state: dict[str, Any] = {"depth": 0, "item": None, "field": None, "text": [], "tag": None, "end": 0}

    def forbid(*_: Any) -> None:
        raise _Forbidden

    def start(name: str, _attrs: dict[str, str]) -> None:
        state["depth"] += 1
        if state["depth"] == 1:
            state["tag"] = "service" if name in ("services", "service") else "request"
        elif state["depth"] == 2 and name == state["tag"]:
            state["item"] = {}
        elif state["depth"] == 3 and state["item"] is not None:
            state["field"], state["text"] = name, []

    def chars(text: str) -> None:
        if state["field"] is not None:
            state["text"].append(text)

    def end(name: str) -> None:
        if state["depth"] == 3 and state["field"] is not None:
            state["item"][state["field"]] = "".join(state["text"]).strip()
            state["field"] = None
        elif state["depth"] == 2 and state["item"] is not None:
            items.append(state["item"])
            state["item"] = None
            close = data.find(b">", parser.CurrentByteIndex)
            state["end"] = close + 1 if close >= 0 else len(data)
        state["depth"] -= 1

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _Forbidden:
        return None
    except expat.ExpatError as exc:
        kind = "services" if state["tag"] == "service" else "requests"
        reason = f"broken XML at byte {parser.ErrorByteIndex}: {expat.ErrorString(exc.code)}"
        return Salvaged(kind, items, state["end"], reason)
    return None  # well-formed after all: nothing to salvage


def salvage(data: bytes) -> Salvaged | None:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return salvage_xml(data) if head == b"<" else salvage_json(data)
