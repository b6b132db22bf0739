"""Open311 GeoReport v2 out: a `requests` client reads discovery, services and requests in JSON and XML
from the API under uvicorn; filters agree with plain SQL over silver.reports; nothing personal leaks."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from api.app import create_app
from api.config import ApiConfig
from lake import Lake
from tests.api.helpers import CONTROL_ID, LEAKY_EMAIL, LEAKY_ID, LEAKY_NAME, LEAKY_PHONE, serve
from views.open311 import mask_personal

KEY = "key-doi-tac-a-7f3e"
PARTNER = "Đối tác A"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# the publishing rule, written here independently: validated reports, open or resolved
PUBLISHED = "is_valid AND status IN ('open', 'resolved')"


@pytest.fixture(scope="module")
def base(api_lake: Lake) -> Iterator[str]:
    config = ApiConfig(keys={KEY: PARTNER}, rate_per_minute=1e6, anonymous_rate_per_minute=1e6)
    with serve(create_app(api_lake, config)) as url:
        yield url


def get(base: str, path: str, **params: Any) -> requests.Response:
    return requests.get(base + path, params=params, headers={"X-API-Key": KEY}, timeout=30)


def xml_ids(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    assert root.tag == "service_requests"
    return [r.findtext("service_request_id") for r in root.findall("request")]


def vn(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(HCM).isoformat(timespec="seconds")


def test_discovery_in_json_and_xml(base: str) -> None:
    j = get(base, "/open311/discovery.json")
    assert j.status_code == 200 and j.headers["content-type"].startswith("application/json")
    (endpoint,) = j.json()["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == f"{base}/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    x = get(base, "/open311/discovery.xml")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(x.content)
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == f"{base}/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == endpoint["formats"]
    assert root.findtext("changeset") == j.json()["changeset"]


def test_services_in_json_and_xml_are_our_categories(base: str, api_lake: Lake) -> None:
    cats = api_lake.sql("SELECT category_code, name_vi, name_en FROM silver.categories ORDER BY 1").rows()
    assert len(cats) >= 10
    j = get(base, "/open311/v2/services.json").json()
    assert [(s["service_code"], s["service_name"]) for s in j] == [(c, vi) for c, vi, _ in cats]
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in j)
    en = get(base, "/open311/v2/services.json", lang="en").json()
    assert [s["service_name"] for s in en] == [e for _, _, e in cats]
    root = ET.fromstring(get(base, "/open311/v2/services.xml").content)
    assert root.tag == "services"
    assert [(s.findtext("service_code"), s.findtext("service_name"), s.findtext("metadata"))
            for s in root.findall("service")] == [(c, vi, "false") for c, vi, _ in cats]
    d = get(base, "/open311/v2/services/roads.json")
    assert d.status_code == 200 and d.json() == {"service_code": "roads", "attributes": []}
    assert get(base, "/open311/v2/services/khong-co.xml").status_code == 404


FILTERS = [
    ({"service_code": "roads,lighting,waste", "status": "closed", "start_date": "2021-01-01T00:00:00+07:00",
      "end_date": "2021-12-31T23:59:59+07:00"},
     "category_code IN ('roads', 'lighting', 'waste') AND status = 'resolved' "
     "AND received_at >= TIMESTAMPTZ '2020-12-31 17:00:00+00' AND received_at <= TIMESTAMPTZ '2021-12-31 16:59:59+00'"),
    ({"status": "open"}, "status = 'open'"),
    ({"status": "open,closed", "updated_after": "2022-04-01T00:00:00Z"},
     "updated_at > TIMESTAMPTZ '2022-04-01 00:00:00+00'"),
    ({"end_date": "2019-09-30T23:59:59+07:00"}, "received_at <= TIMESTAMPTZ '2019-09-30 16:59:59+00'"),
]


@pytest.mark.parametrize(("params", "where"), FILTERS)
def test_request_filters_agree_with_sql(base: str, api_lake: Lake, params: dict[str, str], where: str) -> None:
    expected = api_lake.sql(f"SELECT report_id FROM silver.reports WHERE {PUBLISHED} AND {where} "
                            "ORDER BY received_at DESC, report_id")["report_id"].to_list()
    assert expected, "the filter should select something in the test lake"
    j = get(base, "/open311/v2/requests.json", page_size=1000, **params)
    assert j.status_code == 200, j.text
    assert [r["service_request_id"] for r in j.json()] == expected
    x = get(base, "/open311/v2/requests.xml", page_size=1000, **params)
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/xml")
    assert xml_ids(x.content) == expected


def test_pages_follow_each_other(base: str, api_lake: Lake) -> None:
    expected = api_lake.sql(f"SELECT report_id FROM silver.reports WHERE {PUBLISHED} "
                            "ORDER BY received_at DESC, report_id LIMIT 21")["report_id"].to_list()
    got = [r["service_request_id"] for page in (1, 2, 3)
           for r in get(base, "/open311/v2/requests.json", page=page, page_size=7).json()]
    assert got == expected
    total = api_lake.sql(f"SELECT count(*) FROM silver.reports WHERE {PUBLISHED}").item()
    assert get(base, "/open311/v2/requests.json", page=total // 5 + 2, page_size=5).json() == []


def test_ids_override_other_filters_and_unpublished_reports_stay_hidden(base: str, api_lake: Lake) -> None:
    closed = api_lake.sql("SELECT report_id FROM silver.reports WHERE status = 'resolved' ORDER BY 1 LIMIT 1").item()
    invalid = api_lake.sql("SELECT report_id FROM silver.reports WHERE NOT is_valid ORDER BY 1 LIMIT 1").item()
    got = get(base, "/open311/v2/requests.json", service_request_id=f"{closed},{invalid}", status="open").json()
    assert [r["service_request_id"] for r in got] == [closed]
    assert get(base, f"/open311/v2/requests/{invalid}.json").status_code == 404
    missing = get(base, "/open311/v2/requests/HUES-9999999.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("error/code") == "404"


def test_one_request_in_json_and_xml_maps_our_lifecycle(base: str, api_lake: Lake) -> None:
    row = api_lake.sql(
        "SELECT r.report_id, r.category_code, c.name_vi, u.name AS unit, r.received_at, r.updated_at, "
        "r.extended_deadline_at, r.lat, r.lon FROM silver.reports r "
        "JOIN silver.categories c USING (category_code) JOIN silver.units u ON u.unit_id = r.current_unit_id "
        "WHERE r.status = 'resolved' AND r.extension_granted_at IS NOT NULL ORDER BY r.report_id LIMIT 1"
    ).row(0, named=True)
    (j,) = get(base, f"/open311/v2/requests/{row['report_id']}.json").json()
    assert j["status"] == "closed"
    assert j["service_code"] == row["category_code"] and j["service_name"] == row["name_vi"]
    assert j["agency_responsible"] == row["unit"]
    assert j["requested_datetime"] == vn(row["received_at"])
    assert j["updated_datetime"] == vn(row["updated_at"])
    assert j["expected_datetime"] == vn(row["extended_deadline_at"])  # the granted extension is what counts
    assert (j["lat"], j["long"]) == (row["lat"], row["lon"])
    x = ET.fromstring(get(base, f"/open311/v2/requests/{row['report_id']}.xml").content)
    (req,) = x.findall("request")
    for field in ("service_request_id", "status", "status_notes", "service_code", "agency_responsible",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address", "description"):
        assert req.findtext(field) == j[field], field
    assert float(req.findtext("lat")) == row["lat"]
    open_row = api_lake.sql("SELECT report_id, deadline_at FROM silver.reports WHERE status = 'open' "
                            "AND extension_granted_at IS NULL AND report_id <> $leak ORDER BY 1 LIMIT 1",
                            {"leak": LEAKY_ID}).row(0, named=True)
    (o,) = get(base, f"/open311/v2/requests/{open_row['report_id']}.json").json()
    assert o["status"] == "open" and o["expected_datetime"] == vn(open_row["deadline_at"])


def test_every_time_is_iso_8601_in_vietnam_time(base: str) -> None:
    rows = get(base, "/open311/v2/requests.json", page_size=1000).json()
    assert len(rows) > 100
    for r in rows:
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            value = r[field]
            assert value is None or (value.endswith("+07:00") and dt.datetime.fromisoformat(value)), (field, value)


def api_lake_total(base: str) -> int:
    return len(get(base, "/open311/v2/requests.json", page_size=1000).json())


def test_a_filter_time_needs_an_offset(base: str) -> None:
    naive = get(base, "/open311/v2/requests.json", start_date="2022-05-01T00:00:00")
    assert naive.status_code == 400
    (err,) = naive.json()
    assert err["code"] == 400 and "start_date" in err["description"]
    everything = api_lake_total(base)
    # edges a datetime cannot hold in UTC are clamped, not refused; a leap second reads as :59
    assert len(get(base, "/open311/v2/requests.json", page_size=1000,
                   start_date="0001-01-01T00:00:00+05:00").json()) == everything
    assert len(get(base, "/open311/v2/requests.json", page_size=1000,
                   end_date="9999-12-31T23:59:59-05:00").json()) == everything
    assert get(base, "/open311/v2/requests.json", updated_after="2022-05-26T23:59:60Z").status_code == 200
    bad = get(base, "/open311/v2/requests.xml", status="pending")
    assert bad.status_code == 400 and ET.fromstring(bad.content).findtext("error/code") == "400"


def test_no_personal_data_in_any_response(base: str, api_lake: Lake) -> None:
    people = api_lake.sql("SELECT DISTINCT reporter_name, reporter_phone FROM silver.reports").rows()
    # a reporter may bear a street's name ("Dương Văn An"), which reports rightly publish as an address: only
    # names that no published report text contains can tell a leak
    public = " ".join(api_lake.sql("SELECT coalesce(title, '') || ' ' || coalesce(description, '') t "
                                   "FROM silver.reports WHERE report_id <> $leak", {"leak": LEAKY_ID})["t"])
    names = {n for n, _ in people if n and n not in public}
    phones = {p for _, p in people if p}
    assert LEAKY_NAME in names and len(names) > 100 and len(phones) > 100
    bodies = [get(base, path, **params).text for path, params in [
        ("/open311/discovery.json", {}), ("/open311/discovery.xml", {}),
        ("/open311/v2/services.json", {}), ("/open311/v2/services.xml", {}),
        ("/open311/v2/requests.json", {"page_size": 1000}), ("/open311/v2/requests.xml", {"page_size": 1000}),
        ("/open311/v2/requests.json", {"page_size": 1000, "lang": "en"}),
        (f"/open311/v2/requests/{LEAKY_ID}.json", {}), (f"/open311/v2/requests/{LEAKY_ID}.xml", {}),
    ]]
    assert LEAKY_ID in bodies[-1]
    for body in bodies:
        assert "reporter" not in body
        assert not [n for n in names if n in body]
        assert not [p for p in phones if p in body]
        assert LEAKY_PHONE not in body and LEAKY_EMAIL not in body
    (leak,) = get(base, f"/open311/v2/requests/{LEAKY_ID}.json").json()
    assert leak["description"] == "Ổ gà lớn trước nhà tôi. Tôi là […], gọi […] hoặc […]."


def test_text_xml_cannot_carry_is_cleaned(base: str) -> None:
    (j,) = get(base, f"/open311/v2/requests/{CONTROL_ID}.json").json()
    assert j["description"] == "Đèn đường hỏng ở kiệt 5  Lê Lợi"
    x = ET.fromstring(get(base, f"/open311/v2/requests/{CONTROL_ID}.xml").content)  # well-formed
    assert x.findtext("request/description") == j["description"]


@pytest.mark.parametrize(("text", "expected"), [
    ("gọi 0905 849 654 giúp", "gọi […] giúp"),
    ("số +84 905.849.654.", "số […]."),
    ("máy bàn 0234-3822-123", "máy bàn […]"),
    ("thư a.b+c@hue.gov.vn nhé", "thư […] nhé"),
    ("đường dây nóng 1900 1075, mực nước 0,56 m, năm 2020", "đường dây nóng 1900 1075, mực nước 0,56 m, năm 2020"),
    ("Tôi là Trần Văn Long ở kiệt 12", "Tôi là […] ở kiệt 12"),
])
def test_personal_details_typed_into_text_are_masked(text: str, expected: str) -> None:
    assert mask_personal(text, ["Trần Văn Long", None]) == expected
