"""The IOC's issued warnings as a CAP 1.2 Atom feed: our own feed reader and CAP parser read the feed and
every alert back (one info per language), and a configured key signs each alert verifiably."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature

from api.app import create_app
from api.config import ApiConfig
from lake import Lake
from pipelines.disasters.cap.parse import parse_cap
from pipelines.disasters.cap.write import validate_cap
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import CapDocument, feed_documents, feed_links
from tests.api.helpers import SigningKey, serve

ATOM = "{http://www.w3.org/2005/Atom}"
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"


def issued(lake: Lake) -> list[tuple[str, str]]:
    """(warning_id, identifier) of every issued warning, newest first, by plain SQL."""
    return lake.sql("SELECT warning_id, identifier FROM silver.warnings WHERE direction = 'issued' "
                    "ORDER BY sent DESC, warning_id").rows()


def test_our_cap_reader_reads_the_feed_and_every_alert_back(api_lake: Lake) -> None:
    expected = issued(api_lake)
    assert len(expected) >= 10
    with serve(create_app(api_lake, ApiConfig())) as base:
        feed = requests.get(f"{base}/cap/atom.xml", timeout=30)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        links = feed_links(feed.content, base_url=f"{base}/cap/atom.xml")
        assert links == [f"{base}/cap/alerts/{wid}.xml" for wid, _ in expected]
        docs = list(feed_documents(f"{base}/cap/atom.xml"))
        limited = feed_links(requests.get(f"{base}/cap/atom.xml", params={"limit": 3}, timeout=30).content)
        one = requests.get(links[0], timeout=30)
        missing = requests.get(f"{base}/cap/alerts/0000.xml", timeout=30)
    assert len(limited) == 3
    assert one.headers["content-type"].startswith("application/cap+xml")
    assert missing.status_code == 404 and ET.fromstring(missing.content).findtext("error/code") == "404"
    assert [d.error for d in docs] == [None] * len(expected)
    alerts = [parse_cap(d.data) for d in docs]
    assert [a.identifier for a in alerts] == [ident for _, ident in expected]
    for doc, alert in zip(docs, alerts, strict=True):
        assert validate_cap(doc.data) == []
        assert alert.languages == ["vi-VN", "en-US"]  # one info per language, Vietnamese first
        assert alert.sender == "ioc@hue.gov.vn"
    root = ET.fromstring(feed.content)
    assert root.tag == f"{ATOM}feed"
    first = root.find(f"{ATOM}entry")
    headline_vi = api_lake.sql("SELECT headline FROM silver.warnings WHERE warning_id = $id",
                               {"id": expected[0][0]}).item()
    assert first.findtext(f"{ATOM}title") == headline_vi
    assert first.findtext(f"{ATOM}published").endswith("+07:00")


def test_alerts_are_signed_when_a_key_is_configured(api_lake: Lake, signing_key: SigningKey,
                                                    tmp_path) -> None:
    config = ApiConfig(signing_key=str(signing_key.key_path), signing_cert=str(signing_key.cert_path))
    expected = issued(api_lake)
    with serve(create_app(api_lake, config)) as base:
        docs = list(feed_documents(f"{base}/cap/atom.xml"))
    assert len(docs) == len(expected)
    for doc, (_, ident) in zip(docs, expected, strict=True):
        tree = etree.fromstring(doc.data)
        assert tree[-1].tag == f"{DSIG}Signature"  # enveloped, after the info blocks, as CAP 1.2 allows
        XMLVerifier().verify(doc.data, x509_cert=signing_key.cert_pem)
        alert = parse_cap(doc.data)  # our parser reads the signed alert as published
        assert alert.identifier == ident and alert.languages == ["vi-VN", "en-US"]
    tampered = docs[0].data.replace(b"<severity>", b"<severity>X", 1)
    assert tampered != docs[0].data
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(tampered, x509_cert=signing_key.cert_pem)
    # our own CAP intake, trusting the IOC's certificate, verifies every alert and refuses the tampered one
    partner = Lake.open(tmp_path / "partner")
    res = ingest_documents(partner, [*docs, CapDocument("tampered.xml", "feed", data=tampered)],
                           trust_store=str(signing_key.cert_path), policy="refuse_invalid")
    assert (res.inserted, res.rejected) == (len(expected), 1)
    assert partner.sql("SELECT DISTINCT signature FROM silver.warnings").rows() == [("verified",)]
    assert partner.sql("SELECT reason FROM silver.rejects").item().startswith("signature invalid")
