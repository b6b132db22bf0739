"""The warnings the IOC issued, as a CAP 1.2 Atom feed and one CAP document per alert.

Each alert is the document the issuer built and validated (one ``<info>`` per language: vi-VN, then
en-US), signed with an enveloped XML signature when a signing key is configured.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, Security

from api.access import caller
from api.formats import ApiError, clean, iso, xml_response
from api.open311 import base_url
from api.schemas import ERRORS
from views.issued_warnings import issued_warning, issued_warnings

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
CAP_TYPE = "application/cap+xml; charset=utf-8"
FEED_TITLE = "Cảnh báo do IOC Huế phát hành / Warnings issued by the Huế IOC"
FEED_AUTHOR = "Trung tâm Giám sát, điều hành đô thị thông minh Huế (IOC)"

router = APIRouter(prefix="/cap", tags=["CAP 1.2"], dependencies=[Security(caller)])
_XML_ERRORS = {code: {**r, "content": {"application/xml": r["content"]["application/xml"]}}
               for code, r in ERRORS.items()}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = clean(text)
    return el


def atom_feed(warnings: list[dict[str, Any]], base: str, now: dt.datetime) -> bytes:
    """An Atom 1.0 feed with one entry per warning, each linking its CAP document."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    self_url = f"{base}/cap/atom.xml"
    _sub(feed, "id", self_url)
    _sub(feed, "title", FEED_TITLE)
    _sub(feed, "updated", iso(max((w["sent"] for w in warnings), default=now)))
    _sub(_sub(feed, "author"), "name", FEED_AUTHOR)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    for w in warnings:
        url = f"{base}/cap/alerts/{w['warning_id']}.xml"
        entry = _sub(feed, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", w["headline"] or w["event"] or w["identifier"])
        _sub(entry, "updated", iso(w["superseded_at"] or w["sent"]))
        _sub(entry, "published", iso(w["sent"]))
        _sub(_sub(entry, "author"), "name", w["sender_name"] or w["sender"])
        english = next((h for lang, h in w["headlines"].items() if lang.lower().startswith("en")), None)
        facts = f"{w['msg_type']} · {w['severity']} · {w['urgency']} · {w['certainty']}"
        _sub(entry, "summary", f"{facts}. {english}" if english else facts)
        for cat in w["categories"]:
            _sub(entry, "category", term=cat)
        _sub(entry, "link", rel="alternate", type="application/cap+xml", href=url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@router.get("/atom.xml", summary="Atom feed of the warnings the IOC issued, newest first",
            response_class=Response,
            responses={200: {"description": "Atom 1.0 feed",
                             "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                       **_XML_ERRORS})
def cap_atom(request: Request, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Response:
    rows = issued_warnings(request.app.state.lake, limit=limit)
    body = atom_feed(rows, base_url(request), dt.datetime.now(dt.UTC))
    return xml_response(body, media_type=ATOM_TYPE)


@router.get("/alerts/{warning_id}.xml", summary="One issued warning as a CAP 1.2 document",
            response_class=Response,
            responses={200: {"description": "CAP 1.2 alert (signed when the IOC has a signing key)",
                             "content": {"application/cap+xml": {"schema": {"type": "string"}}}},
                       **_XML_ERRORS})
def cap_alert(request: Request, warning_id: str) -> Response:
    row = issued_warning(request.app.state.lake, warning_id)
    if row is None or not row["xml"]:
        raise ApiError(404, "Không có cảnh báo này / no such alert")
    xml = row["xml"].encode("utf-8")
    signer = request.app.state.signer
    return xml_response(signer.sign(xml) if signer is not None else xml, media_type=CAP_TYPE)
