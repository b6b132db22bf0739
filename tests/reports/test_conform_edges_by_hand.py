"""Edges of the bronze -> silver checks that the reject-reason table does not reach (issue 17: survivors of the
mutation run): unreadable payloads named as such, is_valid given as 1/0, the source a row defaults to, and
the five minutes of clock slack before "in the future". Every expected value is written by hand."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from pipelines.reports.conform import _typed, conform_events, conform_reports

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
UNITS = {"U1"}


def _raw(payloads: list[object], ingested: list[dt.datetime] | None = None) -> pl.DataFrame:
    return pl.DataFrame({"raw_id": [f"raw-{i}" for i in range(len(payloads))], "source": ["test"] * len(payloads),
                         "batch_id": ["b1"] * len(payloads), "ingested_at": ingested or [NOW] * len(payloads),
                         "payload": [p if isinstance(p, str) else json.dumps(p) for p in payloads]})


def _event(eid: str, at: str) -> dict:
    return {"event_id": eid, "report_id": "R1", "event_type": "assigned", "at": at, "unit_id": "U1"}


def _report(rid: str, received_at: str) -> dict:
    return {"report_id": rid, "category_code": "GT", "received_at": received_at, "is_valid": True}


MALFORMED = [("not json at all", "malformed payload: Expecting value: line 1 column 1 (char 0)"),
             ("[1, 2]", "malformed payload: payload is not a JSON object"),
             ("42", "malformed payload: payload is not a JSON object")]


@pytest.mark.parametrize(("bad", "reason"), MALFORMED, ids=["text", "list", "number"])
def test_an_unreadable_event_payload_is_rejected_as_malformed(bad: str, reason: str) -> None:
    out = conform_events(_raw([_event("E1", "2024-06-01T10:00:00Z"), bad]), known_reports={"R1"},
                         known_units=UNITS, now=NOW)
    assert out.rows["event_id"].to_list() == ["E1"]
    assert out.rejects.select("reason", "target_table", "payload", "source", "batch_id").rows() == [
        (reason, "silver.report_events", bad, "test", "b1")]


@pytest.mark.parametrize(("bad", "reason"), MALFORMED, ids=["text", "list", "number"])
def test_an_unreadable_report_payload_is_rejected_as_malformed(bad: str, reason: str) -> None:
    out = conform_reports(_raw([_report("R1", "2024-06-01T10:00:00Z"), bad]), categories={"GT"}, admin_codes=set(),
                          now=NOW)
    assert out.rows["report_id"].to_list() == ["R1"]
    assert out.rejects.select("reason", "target_table", "payload", "source", "batch_id").rows() == [
        (reason, "silver.reports", bad, "test", "b1")]


def test_is_valid_is_read_from_true_false_and_one_zero() -> None:
    # JSON true/false and 1/0 arrive as text "true"/"false"/"1"/"0"; case does not matter; "yes" is refused
    values = [True, False, 1, 0, "1", "0", "TRUE", "False", "yes"]
    out = conform_reports(_raw([{**_report(f"R{i}", "2024-06-01T10:00:00Z"), "is_valid": v}
                                for i, v in enumerate(values)]), categories={"GT"}, admin_codes=set(), now=NOW)
    assert out.rows.select("report_id", "is_valid").rows() == [
        ("R0", True), ("R1", False), ("R2", True), ("R3", False), ("R4", True), ("R5", False), ("R6", True),
        ("R7", False)]
    assert out.rejects.select("record_ref", "reason").rows() == [("R8", "wrong type: is_valid is not a Boolean")]


def test_the_source_of_a_row_defaults_to_its_raw_row() -> None:
    # a report that names its source keeps it; one that does not takes the raw row's; events always the raw row's
    reports = conform_reports(_raw([{**_report("R1", "2024-06-01T10:00:00Z"), "source": "zalo"},
                                    _report("R2", "2024-06-01T10:00:00Z")]), categories={"GT"}, admin_codes=set(),
                              now=NOW)
    assert reports.rows.select("report_id", "source").rows() == [("R1", "zalo"), ("R2", "test")]
    events = conform_events(_raw([_event("E1", "2024-06-01T10:00:00Z")]), known_reports={"R1"}, known_units=UNITS,
                            now=NOW)
    assert events.rows.select("event_id", "source").rows() == [("E1", "test")]


def test_the_newest_version_wins_whatever_the_arrival_order() -> None:
    # R1's version of 10:00 arrives before its version of 09:00 (a late older edit): 10:00 stays, 09:00 is
    # superseded. R2 comes twice with the same version and other titles: the one ingested first (row 3, an hour
    # earlier) is kept, the other is a duplicate. Kept rows keep the raw order of their ids (R1 before R2).
    def version(rid: str, updated: str, title: str) -> dict:
        return {**_report(rid, "2024-06-01T08:00:00Z"), "updated_at": updated, "title": title}
    payloads = [version("R1", "2024-06-01T10:00:00Z", "ten"), version("R1", "2024-06-01T09:00:00Z", "nine"),
                version("R2", "2024-06-01T08:30:00Z", "second"), version("R2", "2024-06-01T08:30:00Z", "first")]
    hour = dt.timedelta(hours=1)
    out = conform_reports(_raw(payloads, ingested=[NOW - hour, NOW - hour, NOW, NOW - hour]), categories={"GT"},
                          admin_codes=set(), now=NOW)
    assert out.rows.select("report_id", "title").rows() == [("R1", "ten"), ("R2", "first")]
    assert (out.read, out.superseded) == (4, 1)
    assert out.rejects.select("record_ref", "payload").rows() == [("R2", json.dumps(payloads[2]))]


def test_an_event_id_sent_twice_keeps_the_one_ingested_first() -> None:
    out = conform_events(_raw([_event("E1", "2024-06-01T10:00:00Z"), _event("E1", "2024-06-01T09:00:00Z")],
                              ingested=[NOW, NOW - dt.timedelta(hours=1)]), known_reports={"R1"},
                         known_units=UNITS, now=NOW)
    assert out.rows.select("event_id", "at").rows() == [("E1", dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC))]
    assert out.rejects.select("record_ref", "reason").rows() == [
        ("E1", "duplicate event_id: E1 was already received with other content")]


def test_events_up_to_five_minutes_ahead_of_the_clock_are_kept() -> None:
    # now is 12:00: 12:00 and 12:04:59 are within the slack, 12:05:01 is not (12:05:00 itself is kept: > only)
    out = conform_events(_raw([_event("E1", "2024-06-01T12:00:00Z"), _event("E2", "2024-06-01T12:04:59Z"),
                               _event("E3", "2024-06-01T12:05:00Z"), _event("E4", "2024-06-01T12:05:01Z")]),
                         known_reports={"R1"}, known_units=UNITS, now=NOW)
    assert out.rows["event_id"].to_list() == ["E1", "E2", "E3"]
    assert out.rejects["reason"].to_list() == ["timestamp in the future: at 2024-06-01 12:05:01.000000+00:00"]


def test_reports_up_to_five_minutes_ahead_of_the_clock_are_kept() -> None:
    out = conform_reports(_raw([_report("R1", "2024-06-01T12:00:00Z"), _report("R2", "2024-06-01T12:04:59Z"),
                                _report("R3", "2024-06-01T12:05:00Z"), _report("R4", "2024-06-01T12:05:01Z")]),
                          categories={"GT"}, admin_codes=set(), now=NOW)
    assert out.rows["report_id"].to_list() == ["R1", "R2", "R3"]
    assert out.rejects["reason"].to_list() == ["timestamp in the future: received_at 2024-06-01 12:05:01.000000+00:00"]


def test_text_only_fields_give_one_empty_reason_per_row() -> None:
    # nothing to cast, nothing to refuse: the rows come back as they are, with a null reason for each of them
    frame = pl.DataFrame({"a": ["x", None, "z"]})
    out, reasons = _typed(frame, {"a": pl.String})
    assert out.rows() == [("x",), (None,), ("z",)]
    assert reasons.to_list() == [None, None, None]
