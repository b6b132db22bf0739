"""CAP 1.2 read in full and refused word for word: one hand-made document that uses every element, read
into the model written out here by hand, and the refusals' exact texts (issue 17: the mutants of
cap/parse.py that change a field or a reason without failing a test)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.disasters.cap.model import CapAlert, CapArea, CapInfo, CapResource
from pipelines.disasters.cap.parse import parse_cap, read_limited
from pipelines.disasters.cap.rules import CapError

UTC = dt.UTC
NS = "urn:oasis:names:tc:emergency:cap:1.2"

FULL = f"""<alert xmlns="{NS}"><identifier> F-1 </identifier><sender>ioc@hue</sender>
<sent>2025-11-17T08:00:00+07:00</sent><status>Exercise</status><msgType>Update</msgType><source> drill </source>
<scope>Restricted</scope><restriction>IOC staff</restriction><addresses>ops@hue duty@hue</addresses>
<code>A</code><code>B</code><note> a note </note>
<references>ioc@hue,F-0,2025-11-17T07:00:00+07:00 ioc@hue,F-00,2025-11-16T07:00:00+07:00</references>
<incidents>FLOOD-1</incidents>
<info><language>vi-VN</language><category>Met</category><category>Safety</category><event> Lũ </event>
<responseType>Evacuate</responseType><responseType>Monitor</responseType>
<urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty><audience>dân</audience>
<eventCode><valueName>SAME</valueName><value>FLW</value></eventCode>
<eventCode><valueName>VN</valueName><value></value></eventCode>
<effective>2025-11-17T08:30:00+07:00</effective><onset>2025-11-17T09:00:00+07:00</onset>
<expires>2025-11-18T08:00:00+07:00</expires><senderName>Hue IOC</senderName><headline>Lũ lớn</headline>
<description>Nước lên</description><instruction>Sơ tán</instruction><web>http://example.invalid/w</web>
<contact>1900</contact><parameter><valueName>level</valueName><value>4.96</value></parameter>
<parameter><valueName></valueName><value>v</value></parameter>
<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><size>2048</size>
<uri>http://example.invalid/m.png</uri><derefUri>QUJDRA==</derefUri><digest>d1</digest></resource>
<resource><resourceDesc>table</resourceDesc><mimeType>text/csv</mimeType></resource>
<resource><resourceDesc></resourceDesc><mimeType> </mimeType></resource>
<area><areaDesc>Kim Long</areaDesc><polygon>16,107 16,108 17,108 16,107</polygon>
<circle>16.46,107.56 2.5</circle><geocode><valueName>ward</valueName><value>19753</value></geocode>
<altitude>1.5</altitude><ceiling>30</ceiling></area>
<area><areaDesc> Phú Ốc </areaDesc><altitude></altitude></area>
<area><areaDesc></areaDesc></area>
</info>
<info><category>Other</category><event>Flood</event><urgency>Future</urgency><severity>Minor</severity>
<certainty>Possible</certainty></info></alert>"""


def test_every_element_is_read_into_the_model() -> None:
    expected = CapAlert(
        identifier="F-1", sender="ioc@hue", sent=dt.datetime(2025, 11, 17, 1, tzinfo=UTC),
        sent_text="2025-11-17T08:00:00+07:00", status="Exercise", msg_type="Update", scope="Restricted",
        source="drill", restriction="IOC staff", addresses="ops@hue duty@hue", codes=["A", "B"], note="a note",
        references=[("ioc@hue", "F-0", "2025-11-17T07:00:00+07:00"), ("ioc@hue", "F-00", "2025-11-16T07:00:00+07:00")],
        incidents="FLOOD-1",
        infos=[
            CapInfo(language="vi-VN", categories=["Met", "Safety"], event="Lũ",
                    response_types=["Evacuate", "Monitor"], urgency="Immediate", severity="Severe",
                    certainty="Observed", audience="dân", event_codes=[("SAME", "FLW"), ("VN", "")],
                    effective=dt.datetime(2025, 11, 17, 1, 30, tzinfo=UTC),
                    onset=dt.datetime(2025, 11, 17, 2, tzinfo=UTC), expires=dt.datetime(2025, 11, 18, 1, tzinfo=UTC),
                    sender_name="Hue IOC", headline="Lũ lớn", description="Nước lên", instruction="Sơ tán",
                    web="http://example.invalid/w", contact="1900", parameters=[("level", "4.96"), ("", "v")],
                    resources=[CapResource("map", "image/png", 2048, "http://example.invalid/m.png",
                                           "(embedded base64, 8 characters)", "d1"),
                               CapResource("table", "text/csv"), CapResource("", "")],
                    areas=[CapArea("Kim Long", polygons=[[(16.0, 107.0), (16.0, 108.0), (17.0, 108.0), (16.0, 107.0)]],
                                   circles=[(16.46, 107.56, 2.5)], geocodes=[("ward", "19753")], altitude=1.5,
                                   ceiling=30.0),
                           CapArea("Phú Ốc"), CapArea("")]),
            # no <language>: the XSD's default
            CapInfo(language="en-US", categories=["Other"], event="Flood", response_types=[], urgency="Future",
                    severity="Minor", certainty="Possible"),
        ])
    assert parse_cap(FULL) == expected


def test_a_document_without_optional_parts_reads_as_empty() -> None:
    doc = (f'<alert xmlns="{NS}"><identifier>E</identifier><sender>s@x</sender>'
           "<sent>2025-11-17T08:00:00-01:00</sent><status>Actual</status><msgType>Alert</msgType>"
           "<scope>Public</scope></alert>")
    assert parse_cap(doc.encode()) == CapAlert(
        identifier="E", sender="s@x", sent=dt.datetime(2025, 11, 17, 9, tzinfo=UTC),
        sent_text="2025-11-17T08:00:00-01:00", status="Actual", msg_type="Alert", scope="Public")


def _refusal(doc: str, **kw) -> str:
    with pytest.raises(CapError) as err:
        parse_cap(doc, **kw)
    assert err.value.reason == str(err.value)
    return str(err.value)


INFO_OPEN = FULL.index("<info>")
SHORT = FULL[:INFO_OPEN] + "</alert>"


@pytest.mark.parametrize("old,new,reason", [
    ("<restriction>IOC staff</restriction>", "", "alert: scope Restricted needs <restriction>"),
    ("ioc@hue,F-00,2025-11-16T07:00:00+07:00", "ioc@hue,F-00", "alert/references: 'ioc@hue,F-00' is not "
                                                               "'sender,identifier,sent'"),
    ("ioc@hue,F-00,2025-11-16T07:00:00+07:00", "a,b,c,2025-11-16T07:00:00+07:00",
     "alert/references: 'a,b,c,2025-11-16T07:00:00+07:00' is not 'sender,identifier,sent'"),
    ("ioc@hue,F-00,2025-11-16T07:00:00+07:00", "ioc@hue,F-00,yesterday",
     "alert/references: 'yesterday' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)"),
    ("<status>Exercise</status>", "<status>exercise</status>",
     "alert: <status> value 'exercise' not in ['Actual', 'Exercise', 'System', 'Test', 'Draft']"),
    ("<identifier> F-1 </identifier>", "<identifier></identifier>",
     "alert: <identifier> '' is empty or contains spaces, commas, '<' or '&'"),
    ("<sender>ioc@hue</sender>", "<sender></sender>",
     "alert: <sender> '' is empty or contains spaces, commas, '<' or '&'"),
    ("<sent>2025-11-17T08:00:00+07:00</sent>", "<sent></sent>",
     "alert/sent: '' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)"),
    ("<msgType>Update</msgType>", "<msgType>Notice</msgType>",
     "alert: <msgType> value 'Notice' not in ['Alert', 'Update', 'Cancel', 'Ack', 'Error']"),
    ("<scope>Restricted</scope>", "<scope>Everyone</scope>",
     "alert: <scope> value 'Everyone' not in ['Public', 'Restricted', 'Private']"),
    ("<incidents>FLOOD-1</incidents>", "<incidents>FLOOD-1</incidents><extra/>", "alert: unexpected element <extra>"),
    ("<incidents>FLOOD-1</incidents>", '<incidents>FLOOD-1</incidents><x:extra xmlns:x="urn:other"/>',
     "alert: element <{urn:other}extra> is not in the CAP 1.2 namespace"),
], ids=["restricted", "two-parts", "four-parts", "reference-time", "enum", "empty-identifier", "empty-sender",
        "empty-sent", "msg-type", "scope", "unexpected", "other-namespace"])
def test_alert_refusals_word_for_word(old: str, new: str, reason: str) -> None:
    assert _refusal(SHORT.replace(old, new)) == reason


@pytest.mark.parametrize("old,new,reason", [
    ("<event> Lũ </event>", "<event> </event>", "alert/info[1]: <event> is empty"),
    ("<altitude>1.5</altitude><ceiling>30</ceiling>", "<ceiling>30</ceiling>",
     "alert/info[1]/area[1]: <ceiling> without <altitude>"),
    ("<altitude>1.5</altitude>", "<altitude>high</altitude>", "alert/info[1]/area[1]: 'high' is not a number"),
    ("<altitude></altitude></area>", "<altitude>1</altitude><ceiling>x</ceiling></area>",
     "alert/info[1]/area[2]: 'x' is not a number"),
    ("<resourceDesc>table</resourceDesc><mimeType>text/csv</mimeType>",
     "<resourceDesc>table</resourceDesc><mimeType>text/csv</mimeType><size>1e</size>",
     "alert/info[1]/resource[2]: '1e' is not a number"),
    ("<onset>2025-11-17T09:00:00+07:00</onset>", "<onset>2025-11-17T09:00:00Z</onset>",
     "alert/info[1]/onset: '2025-11-17T09:00:00Z' is not a CAP dateTime (YYYY-MM-DDThh:mm:ss±hh:mm)"),
    ("<certainty>Possible</certainty>", "<certainty>Sure</certainty>",
     "alert/info[2]: <certainty> value 'Sure' not in ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown']"),
    ("<responseType>Monitor</responseType>", "<responseType>Run</responseType>",
     "alert/info[1]: <responseType> value 'Run' not in ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', "
     "'Monitor', 'Assess', 'AllClear', 'None']"),
    ("<eventCode><valueName>VN</valueName><value></value></eventCode>",
     "<eventCode><value>1</value><valueName>VN</valueName></eventCode>",
     "alert/info[1]/eventCode: element <valueName> out of order (after <value>)"),
    ("<geocode><valueName>ward</valueName><value>19753</value></geocode>", "<geocode><value>1</value></geocode>",
     "alert/info[1]/area[1]/geocode: required element <valueName> is missing"),
    ("<resourceDesc>map</resourceDesc><mimeType>image/png</mimeType>", "<resourceDesc>map</resourceDesc>",
     "alert/info[1]/resource[1]: required element <mimeType> is missing"),
    ("<area><areaDesc> Phú Ốc </areaDesc>", "<area><circle>1,2 3</circle>",
     "alert/info[1]/area[2]: required element <areaDesc> is missing"),
    ("<category>Safety</category>", "<category>Weather</category>",
     "alert/info[1]: <category> value 'Weather' not in ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', "
     "'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other']"),
    ("<urgency>Immediate</urgency>", "<urgency>Now</urgency>",
     "alert/info[1]: <urgency> value 'Now' not in ['Immediate', 'Expected', 'Future', 'Past', 'Unknown']"),
    ("<severity>Severe</severity>", "<severity>Bad</severity>",
     "alert/info[1]: <severity> value 'Bad' not in ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']"),
    ("<parameter><valueName></valueName><value>v</value></parameter>", "<parameter><value>v</value></parameter>",
     "alert/info[1]/parameter: required element <valueName> is missing"),
    ("<polygon>16,107 16,108 17,108 16,107</polygon>", "<polygon>16,107 16,108 17,108 16,107.5</polygon>",
     "alert/info[1]/area[1]: polygon is not closed (first point != last point)"),
    ("<circle>16.46,107.56 2.5</circle>", "<circle>16.46,107.56 -1</circle>",
     "alert/info[1]/area[1]: circle '16.46,107.56 -1' out of range"),
], ids=["empty-event", "ceiling-alone", "altitude", "ceiling", "size", "onset", "enum-second-info",
        "response-type", "pair-order", "pair-missing", "resource", "area", "category", "urgency", "severity",
        "parameter", "open-polygon", "negative-radius"])
def test_info_refusals_word_for_word(old: str, new: str, reason: str) -> None:
    assert old in FULL
    assert _refusal(FULL.replace(old, new, 1)) == reason


@pytest.mark.parametrize("doc,reason", [
    (b"<alert", "not well-formed XML: unclosed token: line 1, column 0"),
    (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
     "forbidden XML construct (DTD/entity/external reference): DTDForbidden"),
    (f'<alert xmlns="{NS.replace("1.2", "1.1")}"/>'.encode(),
     "unsupported CAP version: namespace urn:oasis:names:tc:emergency:cap:1.1 (need " + NS + ")"),
    (b'<alert xmlns="urn:example:other:cap"/>', "not a CAP 1.2 alert: root element is <{urn:example:other:cap}alert>"),
    (b"<alert/>", "not a CAP 1.2 alert: root element is <alert>"),
], ids=["not-well-formed", "dtd", "cap-1-1", "other-namespace", "no-namespace"])
def test_documents_refused_word_for_word(doc: bytes, reason: str) -> None:
    assert _refusal(doc) == reason


def test_the_size_limit_is_inclusive(tmp_path: Path) -> None:
    # a document of exactly the limit is read; one byte more is refused before parsing
    doc = SHORT.encode()
    assert parse_cap(doc, max_bytes=len(doc)).identifier == "F-1"
    assert _refusal(doc, max_bytes=len(doc) - 1) == (
        f"too large: {len(doc)} bytes > limit {len(doc) - 1} bytes (refused before parsing)")
    f = tmp_path / "a.xml"
    f.write_bytes(b"0123456789")
    assert read_limited(f, max_bytes=10) == b"0123456789"
    with pytest.raises(CapError) as err:
        read_limited(f, max_bytes=9)
    assert str(err.value) == "too large: 10 bytes > limit 9 bytes (refused before parsing)"


def test_a_file_larger_than_its_stated_size_is_refused() -> None:
    # /proc files state a size of 0 and hold more: the read itself is capped (a file that grows while read)
    with pytest.raises(CapError) as err:
        read_limited("/proc/self/status", max_bytes=10)
    assert str(err.value) == "too large: more than 10 bytes (refused before parsing)"


@pytest.mark.parametrize("polygon,reason", [
    ("16,107 16,180.5 17,108 16,107", "area: polygon point '16,180.5' out of range"),
    ("16,107 16;108 17,108 16,107", "area: polygon point '16;108' is not 'lat,lon'"),
    ("16,107 16,108 16,107", "area: a polygon needs at least 4 points, got 3"),
], ids=["east-of-180", "not-a-pair", "three-points"])
def test_polygon_refusals_word_for_word(polygon: str, reason: str) -> None:
    from pipelines.disasters.cap.rules import parse_polygon

    with pytest.raises(CapError) as err:
        parse_polygon(polygon, "area")
    assert str(err.value) == reason


def test_circles_at_and_past_the_poles_and_the_antimeridian() -> None:
    from pipelines.disasters.cap.rules import parse_circle

    assert parse_circle("90,180 1", "area") == (90.0, 180.0, 1.0)
    for bad in ("90.5,0 1", "0,180.5 1"):
        with pytest.raises(CapError) as err:
            parse_circle(bad, "area")
        assert str(err.value) == f"area: circle '{bad}' out of range"


def test_the_size_limit_counts_the_bytes_of_a_text() -> None:
    # "Lũ" is 2 characters and 3 bytes in UTF-8: a text one byte over the limit is refused, however few characters
    doc = SHORT.replace("<note> a note </note>", "<note>Lũ</note>")
    size = len(doc.encode("utf-8"))
    assert size == len(doc) + 1
    assert parse_cap(doc, max_bytes=size).note == "Lũ"
    assert _refusal(doc, max_bytes=size - 1) == (
        f"too large: {size} bytes > limit {size - 1} bytes (refused before parsing)")
