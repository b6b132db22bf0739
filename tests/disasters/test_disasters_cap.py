"""CAP 1.2 parsing: the shared spec examples, supersession, refusals, rejects, idempotent reruns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines.disasters.cap import parse as capmod
from pipelines.disasters.cap.parse import parse_cap, read_limited
from pipelines.disasters.cap.rules import CapError
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import file_documents, inbox_documents

A2 = "cap12_spec_A2_severe_thunderstorm_polygon.xml"
A3 = "cap12_spec_A3_earthquake_update_circle.xml"
A4 = "cap12_spec_A4_amber_multilingual_en_es.xml"


def test_polygon_example(cap_dir: Path) -> None:
    a = parse_cap((cap_dir / A2).read_bytes())
    assert (a.identifier, a.sender, a.status, a.msg_type, a.scope) == (
        "KSTO1055887203", "KSTO@NWS.NOAA.GOV", "Actual", "Alert", "Public")
    assert a.sent == dt.datetime(2003, 6, 17, 21, 57, tzinfo=dt.UTC)
    info = a.infos[0]
    assert info.categories == ["Met"] and info.event == "SEVERE THUNDERSTORM"
    assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Observed")
    assert info.response_types == ["Shelter"]
    assert info.event_codes == [("SAME", "SVR")]
    assert info.expires == dt.datetime(2003, 6, 17, 23, 0, tzinfo=dt.UTC) == a.expires
    assert info.language == "en-US"  # the XSD default when <language> is absent
    area = info.areas[0]
    assert area.polygons == [[(38.47, -120.14), (38.34, -119.95), (38.52, -119.74), (38.62, -119.89),
                              (38.47, -120.14)]]
    assert [v for _, v in area.geocodes] == ["006109", "006009", "006003"]
    assert info.instruction.startswith("TAKE COVER")


def test_circle_update_example(cap_dir: Path) -> None:
    a = parse_cap((cap_dir / A3).read_bytes())
    assert a.msg_type == "Update"
    assert a.references == [("trinet@caltech.edu", "TRI13970876.1", "2003-06-11T20:30:00-07:00")]
    info = a.infos[0]
    assert info.areas[0].circles == [(32.9525, -115.5527, 0.0)]
    assert dict(info.parameters)["Magnitude"] == "3.4 Ml"
    assert len(info.parameters) == 5
    assert info.web == "http://www.trinet.org/scsn/scsn.html"


def test_two_languages_example(cap_dir: Path) -> None:
    a = parse_cap((cap_dir / A4).read_bytes())
    assert a.languages == ["en-US", "es-US"]
    assert a.source == "SW"
    assert [i.event for i in a.infos] == ["Child Abduction", "Abducción de Niño"]
    assert all(i.areas[0].geocodes == [("SAME", "006037")] and not i.areas[0].polygons for i in a.infos)
    assert a.primary_info("es").headline == "Alerta Amber en el condado de Los Ángeles"


def test_samples_into_lake_and_rerun_adds_nothing(lake, cap_dir: Path) -> None:
    files = sorted(cap_dir.glob("*.xml"))
    r1 = ingest_documents(lake, file_documents(files))
    assert (r1.read, r1.inserted, r1.rejected) == (3, 3, 0)
    df = lake.read("silver.warnings")
    row = df.filter(pl.col("identifier") == "KAR0-0306112239-SW").row(0, named=True)
    assert row["languages"] == "en-US,es-US" and row["direction"] == "received"
    poly = df.filter(pl.col("identifier") == "KSTO1055887203")["areas_geojson"][0]
    assert '"Polygon"' in poly and "-120.14, 38.47" in poly  # GeoJSON is lon, lat
    versions = lake.versions(["silver.warnings", "bronze.cap_alerts_raw", "silver.rejects"])
    r2 = ingest_documents(lake, file_documents(files))
    assert r2.inserted == 0 and r2.duplicates == 3
    assert lake.versions(["silver.warnings", "bronze.cap_alerts_raw", "silver.rejects"]) == versions


def _original_of_a3(cap_dir: Path) -> bytes:
    text = (cap_dir / A3).read_text(encoding="utf-8")
    text = text.replace("TRI13970876.2", "TRI13970876.1").replace("2003-06-11T20:56:00-07:00",
                                                                  "2003-06-11T20:30:00-07:00")
    text = text.replace("<msgType>Update</msgType>", "<msgType>Alert</msgType>")
    start, end = text.index("<references>"), text.index("</references>") + len("</references>")
    return (text[:start] + text[end:]).encode()


def test_update_supersedes_even_when_it_arrives_first(lake, cap_dir: Path, tmp_path: Path) -> None:
    original = tmp_path / "original.xml"
    original.write_bytes(_original_of_a3(cap_dir))
    ingest_documents(lake, file_documents([cap_dir / A3]))  # the Update first
    res = ingest_documents(lake, file_documents([original]))
    assert res.superseded == 1
    df = lake.read("silver.warnings").sort("sent")
    old, upd = df.row(0, named=True), df.row(1, named=True)
    assert old["identifier"] == "TRI13970876.1" and old["superseded_by"] == upd["warning_id"]
    assert old["superseded_at"] == upd["sent"] and old["cancelled"] is False
    assert upd["superseded_by"] is None


def test_cancel_marks_cancelled(lake, cap_dir: Path, tmp_path: Path) -> None:
    original = tmp_path / "original.xml"
    original.write_bytes(_original_of_a3(cap_dir))
    cancel = (cap_dir / A3).read_text(encoding="utf-8").replace("<msgType>Update</msgType>",
                                                                "<msgType>Cancel</msgType>")
    (tmp_path / "cancel.xml").write_text(cancel, encoding="utf-8")
    ingest_documents(lake, file_documents([original, tmp_path / "cancel.xml"]))
    row = lake.read("silver.warnings").filter(pl.col("identifier") == "TRI13970876.1").row(0, named=True)
    assert row["cancelled"] is True


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""
NOT_CAP = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>news</title></channel></rss>"""


@pytest.mark.parametrize("payload,fragment", [
    (BILLION_LAUGHS, "forbidden XML construct"),
    (XXE, "forbidden XML construct"),
    (NOT_CAP, "not a CAP 1.2 alert"),
    (b"<alert", "not well-formed XML"),
])
def test_hostile_and_foreign_xml_refused(payload: bytes, fragment: str) -> None:
    with pytest.raises(CapError) as exc:
        parse_cap(payload)
    assert fragment in exc.value.reason


def test_cap11_and_invalid_structure_refused(cap_dir: Path) -> None:
    good = (cap_dir / A2).read_text(encoding="utf-8")
    cases = {
        good.replace("cap:1.2", "cap:1.1"): "unsupported CAP version",
        good.replace("<severity>Severe</severity>", "<severity>Bad</severity>"): "<severity> value 'Bad'",
        good.replace("<status>Actual</status>", ""): "required element <status> is missing",
        good.replace("<scope>Public</scope>", "").replace("<sender>", "<scope>Public</scope><sender>"):
            "out of order",
        good.replace("2003-06-17T14:57:00-07:00", "2003-06-17T14:57:00Z"): "not a CAP dateTime",
        good.replace("38.47,-120.14 38.34", "38.47,-120.14 99.34"): "out of range",
        good.replace("<identifier>KSTO1055887203", "<identifier>KSTO 1055887203"): "contains spaces",
    }
    for text, fragment in cases.items():
        with pytest.raises(CapError) as exc:
            parse_cap(text.encode())
        assert fragment in exc.value.reason, (fragment, exc.value.reason)


def test_oversize_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge_alert.xml"
    with big.open("wb") as fh:  # a 50 MB alert (sparse: the size is real, the disk use is not)
        fh.write(b'<?xml version="1.0"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">')
        fh.truncate(50 * 1024 * 1024)

    def no_parse(*a, **k):
        raise AssertionError("the parser must not see an oversize document")

    monkeypatch.setattr(capmod.SafeET, "fromstring", no_parse)
    with pytest.raises(CapError) as exc:
        read_limited(big)
    assert "too large" in exc.value.reason and "before parsing" in exc.value.reason
    with pytest.raises(CapError):
        parse_cap(b"x" * (capmod.DEFAULT_MAX_BYTES + 1))


def test_inbox_rejects_with_reasons_and_rerun(lake, cap_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in (A2, A3, A4):
        (inbox / name).write_bytes((cap_dir / name).read_bytes())
    (inbox / "a2_again.xml").write_bytes((cap_dir / A2).read_bytes())  # duplicate (sender, id, sent)
    (inbox / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (inbox / "xxe.xml").write_bytes(XXE)
    (inbox / "news.xml").write_bytes(NOT_CAP)
    (inbox / "notes.txt").write_text("ignored: not an inbox file type")
    with (inbox / "huge.xml").open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    res = ingest_documents(lake, inbox_documents(inbox))
    assert (res.read, res.inserted, res.duplicates, res.rejected) == (8, 3, 1, 4)
    rej = lake.read("silver.rejects").filter(pl.col("target_table") == "silver.warnings")
    by_file = {Path(r).name: reason for r, reason in rej.select("record_ref", "reason").iter_rows()}
    assert set(by_file) == {"bomb.xml", "xxe.xml", "news.xml", "huge.xml"}
    assert "forbidden XML construct" in by_file["bomb.xml"]
    assert "forbidden XML construct" in by_file["xxe.xml"]
    assert "not a CAP 1.2 alert" in by_file["news.xml"]
    assert "too large" in by_file["huge.xml"]
    assert all(len(p) <= 4000 for p in rej["payload"])
    # reconciliation: documents read = new warnings + duplicates + rejects
    assert res.read == res.inserted + res.duplicates + res.rejected
    before = lake.versions(["silver.warnings", "silver.rejects", "bronze.cap_alerts_raw"])
    again = ingest_documents(lake, inbox_documents(inbox))
    assert again.inserted == 0 and again.rejected == 4
    assert lake.versions(["silver.warnings", "silver.rejects", "bronze.cap_alerts_raw"]) == before
    assert lake.read("silver.rejects").height == 4


def test_resources_altitude_and_round_trip() -> None:
    from pipelines.disasters.cap.write import build_cap_xml

    xml = """<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>X1</identifier><sender>s@x</sender>
<sent>2025-11-17T08:00:00+07:00</sent><status>Exercise</status><msgType>Alert</msgType><scope>Restricted</scope>
<restriction>IOC staff</restriction><code>IPAWSv1.0</code><incidents>FLOOD-2025-11</incidents>
<info><language>vi-VN</language><category>Met</category><category>Safety</category><event>Lũ</event>
<urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty><audience>cán bộ</audience>
<onset>2025-11-17T09:00:00+07:00</onset>
<resource><resourceDesc>ảnh</resourceDesc><mimeType>image/jpeg</mimeType><size>1234</size>
<uri>http://example.invalid/a.jpg</uri><derefUri>QUJD</derefUri><digest>abc</digest></resource>
<area><areaDesc>Kim Long</areaDesc><circle>16.46,107.56 2.5</circle><altitude>0</altitude><ceiling>100</ceiling></area>
</info></alert>""".encode()
    a = parse_cap(xml)
    assert a.scope == "Restricted" and a.restriction == "IOC staff" and a.codes == ["IPAWSv1.0"]
    assert a.incidents == "FLOOD-2025-11" and a.infos[0].categories == ["Met", "Safety"]
    r = a.infos[0].resources[0]
    assert (r.mime_type, r.size, r.digest) == ("image/jpeg", 1234, "abc") and "4 characters" in r.deref_uri
    area = a.infos[0].areas[0]
    assert area.circles == [(16.46, 107.56, 2.5)] and (area.altitude, area.ceiling) == (0.0, 100.0)
    assert a.infos[0].onset == dt.datetime(2025, 11, 17, 2, tzinfo=dt.UTC)
    b = parse_cap(build_cap_xml(a))
    assert b.key == a.key and b.infos[0].resources[0].uri == r.uri and b.infos[0].areas == a.infos[0].areas
    with pytest.raises(CapError, match="restriction"):
        parse_cap(xml.replace(b"<restriction>IOC staff</restriction>", b""))


def test_cap_geometry_and_time_edges() -> None:
    """The edges of the CAP geometry and time helpers, written out by hand (issue 17: surviving mutants)."""
    from pipelines.disasters.cap.rules import format_cap_datetime, parse_circle, parse_polygon

    # a naive time is UTC; a zone asked for is the one written
    assert format_cap_datetime(dt.datetime(2024, 10, 1, 12, 0, 0, 500000)) == "2024-10-01T12:00:00+00:00"
    assert format_cap_datetime(dt.datetime(2024, 10, 1, 12, 0, tzinfo=dt.UTC),
                               dt.timezone(dt.timedelta(hours=7))) == "2024-10-01T19:00:00+07:00"
    # latitudes and longitudes at their limits are points; beyond them they are not
    square = "-90,-180 -90,180 90,180 -90,-180"
    assert parse_polygon(square, "area")[0] == (-90.0, -180.0)
    with pytest.raises(CapError, match="out of range"):
        parse_polygon("-90.5,107 16,107 16,108 -90.5,107", "area")
    assert parse_circle("-90,-180 5", "area") == (-90.0, -180.0, 5.0)
    with pytest.raises(CapError, match="out of range"):
        parse_circle("-90.5,107 5", "area")
    with pytest.raises(CapError, match="out of range"):
        parse_circle("16,-180.5 5", "area")
    assert parse_circle("16,180 5", "area") == (16.0, 180.0, 5.0)
    for bad in ("90.5,107 16,107 16,108 90.5,107", "16,-180.5 16,107 16,108 16,-180.5"):
        with pytest.raises(CapError, match="out of range"):
            parse_polygon(bad, "area")
    with pytest.raises(CapError) as err:
        parse_polygon("16,107 16,108 17,108 17,107", "area")
    assert str(err.value) == "area: polygon is not closed (first point != last point)"
    with pytest.raises(CapError) as err:
        parse_circle(" 16.4 ", "area")
    assert str(err.value) == "area: circle '16.4' is not 'lat,lon radius'"
