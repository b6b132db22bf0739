"""``fold``: report versions and their events → silver.reports rows, on a handful of reports whose current
state, frozen flags and 2025 commune are written out by hand (issue 17: the mutation run reaches ``fold``
only through this quick test; the simulator's calibration test takes too long per mutant)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from lake.tables.reports import REPORTS as REPORTS_TABLE
from pipelines.reports.conform import DELETED_REASON, conform_events, conform_reports, fold

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY0 = dt.datetime(2024, 5, 1, 0, 0, tzinfo=dt.UTC)
ADMIN = pl.DataFrame({"code": ["C-OLD", "D-1", "C-NEW@2025", "C-KEPT"],
                      "level": ["commune", "district", "commune", "commune"],
                      "parent_code": ["D-1", None, None, "D-1"],
                      "successor_code": ["C-NEW", None, None, None]})


def at(hours: float) -> str:
    return (DAY0 + dt.timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def t(hours: float) -> dt.datetime:
    return DAY0 + dt.timedelta(hours=hours)


def _raw(payloads: list[dict]) -> pl.DataFrame:
    return pl.DataFrame({"raw_id": [f"raw-{i}" for i in range(len(payloads))], "source": ["test"] * len(payloads),
                         "batch_id": ["b1"] * len(payloads), "ingested_at": [NOW] * len(payloads),
                         "payload": [json.dumps(p) for p in payloads]})


def _report(rid: str, admin: str = "C-KEPT", **extra: object) -> dict:
    return {"report_id": rid, "category_code": "GT", "received_at": at(0), "admin_unit_code": admin,
            "is_valid": True, **extra}


_n = iter(range(1000))


def _ev(rid: str, kind: str, hours: float, unit: str | None = "U1", **extra: object) -> dict:
    return {"event_id": f"E{next(_n):03d}", "report_id": rid, "event_type": kind, "at": at(hours), "unit_id": unit,
            **extra}


# R4's version was edited after its last event (updated_at 80 h); the others carry none (received_at stands in)
REPORTS = [_report(f"R{i}") for i in range(1, 4)] + [_report("R4", updated_at=at(80))] + [
    _report(f"R{i}") for i in range(5, 8)] + [
    _report("R8", admin="C-OLD"), _report("R9", admin="C-NEW@2025"),
    _report("R10", is_valid=False, invalid_reason="spam")]
EVENTS = [
    # R1: resolved by its deadline, rated
    _ev("R1", "assigned", 1, deadline_at=at(48)), _ev("R1", "resolved", 40), _ev("R1", "rated", 50,
                                                                                   rating="hai_long"),
    # R2: transferred (its new deadline is the one in force), extended before it, resolved late but within
    _ev("R2", "assigned", 1, deadline_at=at(24)),
    _ev("R2", "transferred", 2, to_unit_id="U2", deadline_at=at(30)),
    _ev("R2", "extension_requested", 10, unit="U2"),
    _ev("R2", "extension_granted", 12, unit="U2", deadline_at=at(60)),
    _ev("R2", "resolved", 50, unit="U2"),
    _ev("R2", "rated", 51, unit=None, rating="khong_hai_long"),
    _ev("R2", "rated", 52, unit=None, rating="chap_nhan"),  # the last rating counts
    # R3: resolved late without an extension, then reopened: open again, its flags frozen at the first close
    _ev("R3", "assigned", 1, deadline_at=at(24)), _ev("R3", "resolved", 30), _ev("R3", "reopened", 35),
    # R4: invalidated by the IOC
    _ev("R4", "assigned", 1, deadline_at=at(24)), _ev("R4", "invalidated", 2, note="trung lap"),
    # R5: deleted at its source
    _ev("R5", "assigned", 1, deadline_at=at(24)), _ev("R5", "deleted", 3),
    # R6: withdrawn by its citizen while open
    _ev("R6", "assigned", 1, deadline_at=at(24)), _ev("R6", "withdrawn", 5),
    # R7 has no event: pending
    # R8: resolved, reopened, resolved again (the second close stands; flags stay those of the first)
    _ev("R8", "assigned", 1, deadline_at=at(24)), _ev("R8", "resolved", 20), _ev("R8", "reopened", 21),
    _ev("R8", "resolved", 40),
    # R9: open, resolved after being withdrawn: resolved
    _ev("R9", "assigned", 1, deadline_at=at(24)), _ev("R9", "withdrawn", 3), _ev("R9", "resolved", 4),
    # R10 arrives invalid; its resolution does not make it count
    _ev("R10", "assigned", 1, deadline_at=at(24)), _ev("R10", "resolved", 2),
]


# function scope: mutmut runs only the tests that reached the function, so each test must call it
@pytest.fixture
def silver() -> dict[str, dict]:
    reports = conform_reports(_raw(REPORTS), categories={"GT"}, admin_codes=set(ADMIN["code"]), now=NOW)
    events = conform_events(_raw(EVENTS), known_reports={r["report_id"] for r in REPORTS},
                            known_units={"U1", "U2"}, now=NOW)
    assert reports.rejects.is_empty() and events.rejects.is_empty()
    # events given newest first: fold orders them itself
    got = fold(reports.rows, events.rows.reverse(), ADMIN)
    assert got.height == len(REPORTS)
    return {r["report_id"]: r for r in got.iter_rows(named=True)}


def test_status_of_each_report(silver: dict[str, dict]) -> None:
    assert {k: r["status"] for k, r in silver.items()} == {
        "R1": "resolved", "R2": "resolved", "R3": "open", "R4": "invalid", "R5": "invalid", "R6": "withdrawn",
        "R7": "pending", "R8": "resolved", "R9": "resolved", "R10": "invalid"}
    assert [k for k, r in silver.items() if r["is_valid"]] == ["R1", "R2", "R3", "R6", "R7", "R8", "R9"]
    assert silver["R4"]["invalid_reason"] == "trung lap"  # the IOC's note
    assert silver["R5"]["invalid_reason"] == DELETED_REASON
    assert silver["R10"]["invalid_reason"] == "spam"
    assert silver["R1"]["invalid_reason"] is None and silver["R3"]["invalid_reason"] is None


def test_units_deadlines_and_times(silver: dict[str, dict]) -> None:
    r1, r2 = silver["R1"], silver["R2"]
    assert (r1["first_unit_id"], r1["current_unit_id"], r1["first_assigned_at"], r1["deadline_at"]) == (
        "U1", "U1", t(1), t(48))
    assert (r1["resolved_at"], r1["rating"], r1["rated_at"], r1["transfers"], r1["reopened"]) == (
        t(40), "hai_long", t(50), 0, 0)
    assert (r2["first_unit_id"], r2["current_unit_id"], r2["deadline_at"], r2["transfers"]) == ("U1", "U2", t(30), 1)
    assert (r2["extension_requested_at"], r2["extension_granted_at"], r2["extended_deadline_at"]) == (
        t(10), t(12), t(60))
    assert (r2["resolved_at"], r2["rating"], r2["rated_at"]) == (t(50), "chap_nhan", t(52))
    assert (silver["R3"]["resolved_at"], silver["R3"]["reopened"]) == (None, 1)
    assert (silver["R8"]["resolved_at"], silver["R8"]["reopened"]) == (t(40), 1)
    assert silver["R9"]["resolved_at"] == t(4)
    r7 = silver["R7"]
    assert (r7["first_unit_id"], r7["current_unit_id"], r7["transfers"], r7["reopened"], r7["resolved_at"]) == (
        None, None, 0, 0, None)
    # updated_at: the newest of the version's time and its events' times
    assert (r1["updated_at"], r2["updated_at"], silver["R3"]["updated_at"]) == (t(50), t(52), t(35))
    assert (silver["R4"]["updated_at"], r7["updated_at"]) == (t(80), t(0))  # edited last; no event at all


def test_flags_are_frozen_at_the_first_close(silver: dict[str, dict]) -> None:
    flags = {k: (r["on_time"], r["late_with_extension"], r["overdue_closed"]) for k, r in silver.items()}
    assert flags == {
        "R1": (True, False, False),
        "R2": (False, True, False),  # after 30 h, with the extension granted at 12 h, before it
        "R3": (False, False, True),  # first closed at 30 h > 24 h, no extension; open again now
        "R4": (None, None, None), "R5": (None, None, None), "R6": (None, None, None), "R7": (None, None, None),
        "R8": (True, False, False),  # first closed at 20 h: on time, though closed again at 40 h
        "R9": (True, False, False),
        "R10": (None, None, None),  # invalid: no flags
    }


def test_2025_commune_and_district(silver: dict[str, dict]) -> None:
    assert (silver["R8"]["admin_unit_code_2025"], silver["R8"]["district_code"]) == ("C-NEW@2025", "D-1")
    assert (silver["R9"]["admin_unit_code_2025"], silver["R9"]["district_code"]) == ("C-NEW@2025", None)
    # a commune without a successor has no 2025 commune and no district from the table (level commune only)
    assert (silver["R1"]["admin_unit_code_2025"], silver["R1"]["district_code"]) == (None, None)


def _fold(reports: list[dict], events: list[dict], admin: pl.DataFrame = ADMIN,
          drop: tuple[str, ...] = ()) -> dict[str, dict]:
    rows = conform_reports(_raw(reports), categories={"GT"}, admin_codes=set(admin["code"]), now=NOW)
    evs = conform_events(_raw(events), known_reports={r["report_id"] for r in reports}, known_units={"U1", "U2"},
                         now=NOW)
    assert rows.rejects.is_empty() and evs.rejects.is_empty()
    got = fold(rows.rows.drop(drop), evs.rows.reverse(), admin)  # events newest first
    assert got.schema == pl.from_arrow(REPORTS_TABLE.schema.empty_table()).schema  # silver.reports types
    return {r["report_id"]: r for r in got.iter_rows(named=True)}


def test_events_in_time_order_then_by_id() -> None:
    # RA: ids that do not sort by time as text ("E10" < "E9"): the transfer at 2 h is still the later event
    # RB: assigned and transferred in the same instant: the event id decides, the transfer is the later one
    # RC: assigned only: its first unit is the assignment's
    got = _fold([_report("RA"), _report("RB"), _report("RC")], [
        _ev("RA", "assigned", 1, deadline_at=at(24), event_id="E9"),
        _ev("RA", "transferred", 2, to_unit_id="U2", deadline_at=at(30), event_id="E10"),
        _ev("RB", "assigned", 1, deadline_at=at(24), event_id="F1"),
        _ev("RB", "transferred", 1, to_unit_id="U2", deadline_at=at(30), event_id="F2"),
        _ev("RC", "assigned", 1, unit="U2", deadline_at=at(24), event_id="G1")])
    for rid in ("RA", "RB"):
        r = got[rid]
        assert (r["first_unit_id"], r["current_unit_id"], r["deadline_at"], r["transfers"]) == (
            "U1", "U2", t(30), 1), rid
    assert (got["RC"]["first_unit_id"], got["RC"]["current_unit_id"], got["RC"]["status"]) == ("U2", "U2", "open")


def test_a_version_without_is_valid_counts_as_valid() -> None:
    report = {k: v for k, v in _report("RV").items() if k != "is_valid"}
    r = _fold([report], [])["RV"]
    assert (r["is_valid"], r["status"], r["invalid_reason"]) == (True, "pending", None)


def test_an_event_at_the_instant_of_the_resolution_is_not_after_it() -> None:
    # RT1: reopened at the very instant it was resolved: it stays resolved (reopened strictly after only)
    # RT2: withdrawn at the instant of its resolution, then reopened at 12 h: open again, not withdrawn
    got = _fold([_report("RT1"), _report("RT2")], [
        _ev("RT1", "assigned", 1, deadline_at=at(24)), _ev("RT1", "resolved", 10), _ev("RT1", "reopened", 10),
        _ev("RT2", "assigned", 1, deadline_at=at(24)), _ev("RT2", "resolved", 10), _ev("RT2", "withdrawn", 10),
        _ev("RT2", "reopened", 12)])
    assert (got["RT1"]["status"], got["RT1"]["resolved_at"], got["RT1"]["reopened"]) == ("resolved", t(10), 1)
    assert (got["RT2"]["status"], got["RT2"]["resolved_at"], got["RT2"]["reopened"]) == ("open", None, 1)


def test_district_and_2025_commune_sent_by_the_source_are_kept() -> None:
    # the source's own district and 2025 commune stand, even for a commune the table would map (C-OLD)
    got = _fold([_report("RS", admin="C-OLD", district_code="D-9", admin_unit_code_2025="C-X@2025"),
                 _report("RK", admin="C-KEPT", district_code="D-9", admin_unit_code_2025="C-Y@2025")], [])
    assert (got["RS"]["district_code"], got["RS"]["admin_unit_code_2025"]) == ("D-9", "C-X@2025")
    assert (got["RK"]["district_code"], got["RK"]["admin_unit_code_2025"]) == ("D-9", "C-Y@2025")


def test_report_frames_without_district_columns() -> None:
    # the simulator's reports (and lakes written before these columns) have neither column: both come from the
    # admin table alone, typed as text
    got = _fold([_report("R8", admin="C-OLD"), _report("R9", admin="C-NEW@2025"), _report("R1")], [],
                drop=("district_code", "admin_unit_code_2025"))
    assert {k: (r["admin_unit_code_2025"], r["district_code"]) for k, r in got.items()} == {
        "R8": ("C-NEW@2025", "D-1"), "R9": ("C-NEW@2025", None), "R1": (None, None)}


def test_district_column_is_text_when_the_admin_table_has_no_district() -> None:
    # an admin table built of nulls only in parent_code (polars types that column Null): the district column
    # must still be text (checked by _fold against the silver.reports schema)
    admin = pl.DataFrame({"code": ["C-OLD", "C-NEW@2025"], "level": ["commune", "commune"],
                          "parent_code": [None, None], "successor_code": ["C-NEW", None]})
    assert admin.schema["parent_code"] == pl.Null
    got = _fold([_report("R8", admin="C-OLD")], [], admin=admin, drop=("district_code", "admin_unit_code_2025"))
    assert (got["R8"]["admin_unit_code_2025"], got["R8"]["district_code"]) == ("C-NEW@2025", None)
