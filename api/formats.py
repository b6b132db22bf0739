"""Open311 bodies in JSON and XML, and errors in the Open311 shape (``[{code, description}]``).

GeoReport v2 chooses the format by the path's suffix (``requests.json`` / ``requests.xml``); errors
follow the suffix of the path that failed. Times are ISO 8601 in Vietnam time (+07:00).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Response
from starlette.exceptions import HTTPException

from core.tz import VN_TZ

# characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot): a stray one typed into a
# report would otherwise make the whole answer unreadable
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"


class ApiError(HTTPException):
    """An error answered in the Open311 error shape, in the format the path asked for."""


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(VN_TZ).isoformat(timespec="seconds")


def clean(text: str) -> str:
    """``text`` with characters XML and UTF-8 cannot carry replaced by a space."""
    return _NOT_XML.sub(" ", text)


def plain(value: Any) -> Any:
    """JSON-able copy: datetimes as ISO 8601 with the Vietnam offset, text cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return iso(value)
    return clean(str(value))


def _fill(parent: ET.Element, data: Mapping[str, Any], item_tags: Mapping[str, str]) -> None:
    for key, value in data.items():
        el = ET.SubElement(parent, key)
        if isinstance(value, Mapping):
            _fill(el, value, item_tags)
        elif isinstance(value, list | tuple):
            for v in value:
                child = ET.SubElement(el, item_tags.get(key, "item"))
                if isinstance(v, Mapping):
                    _fill(child, v, item_tags)
                else:
                    child.text = _text(v)
        else:
            el.text = _text(value)


def xml_document(root: str, data: Mapping[str, Any] | None = None, *, item: str | None = None,
                 items: Iterable[Mapping[str, Any]] = (), item_tags: Mapping[str, str] | None = None) -> bytes:
    """``<root>`` holding ``data``'s fields, or one ``<item>`` per element of ``items``."""
    el = ET.Element(root)
    tags = dict(item_tags or {})
    if data is not None:
        _fill(el, data, tags)
    for it in items:
        _fill(ET.SubElement(el, item or "item"), it, tags)
    return ET.tostring(el, encoding="utf-8", xml_declaration=True)


def json_response(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(plain(data), ensure_ascii=False, allow_nan=False)
    return Response(body.encode("utf-8"), status_code=status, media_type=JSON_TYPE, headers=dict(headers or {}))


def xml_response(body: bytes, status: int = 200, media_type: str = XML_TYPE,
                 headers: Mapping[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type=media_type, headers=dict(headers or {}))


def error_response(path: str, status: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    """The Open311 error body: XML when the path ends in .xml, else JSON."""
    if path.endswith(".xml"):
        body = xml_document("errors", item="error", items=[{"code": status, "description": description}])
        return xml_response(body, status, headers=headers)
    return json_response([{"code": status, "description": description}], status, headers)
