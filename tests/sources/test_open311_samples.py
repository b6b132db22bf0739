"""Open311 source on the real samples in shared/data/open311 (values checked by reading the files)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipelines.sources.base import EVENT_KEYS, REPORT_KEYS, ReportSource
from pipelines.sources.open311.feeds import Open311FileSource
from pipelines.sources.open311.mapping import mapping_for

US = Path(__file__).parents[2] / "docs" / "open311-mapping-us-samples.csv"  # maps services, no agency


@pytest.fixture(scope="module")
def open311_dir(data_dir: Path) -> Path:
    return data_dir / "open311"


@pytest.fixture(scope="module")
def nyc(open311_dir: Path):
    src = Open311FileSource(open311_dir / "nyc_311_sample_199rows_2013.csv",
                            mapping=mapping_for(US, timezone="America/New_York"))
    return src.fetch()


def _reports(batch) -> dict[str, dict]:
    return {r.record_id: r.payload for r in batch.records if r.kind == "report"}


def test_nyc_csv_counts(nyc):
    assert nyc.rejects == []
    kinds = Counter((r.kind, r.payload.get("event_type")) for r in nyc.records)
    assert kinds[("report", None)] == 199  # 199 data rows, all with a key and a created date
    assert kinds[("event", "received")] == 199
    assert kinds[("event", "assigned")] == 0  # every row names its agency, but no agency is mapped yet
    assert kinds[("event", "resolved")] == 83  # Status = Closed
    assert {r.source for r in nyc.records} == {"csv"}
    assert len({r.record_id for r in nyc.records}) == len(nyc.records)
    for r in nyc.records:
        keys = REPORT_KEYS if r.kind == "report" else EVENT_KEYS
        assert set(keys) <= set(r.payload)
        json.dumps(r.payload)  # JSON-serialisable


def test_nyc_csv_values(nyc):
    reports = _reports(nyc)
    first = reports["26589651"]  # the first row: a ZIP of '99432-01234', Status Assigned
    assert first["admin_unit_code"] is None
    assert first["title"] == "Noise - Street/Sidewalk"
    assert first["description"] == "Loud Talking"
    assert first["category_code"] == "urban_order"
    assert first["unit_id"] is None and first["extra"]["unmapped"] == ["agency 'NYPD' not mapped"]
    assert first["status"] == "open"
    assert first["received_at"] == "2013-10-31T02:08:41-04:00"  # New York, daylight time until 3 Nov
    assert first["deadline_at"] == "2013-10-31T10:08:41-04:00"  # Due Date
    assert first["updated_at"] == "2013-10-31T02:35:17-04:00"  # Resolution Action Updated Date
    assert first["resolved_at"] is None
    assert first["lat"] == pytest.approx(40.70827532593202)
    assert first["lon"] == pytest.approx(-73.79160395779721)

    closed = reports["26594139"]
    assert closed["status"] == "resolved"
    assert closed["resolved_at"] == "2013-10-31T02:40:32-04:00"
    assert closed["admin_unit_code"] is None  # a ZIP code is not a commune code
    assert closed["extra"] == {"status": "Closed", "agency": "NYPD", "address": "4060 BROADWAY", "zipcode": "10032",
                               "service_name": "Noise - Commercial",
                               "unmapped": ["agency 'NYPD' not mapped"]}
    assert "zipcode" not in first["extra"]  # '99432-01234' is no ZIP code
    assert closed["category_code"] == "urban_order"
    events = {r.record_id: r.payload for r in nyc.records if r.kind == "event"}
    assert events["26594139/resolved"]["at"] == "2013-10-31T02:40:32-04:00"
    assert events["26594139/resolved"]["unit_id"] is None
    assert events["26594139/received"]["at"] == "2013-10-31T02:00:24-04:00"

    # Pending with a Closed Date: not closed, so no resolved event
    assert reports["26588468"]["status"] == "pending"
    assert "26588468/resolved" not in events

    no_point = [rid for rid, p in reports.items() if p["lat"] is None]
    assert sorted(no_point) == sorted(["26590389", "26590509", "26591287", "26589255", "26594039", "26590911"])
    assert all(reports[rid]["lon"] is None for rid in no_point)
    assert Counter(p["category_code"] for p in reports.values())["traffic"] == 48
    assert nyc.watermark is not None


def test_chicago_requests(open311_dir: Path):
    batch = Open311FileSource(open311_dir / "chicago_requests_2014.json", mapping=mapping_for(US)).fetch()
    assert batch.rejects == []
    reports = _reports(batch)
    assert sorted(reports) == ["14-01100627", "14-01100669"]
    light = reports["14-01100669"]
    assert light["source"] == "open311" and light["channel"] == "open311"
    assert light["title"] == "Alley Light Out"
    assert light["category_code"] == "lighting"
    assert light["unit_id"] is None  # the agency is not in the mapping table
    assert light["received_at"] == "2014-07-12T10:58:43-05:00"
    assert light["updated_at"] == "2014-07-12T11:08:21-05:00"
    assert light["status"] == "open" and light["resolved_at"] is None
    assert light["lat"] == pytest.approx(41.858724777757864)
    assert light["lon"] == pytest.approx(-87.66475146237676)
    assert light["admin_unit_code"] is None
    assert light["extra"] == {"service_code": "4ffa9cad6018277d4000007b", "status": "open",
                              "service_name": "Alley Light Out",
                              "agency": "Division of Electrical Operations CDOT",
                              "address": "1540 W 17TH ST, CHICAGO, IL, 60608",
                              "zipcode": "60608",  # from the address: the feed has no zipcode field
                              "unmapped": ["agency 'Division of Electrical Operations CDOT' not mapped"]}
    assert reports["14-01100627"]["category_code"] == "construction"  # Building Violation
    kinds = Counter(r.payload.get("event_type") for r in batch.records if r.kind == "event")
    assert kinds == {"received": 2}  # both open: nothing resolved; agencies unmapped: no assignment
    assert batch.watermark == "2014-07-12T16:08:21+00:00"


def test_bloomington_services(open311_dir: Path):
    src = Open311FileSource(open311_dir / "bloomington_services.json", mapping=mapping_for(US))
    assert src.fetch().records == []  # a service list holds no requests
    services = {s["service_code"]: s for s in src.services()}
    assert len(services) == 46
    graffiti = services["4e090d24992b941e78000027"]
    assert graffiti["service_name"] == "Graffiti"
    assert graffiti["group"] == "Most Popular"
    assert graffiti["metadata"] is True
    assert graffiti["category_code"] == "urban_order"
    assert services["4fb2878bb1fe2cdc24000000"]["category_code"] == "lighting"  # Street Lights
    assert services["4e090d24992b941e78000003"]["category_code"] == "other"  # Other


def test_folder_is_one_recorded_feed(open311_dir: Path):
    src = Open311FileSource(open311_dir, mapping=mapping_for(US, timezone="America/New_York"))
    assert isinstance(src, ReportSource)
    batch = src.fetch()
    assert len(batch.reports()) == 199 + 2
    assert batch.rejects == []
    # incremental: only what changed at or after the watermark comes back
    again = src.fetch(batch.watermark)
    assert [r.record_id for r in again.reports()] == ["14-01100669"]
