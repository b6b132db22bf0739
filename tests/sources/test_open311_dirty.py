"""Open311 source on dirty and reshaped inputs: CSV variations, rejects, XML, the live feed over loopback HTTP."""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.sources.open311.documents import Open311Error, parse_document
from pipelines.sources.open311.feeds import Open311FileSource, Open311HttpSource
from pipelines.sources.open311.mapping import mapping_for
from pipelines.sources.open311.mapping_table import DEFAULT_MAPPING_TABLE, MappingTable
from pipelines.sources.open311.values import clean_zip, parse_datetime, parse_point

US = Path(__file__).parents[2] / "docs" / "open311-mapping-us-samples.csv"  # the example table for US samples
NY = mapping_for(US, timezone="America/New_York")


@pytest.fixture(scope="module")
def nyc_rows(data_dir: Path) -> tuple[list[str], list[list[str]]]:
    with (data_dir / "open311" / "nyc_311_sample_199rows_2013.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]], *, encoding="utf-8", delimiter=",",
           lineterminator="\r\n", bom=False) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding))
    return path


def _payloads(batch) -> dict[str, dict]:
    return {r.record_id: r.payload for r in batch.records}


def test_reshaped_export_reads_the_same(tmp_path: Path, nyc_rows):
    """BOM, reversed column order, Socrata-style snake_case headers, semicolons, all cells quoted."""
    header, rows = nyc_rows
    original = Open311FileSource(_write(tmp_path / "a.csv", header, rows), mapping=NY).fetch()
    order = list(reversed(range(len(header))))
    snake = [header[i].lower().replace(" ", "_") for i in order]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL)
    w.writerow(snake)
    w.writerows([[r[i] for i in order] for r in rows])
    (tmp_path / "b.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode())
    reshaped = Open311FileSource(tmp_path / "b.csv", mapping=NY).fetch()
    assert reshaped.rejects == []
    assert _payloads(reshaped) == _payloads(original)
    assert len(reshaped.reports()) == 199


def test_dirty_rows_survive_unusable_rows_are_rejected(tmp_path: Path, nyc_rows):
    header, rows = nyc_rows
    col = {h: i for i, h in enumerate(header)}
    rows = [list(r) for r in rows[:10]]

    def edit(n: int, **values: str) -> None:
        for k, v in values.items():
            rows[n][col[k.replace("_", " ")]] = v

    edit(0, Latitude="N/A", Longitude="-73.9", Location="")  # non-numeric latitude: no point, row kept
    edit(1, Closed_Date="31/31/2013 99:00", Status="Closed")  # closed, unreadable close date
    edit(2, Due_Date="soon")  # bad due date
    edit(3, Descriptor='Loud "music", and a\nsecond line; café')  # quotes, comma, newline, non-ASCII
    edit(4, Unique_Key="")  # no id → reject
    edit(5, Created_Date="yesterday")  # no readable date → reject
    edit(6, Created_Date="")  # no date → reject
    edit(7, Incident_Zip="10003-1234", Unique_Key=rows[7][col["Unique Key"]] + ".0")  # ZIP+4, id as a float
    rows.append([""] * len(header))  # an empty row is not a record
    rows.append(rows[8][:5])  # a row cut short after Agency Name: no complaint type, still usable
    path = _write(tmp_path / "dirty.csv", header, rows, encoding="cp1252", lineterminator="\n")
    batch = Open311FileSource(path, mapping=NY).fetch()

    reasons = sorted(r.reason for r in batch.rejects)
    assert reasons == ["missing request id", "missing requested date", "unreadable requested date 'yesterday'"]
    refs = {r.reason: r.record_ref for r in batch.rejects}
    assert refs["missing request id"] == "dirty.csv:row 6"
    assert refs["unreadable requested date 'yesterday'"] == rows[5][0]
    assert all(r.target_table == "bronze.reports_raw" and r.source == "csv" and r.payload for r in batch.rejects)

    reports = {r.record_id: r.payload for r in batch.reports()}
    assert len(reports) == 7  # 10 - 3 rejects (the cut-short row repeats row 8's id)
    p0 = reports[rows[0][0]]
    assert p0["lat"] is None and p0["lon"] is None
    p1 = reports[rows[1][0]]
    # closed, but no readable close or update time: resolved, with no invented time and no resolved event
    assert p1["status"] == "resolved" and p1["resolved_at"] is None
    assert f"{rows[1][0]}/resolved" not in {r.record_id for r in batch.events()}
    assert reports[rows[2][0]]["deadline_at"] is None
    assert reports[rows[3][0]]["description"] == 'Loud "music", and a\nsecond line; café'
    assert reports[rows[7][0][:-2]]["extra"]["zipcode"] == "10003"
    assert sum(r.record_id == rows[8][0] for r in batch.reports()) == 2


def test_csv_without_id_column_is_one_reject(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("Created Date,Complaint Type\n10/31/2013 02:08:41 AM,Noise\n")
    batch = Open311FileSource(path, mapping=NY).fetch()
    assert batch.records == []
    assert len(batch.rejects) == 1 and "no request_id column" in batch.rejects[0].reason


def test_cleaners():
    ny = NY.tz
    assert parse_datetime("10/31/2013 02:08:41 AM", ny).isoformat() == "2013-10-31T02:08:41-04:00"
    assert parse_datetime("11/30/2013 01:53:44 AM", ny).isoformat() == "2013-11-30T01:53:44-05:00"
    assert parse_datetime("2013-10-31T02:08:41.000", ny).isoformat() == "2013-10-31T02:08:41-04:00"
    assert parse_datetime("2014-07-12T10:58:43-05:00", ny).isoformat() == "2014-07-12T10:58:43-05:00"
    assert parse_datetime("2014-07-12T15:58:43Z", ny).isoformat() == "2014-07-12T15:58:43+00:00"
    assert parse_datetime("01/01/1900 12:00:00 AM", ny) is None
    assert parse_datetime("13/45/2013", ny) is None
    assert clean_zip("99432-01234") is None and clean_zip("10003-1234") == "10003" and clean_zip("N/A") is None
    assert parse_point("0", "0") == (None, None)
    assert parse_point("nan", "1") == (None, None)
    assert parse_point("", "", "(40.5, -73.9)") == (40.5, -73.9)
    assert parse_point("91", "10") == (None, None)


def test_mapping_table_is_data(tmp_path: Path, data_dir: Path):
    path = tmp_path / "map.csv"
    path.write_text("# a comment line\njurisdiction,kind,value,maps_to,note\n"
                    "nyc,service,noise*,urban_order,every noise type\n"
                    "*,agency,NYPD,ca-hue,\n"
                    "chicago,service,Alley Light Out,lighting,\n"
                    "hue,agency,Division of Electrical Operations CDOT,dien-luc,only for Huế's feed\n")
    table = MappingTable.load(path)
    assert table.category("nyc", None, "Noise - Commercial") == "urban_order"
    assert table.category("chicago", None, "Noise - Commercial") is None  # that row is for nyc only
    assert table.category("nyc", "abc", "Rodent") is None
    assert table.unit("nyc", " nypd ") == "ca-hue" and table.unit("nyc", "DOT") is None
    batch = Open311FileSource(data_dir / "open311" / "chicago_requests_2014.json",
                              mapping=mapping_for(path, jurisdiction="chicago")).fetch()
    reports = {r.record_id: r.payload for r in batch.reports()}
    assert reports["14-01100669"]["category_code"] == "lighting"
    assert reports["14-01100669"]["unit_id"] is None  # the agency row is for hue only
    assert reports["14-01100669"]["extra"]["unmapped"] == [
        "agency 'Division of Electrical Operations CDOT' not mapped"]
    assert reports["14-01100627"]["category_code"] is None
    assert reports["14-01100627"]["extra"]["unmapped"] == [
        "service '4fd3bd72e750846c530000cd' not mapped", "agency 'DOB - Conservation' not mapped"]
    # an unmapped agency gives no assignment (its unit would be unknown to silver)
    assert sorted(r.payload["event_type"] for r in batch.events()) == ["received", "received"]


def test_packaged_table_is_empty_but_documented():
    text = DEFAULT_MAPPING_TABLE.read_text(encoding="utf-8")
    assert MappingTable.load().rules == ()
    for word in ("jurisdiction", "kind", "value", "maps_to", "unmapped", "open311_mapping"):
        assert word in text
    example = MappingTable.load(US)  # every category the example produces is one silver accepts
    rows = [line for line in US.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert len(example.rules) == len(rows) - 1  # every row but the header


def test_a_wrong_row_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "map.csv"
    path.write_text("jurisdiction,kind,value,maps_to,note\n# comment\n*,service,Noise,ufo,\n")
    with pytest.raises(ValueError, match="line 3: category 'ufo' is not one of"):
        MappingTable.load(path)
    path.write_text("jurisdiction,kind,value,maps_to,note\n*,colour,Noise,roads,\n")
    with pytest.raises(ValueError, match="line 2: kind 'colour' is not one of service, agency"):
        MappingTable.load(path)
    with pytest.raises(ValueError, match="cannot read it"):
        MappingTable.load(tmp_path / "missing.csv")


XML_REQUESTS = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id><status>closed</status>
    <status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code><description></description>
    <agency_responsible>Department of Public Works</agency_responsible>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <address>8TH AVE and JUDAH ST</address><zipcode>94122</zipcode>
    <lat>37.762221815</lat><long>-122.4651145</long>
  </request>
  <request>
    <service_request_id>638349</service_request_id><status>open</status>
    <service_name>Sidewalk and Curb Issues</service_name><service_code>006</service_code>
    <requested_datetime>2010-04-19T06:37:38-08:00</requested_datetime>
    <lat>not a number</lat><long>-122.4651145</long>
  </request>
  <request><status>open</status><requested_datetime>2010-04-19T06:37:38-08:00</requested_datetime></request>
</service_requests>"""


def test_xml_requests(tmp_path: Path):
    (tmp_path / "requests.xml").write_bytes(XML_REQUESTS)
    batch = Open311FileSource(tmp_path, mapping=mapping_for(US)).fetch()
    reports = {r.record_id: r.payload for r in batch.reports()}
    assert sorted(reports) == ["638344", "638349"]
    closed = reports["638344"]  # closed, and its status notes say it was a duplicate: invalid, not resolved
    assert closed["status"] == "invalid" and closed["resolved_at"] is None
    assert closed["is_valid"] is False and closed["invalid_reason"] == "Duplicate request."
    assert closed["extra"]["zipcode"] == "94122" and closed["lat"] == pytest.approx(37.762221815)
    assert closed["category_code"] == "roads"
    events = {r.record_id: r.payload for r in batch.events()}
    assert events["638344/invalidated"]["note"] == "Duplicate request."
    assert events["638344/invalidated"]["at"] == "2010-04-14T06:37:38-08:00"
    assert "638344/resolved" not in events
    assert reports["638349"]["lat"] is None
    assert [r.reason for r in batch.rejects] == ["missing request id"]


def test_hostile_and_oversized_documents_are_rejects(tmp_path: Path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<service_requests><request><service_request_id>&b;</service_request_id></request></service_requests>")
    (tmp_path / "a_bomb.xml").write_bytes(bomb)
    (tmp_path / "b_big.json").write_bytes(b"[" + b" " * 2000 + b"]")
    (tmp_path / "c_broken.json").write_bytes(b'[{"service_request_id": "1", ')
    batch = Open311FileSource(tmp_path, mapping=mapping_for(), max_bytes=1000).fetch()
    assert batch.records == []
    reasons = {r.record_ref: r.reason for r in batch.rejects}
    assert reasons["a_bomb.xml"].startswith("unreadable XML")
    assert "over the 1000-byte limit" in reasons["b_big.json"]
    # cut inside its first request: nothing complete to keep, the rest rejected from byte 1
    assert reasons["c_broken.json@1"] == ("broken JSON at byte 29: Expecting property name enclosed in double "
                                          "quotes; 28 bytes from byte 1 not read (0 complete records before "
                                          "it kept)")
    with pytest.raises(Open311Error):
        parse_document(b'[{"code": 403, "description": "Invalid api_key"}]')


# ---------------------------------------------------------------------------------------------------------
# The live feed, served on loopback


class _Feed(http.server.BaseHTTPRequestHandler):
    requests_doc: list[dict] = []
    services_doc: bytes = b"[]"
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        type(self).seen.append({"path": url.path, **q})
        if url.path.endswith("/services.json"):
            body, status = self.services_doc, 200
        elif url.path.endswith("/requests.json"):
            items = self.requests_doc
            if "updated_after" in q:
                items = [r for r in items if r["updated_datetime"] > q["updated_after"]]
            if "page" in q:
                size, page = int(q["page_size"]), int(q["page"])
                items = items[(page - 1) * size: page * size]
            body, status = json.dumps(items).encode(), 200
        else:
            body, status = b'[{"code": 404, "description": "not found"}]', 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed(data_dir: Path) -> Iterator[str]:
    base = json.loads((data_dir / "open311" / "chicago_requests_2014.json").read_text())
    docs = []
    for n in range(5):  # five requests: the two Chicago ones and copies with other ids and times
        for r in base:
            d = dict(r, service_request_id=f"{r['service_request_id']}-{n}",
                     updated_datetime=f"2014-07-1{n + 2}T11:08:2{n}Z")
            docs.append(d)
    _Feed.requests_doc = docs[:5]
    _Feed.services_doc = (data_dir / "open311" / "bloomington_services.json").read_bytes()
    _Feed.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/open311/v2"
    finally:
        server.shutdown()
        server.server_close()


def test_live_feed_pages_records_and_replays(feed: str, tmp_path: Path):
    live = Open311HttpSource(feed, page_size=2, mapping=mapping_for(), record_dir=tmp_path / "rec",
                             since_param="updated_after", jurisdiction_id="chicago.gov")
    batch = live.fetch()
    assert len(batch.reports()) == 5 and batch.rejects == []
    assert [s.get("page") for s in _Feed.seen] == ["1", "2", "3"]  # 2 + 2 + 1: a short page ends it
    assert all(s["jurisdiction_id"] == "chicago.gov" for s in _Feed.seen)
    assert batch.watermark == "2014-07-14T11:08:22+00:00"

    replay = Open311FileSource(tmp_path / "rec", mapping=mapping_for()).fetch()
    assert _payloads(replay) == _payloads(batch)

    _Feed.seen = []
    newer = live.fetch("2014-07-14T00:00:00+00:00")
    assert _Feed.seen[0]["updated_after"] == "2014-07-14T00:00:00Z"
    assert [r.record_id for r in newer.reports()] == ["14-01100669-2"]
    assert len(live.services()) == 46


def test_live_feed_http_error_raises(feed: str):
    with pytest.raises(Open311Error, match="HTTP 404"):
        Open311HttpSource(feed, fmt="xml", mapping=mapping_for()).services()


def test_encodings_utf16_and_mixed(tmp_path: Path, nyc_rows):
    header, rows = nyc_rows
    col = header.index("Descriptor")
    rows = [list(r) for r in rows]
    rows[-1][col] = "Bánh mì café"
    original = Open311FileSource(_write(tmp_path / "u8.csv", header, rows), mapping=NY).fetch()
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes((tmp_path / "u8.csv").read_text(encoding="utf-8").encode("utf-16"))
    assert _payloads(Open311FileSource(utf16, mapping=NY).fetch()) == _payloads(original)
    # UTF-8 for 100 kB, then one row re-saved as Windows-1252 far past any sniffed prefix
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes((tmp_path / "u8.csv").read_bytes().replace("Bánh mì café".encode(), "Bánh mì café".encode("cp1252")))
    assert (tmp_path / "mixed.csv").stat().st_size > 100_000
    batch = Open311FileSource(mixed, mapping=NY).fetch()
    assert _payloads(batch) == _payloads(original) and batch.rejects == []
    assert _payloads(batch)[rows[-1][0]]["description"] == "Bánh mì café"


def test_xml_services_and_error_document(tmp_path: Path):
    (tmp_path / "services.xml").write_bytes(b"""<?xml version="1.0" encoding="utf-8"?>
<services>
  <service><service_code>001</service_code><service_name>Garbage cans left out 24x7</service_name>
    <description>Garbage or recycling cans left out</description><metadata>true</metadata>
    <type>realtime</type><keywords>lorem, ipsum</keywords><group>sanitation</group></service>
  <service><service_code>002</service_code><metadata>false</metadata><service_name>Construction plate shifted</service_name>
    <type>realtime</type><group>street</group></service>
</services>""")
    (tmp_path / "z_errors.xml").write_bytes(b"<errors><error><code>403</code><description>Invalid api_key</description>"
                                            b"</error></errors>")
    src = Open311FileSource(tmp_path, mapping=mapping_for(US))
    services = {s["service_code"]: s for s in src.services()}
    assert services["001"]["metadata"] is True and services["001"]["category_code"] == "waste"
    assert services["002"]["metadata"] is False and services["002"]["category_code"] == "construction"
    batch = src.fetch()
    assert batch.records == []
    assert [(r.record_ref, r.reason) for r in batch.rejects] == [("z_errors.xml", "403: Invalid api_key")]
