"""`hue-ioc open311 import` on the real samples and on files made to break: every request accounted for
(mapped, unmapped or rejected with a reason), times read in the source's zone, closed → resolved with its
time, service lists stored, broken files kept up to the break, Huế's own feed into the reports."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hue_ioc.cli import main
from lake import Lake
from views.intake import intake_counts, unmapped_bucket

NY = ZoneInfo("America/New_York")
TABLE = """# made for the test
jurisdiction,kind,value,maps_to,note
nyc,service,Noise*,urban_order,
nyc,agency,NYPD,cong-an-nyc,
chicago,service,Alley Light Out,lighting,
chicago,agency,Division of Electrical Operations CDOT,dien-chicago,
bloomington,service,Graffiti,urban_order,
hue,service,den-hong,lighting,
hue,agency,Phòng Quản lý đô thị,{unit},
"""


def _table(tmp_path: Path, unit: str = "qldt") -> Path:
    path = tmp_path / "mapping.csv"
    path.write_text(TABLE.format(unit=unit), encoding="utf-8")
    return path


def _import(lake: Path, target: Path | str, *args: str) -> int:
    code = main(["--lake", str(lake), "open311", "import", str(target), "--json", *args])
    assert code in (0, 1)
    return code


def _nyc_rows(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "open311" / "nyc_311_sample_199rows_2013.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=NY).astimezone(dt.UTC)


def test_the_three_samples_every_request_accounted_for(data_dir: Path, tmp_path: Path, capsys) -> None:
    lake_dir, table = tmp_path / "lake", _table(tmp_path)
    samples = data_dir / "open311"
    assert _import(lake_dir, samples / "nyc_311_sample_199rows_2013.csv", "--jurisdiction", "nyc",
                   "--tz", "America/New_York", "--mapping", str(table)) == 0
    nyc = json.loads(capsys.readouterr().out)
    assert _import(lake_dir, samples / "chicago_requests_2014.json", "--jurisdiction", "chicago",
                   "--tz", "America/Chicago", "--mapping", str(table)) == 0
    chicago = json.loads(capsys.readouterr().out)
    assert _import(lake_dir, samples / "bloomington_services.json", "--jurisdiction", "bloomington",
                   "--mapping", str(table)) == 0
    bloomington = json.loads(capsys.readouterr().out)

    rows = _nyc_rows(data_dir)
    mapped = [r for r in rows if r["Complaint Type"].lower().startswith("noise") and r["Agency"] == "NYPD"]
    located = [r for r in rows if r["Latitude"].strip() and r["Longitude"].strip()]
    assert (nyc["read"], nyc["mapped"], nyc["unmapped"], nyc["rejected"], nyc["duplicates"]) == (
        len(rows), len(mapped), len(rows) - len(mapped), 0, 0)
    assert nyc["outside_hue"] == len(located) and nyc["to_reports"] == 0
    assert (chicago["read"], chicago["mapped"], chicago["unmapped"], chicago["rejected"]) == (2, 1, 1, 0)
    assert (bloomington["read"], bloomington["services"]) == (0, 46)

    lake = Lake.open(lake_dir)
    got = {r["request_id"]: r for r in lake.sql(
        "SELECT * FROM silver.open311_requests WHERE jurisdiction = 'nyc'").iter_rows(named=True)}
    assert len(got) == len(rows)
    for r in rows:  # times read in New York's zone, closed → resolved at its close time
        row = got[r["Unique Key"]]
        assert row["requested_at"] == _utc(r["Created Date"])
        assert row["status_raw"] == r["Status"]
        if r["Status"] == "Closed" and r["Closed Date"]:
            assert row["status"] == "resolved" and row["resolved_at"] == _utc(r["Closed Date"])
        else:
            assert row["status"] != "resolved" and row["resolved_at"] is None
        assert row["mapping"] == ("mapped" if r in mapped else "unmapped")
    assert got[mapped[0]["Unique Key"]]["category_code"] == "urban_order"
    assert got[mapped[0]["Unique Key"]]["unit_id"] == "cong-an-nyc"

    light = lake.sql("SELECT * FROM silver.open311_requests WHERE request_key = 'chicago:14-01100669'").row(
        0, named=True)
    assert (light["mapping"], light["category_code"], light["unit_id"]) == ("mapped", "lighting", "dien-chicago")
    assert light["requested_at"] == dt.datetime(2014, 7, 12, 15, 58, 43, tzinfo=dt.UTC)
    assert light["outside_hue"] is True
    services = dict(lake.sql("SELECT service_name, category_code FROM silver.open311_services "
                             "WHERE jurisdiction = 'bloomington'").rows())
    assert len(services) == 46 and services["Graffiti"] == "urban_order" and services["Potholes, Other Street Repair"] is None

    counts = {r["jurisdiction"]: r for r in intake_counts(lake).iter_rows(named=True)}
    assert counts["nyc"]["mapped"] == len(mapped) and counts["nyc"]["unmapped"] == len(rows) - len(mapped)
    assert counts["bloomington"]["services"] == 46 and counts["chicago"]["requests"] == 2
    top = unmapped_bucket(lake, "nyc", limit=1).row(0, named=True)
    by_pair: dict[tuple[str, str], int] = {}
    for r in rows:
        if r not in mapped:
            by_pair[(r["Complaint Type"], r["Agency"])] = by_pair.get((r["Complaint Type"], r["Agency"]), 0) + 1
    assert top["requests"] == max(by_pair.values())
    assert by_pair[(top["service_name"], top["agency"])] == top["requests"]


def test_winter_time_and_status_notes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "winter.csv"
    path.write_text("Unique Key,Created Date,Closed Date,Agency,Complaint Type,Status,Resolution Description\n"
                    "1,11/30/2013 02:27:00 PM,11/30/2013 04:05:00 PM,NYPD,Noise - Street,Closed,"
                    "The Police Department responded and the condition was corrected.\n"
                    "2,12/01/2013 09:00:00 AM,12/01/2013 09:30:00 AM,NYPD,Noise - Street,Closed,"
                    "Duplicate of an earlier request\n", encoding="utf-8")
    _import(tmp_path / "lake", path, "--jurisdiction", "nyc", "--tz", "America/New_York",
            "--mapping", str(_table(tmp_path)))
    capsys.readouterr()
    rows = {r["request_id"]: r for r in Lake.open(tmp_path / "lake").sql(
        "SELECT request_id, status, requested_at, resolved_at, status_notes FROM silver.open311_requests"
    ).iter_rows(named=True)}
    assert rows["1"]["requested_at"] == dt.datetime(2013, 11, 30, 19, 27, tzinfo=dt.UTC)  # EST: UTC-5
    assert rows["1"]["status"] == "resolved"
    assert rows["1"]["resolved_at"] == dt.datetime(2013, 11, 30, 21, 5, tzinfo=dt.UTC)
    assert rows["2"]["status"] == "invalid" and rows["2"]["resolved_at"] is None
    assert rows["2"]["status_notes"] == "Duplicate of an earlier request"


def _xml(n: int) -> bytes:
    items = "".join(
        f"<request><service_request_id>R{k}</service_request_id><status>open</status>"
        f"<service_name>Pothole</service_name><requested_datetime>2014-07-1{k}T10:00:00-05:00"
        f"</requested_datetime><description>hố sâu số {k}</description></request>" for k in range(1, n + 1))
    return f'<?xml version="1.0" encoding="UTF-8"?><service_requests>{items}</service_requests>'.encode()


def test_a_truncated_xml_keeps_every_complete_record(tmp_path: Path, capsys) -> None:
    whole = _xml(5)
    fourth = whole.index(b"<request><service_request_id>R4")
    cut = whole[:fourth + 60]  # inside the fourth request
    path = tmp_path / "requests.xml"
    path.write_bytes(cut)
    assert _import(tmp_path / "lake", path, "--jurisdiction", "test") == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["read"], summary["unmapped"], summary["rejected"]) == (4, 3, 1)
    lake = Lake.open(tmp_path / "lake")
    assert sorted(lake.sql("SELECT request_id FROM silver.open311_requests")["request_id"]) == ["R1", "R2", "R3"]
    ref, reason = lake.sql("SELECT record_ref, reason FROM silver.rejects").row(0)
    assert ref == f"requests.xml@{fourth}"
    assert reason.startswith(f"broken XML at byte {len(cut)}: ")
    assert reason.endswith(f"{len(cut) - fourth} bytes from byte {fourth} not read (3 complete records before it kept)")


def test_a_truncated_json_keeps_every_complete_record(data_dir: Path, tmp_path: Path, capsys) -> None:
    items = [{"service_request_id": f"J{k}", "status": "closed", "requested_datetime": "2014-07-12T10:58:43-05:00",
              "updated_datetime": f"2014-07-1{k}T11:00:00-05:00", "service_name": "Pothole",
              "description": "ổ gà"} for k in range(1, 5)]
    whole = json.dumps(items, ensure_ascii=False).encode()
    third = whole.index(b'{"service_request_id": "J3"')
    path = tmp_path / "requests.json"
    path.write_bytes(whole[:third + 25])
    assert _import(tmp_path / "lake", path, "--jurisdiction", "test") == 1
    capsys.readouterr()
    lake = Lake.open(tmp_path / "lake")
    got = dict(lake.sql("SELECT request_id, resolved_at FROM silver.open311_requests").rows())
    assert got == {"J1": dt.datetime(2014, 7, 11, 16, tzinfo=dt.UTC), "J2": dt.datetime(2014, 7, 12, 16, tzinfo=dt.UTC)}
    assert lake.sql("SELECT record_ref FROM silver.rejects").item() == f"requests.json@{third}"


def test_hue_feed_goes_into_the_reports(tmp_path: Path, capsys) -> None:
    from pipelines.reports.build import load_reference
    from pipelines.sources.simulator import SimulatorConfig, roster

    lake = Lake.open(tmp_path / "lake")
    load_reference(lake, roster(SimulatorConfig()))
    unit = lake.sql("SELECT unit_id FROM silver.units ORDER BY unit_id LIMIT 1").item()
    requests = [
        {"service_request_id": "H1", "status": "closed", "service_code": "den-hong", "service_name": "Đèn hỏng",
         "agency_responsible": "Phòng Quản lý đô thị", "requested_datetime": "2025-11-20T08:00:00",
         "updated_datetime": "2025-11-21T15:30:00", "lat": 16.4637, "long": 107.5909},
        {"service_request_id": "H2", "status": "open", "service_code": "ngap", "service_name": "Ngập",
         "requested_datetime": "2025-11-20T09:00:00", "lat": 16.47, "long": 107.58},
        {"service_request_id": "H3", "status": "open", "service_code": "den-hong",
         "agency_responsible": "Phòng Quản lý đô thị", "requested_datetime": "2025-11-20T09:00:00",
         "lat": 21.0285, "long": 105.8542},  # Hà Nội
    ]
    path = tmp_path / "hue.json"
    path.write_text(json.dumps(requests, ensure_ascii=False), encoding="utf-8")
    assert _import(tmp_path / "lake", path, "--tz", "Asia/Ho_Chi_Minh", "--mapping", str(_table(tmp_path, unit))) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["mapped"], summary["unmapped"], summary["rejected"], summary["to_reports"]) == (1, 1, 1, 1)
    lake = Lake.open(tmp_path / "lake")
    assert lake.sql("SELECT reason FROM silver.rejects WHERE record_ref = 'H3'").item() == \
        "coordinates outside Huế: 21.0285, 105.8542"
    rep = lake.sql("SELECT status, current_unit_id, received_at, resolved_at, category_code "
                   "FROM silver.reports WHERE report_id = 'H1'").row(0, named=True)
    assert rep["status"] == "resolved" and rep["current_unit_id"] == unit and rep["category_code"] == "lighting"
    assert rep["received_at"] == dt.datetime(2025, 11, 20, 1, 0, tzinfo=dt.UTC)  # 08:00 in Huế is 01:00 UTC
    assert rep["resolved_at"] == dt.datetime(2025, 11, 21, 8, 30, tzinfo=dt.UTC)
    assert lake.sql("SELECT count(*) FROM silver.reports WHERE report_id = 'H2'").item() == 0  # unmapped: waits


@pytest.mark.parametrize(("args", "message"), [
    (["{tmp}/missing.csv"], "no such file or folder"),
    (["{data}/open311/chicago_requests_2014.json", "--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
    (["{data}/open311/chicago_requests_2014.json", "--mapping", "{tmp}/nope.csv"], "cannot read it"),
    (["{data}/open311/chicago_requests_2014.json", "--jurisdiction", "a b"], "--jurisdiction 'a b'"),
])
def test_usage_errors_are_one_line(data_dir: Path, tmp_path: Path, capsys, args: list[str], message: str) -> None:
    argv = [a.format(tmp=tmp_path, data=data_dir) for a in args]
    assert main(["--lake", str(tmp_path / "lake"), "open311", "import", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and message in err


def test_a_truncated_csv_keeps_every_complete_row(data_dir: Path, tmp_path: Path, capsys) -> None:
    raw = (data_dir / "open311" / "nyc_311_sample_199rows_2013.csv").read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(raw) if b == ord("\n")]  # one physical line per row here
    row_150 = starts[150]  # line 0 is the header: data row 150 starts here
    cut = raw[:row_150 + 40]
    path = tmp_path / "cut.csv"
    path.write_bytes(b"\xef\xbb\xbf" + cut)  # with a byte-order mark, which counts in the offset
    assert _import(tmp_path / "lake", path, "--jurisdiction", "nyc", "--tz", "America/New_York") == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["read"], summary["unmapped"], summary["rejected"]) == (150, 149, 1)
    lake = Lake.open(tmp_path / "lake")
    ref, reason = lake.sql("SELECT record_ref, reason FROM silver.rejects").row(0)
    assert ref == f"cut.csv@{row_150 + 3}"
    assert reason.startswith("truncated file: the last row stops after ")
    assert reason.endswith(f"40 bytes from byte {row_150 + 3} not read")
