"""Every reject reason of the bronze → silver step, triggered by a hand-made row, with a good row beside it
that still goes through (issue 17: removing the "unknown admin unit" check passed the whole suite)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import polars as pl
import pytest

from pipelines.reports.conform import conform_events, conform_reports

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
CATEGORIES = {"GT", "MT"}
ADMIN = {"19807", "19810"}
UNITS = {"U1", "U2"}

GOOD_REPORT = {"report_id": "R-good", "category_code": "GT", "received_at": "2024-05-31T02:00:00Z",
               "lat": 16.4637, "lon": 107.5909, "admin_unit_code": "19807", "is_valid": True}
GOOD_EVENT = {"event_id": "E-good", "report_id": "R1", "event_type": "assigned", "at": "2024-05-31T03:00:00Z",
              "unit_id": "U1", "deadline_at": "2024-06-05T10:00:00Z"}


def raw(payloads: list[object]) -> pl.DataFrame:
    return pl.DataFrame({
        "raw_id": [f"raw-{i}" for i in range(len(payloads))],
        "source": ["test"] * len(payloads),
        "batch_id": ["b1"] * len(payloads),
        "ingested_at": [NOW] * len(payloads),
        "payload": [p if isinstance(p, str) else json.dumps(p) for p in payloads],
    })


def reports_with(bad: object) -> tuple[pl.DataFrame, pl.DataFrame]:
    out = conform_reports(raw([GOOD_REPORT, bad]), categories=CATEGORIES, admin_codes=ADMIN, now=NOW)
    assert out.reconciles
    return out.rows, out.rejects


REPORT_CASES = [
    ("not json at all", "malformed payload"),
    (["a", "list"], "malformed payload"),
    ({**GOOD_REPORT, "report_id": None}, "missing report_id"),
    ({**GOOD_REPORT, "report_id": "  "}, "missing report_id"),
    ({**GOOD_REPORT, "report_id": "R2", "lat": "north"}, "wrong type: lat"),
    ({**GOOD_REPORT, "report_id": "R2", "received_at": None}, "missing received_at"),
    ({**GOOD_REPORT, "report_id": "R2", "received_at": "2024-06-02T00:00:00Z"}, "timestamp in the future"),
    ({**GOOD_REPORT, "report_id": "R2", "category_code": "XX"}, "unknown category XX"),
    ({**GOOD_REPORT, "report_id": "R2", "category_code": None}, "missing category_code"),
    ({**GOOD_REPORT, "report_id": "R2", "lon": None}, "only one of lat/lon given"),
    ({**GOOD_REPORT, "report_id": "R2", "lat": 21.0285, "lon": 105.8542}, "coordinates outside Huế"),
    ({**GOOD_REPORT, "report_id": "R2", "admin_unit_code": "00001"}, "unknown admin unit 00001"),
]


def _ids(cases: list) -> list[str]:
    """Plain ASCII ids (mutmut hands test ids back to pytest, which cannot find escaped accents or spaces)."""
    return [re.sub(r"[^a-z0-9]+", "_", unicodedata.normalize("NFKD", r).encode("ascii", "ignore").decode().lower())
            .strip("_") + f"_{i}" for i, (_, r) in enumerate(cases)]


@pytest.mark.parametrize(("bad", "reason"), REPORT_CASES, ids=_ids(REPORT_CASES))
def test_each_report_reason_rejects_its_row_and_keeps_the_good_one(bad: object, reason: str) -> None:
    rows, rejects = reports_with(bad)
    assert rows["report_id"].to_list() == ["R-good"]
    assert rejects.height == 1
    assert rejects["reason"][0].startswith(reason), rejects["reason"][0]
    assert rejects["target_table"][0] == "silver.reports"


def test_a_report_without_coordinates_or_admin_unit_is_kept() -> None:
    bare = {k: v for k, v in GOOD_REPORT.items() if k not in ("lat", "lon", "admin_unit_code")}
    rows, rejects = reports_with({**bare, "report_id": "R2"})
    assert sorted(rows["report_id"]) == ["R-good", "R2"] and rejects.height == 0


def test_same_version_with_other_content_is_a_duplicate_a_newer_one_supersedes() -> None:
    same = {**GOOD_REPORT, "title": "other text"}
    newer = {**GOOD_REPORT, "title": "edited", "updated_at": "2024-05-31T05:00:00Z"}
    out = conform_reports(raw([GOOD_REPORT, same, newer]), categories=CATEGORIES, admin_codes=ADMIN, now=NOW)
    assert out.reconciles and (out.read, out.rows.height, out.superseded, out.rejects.height) == (3, 1, 1, 1)
    assert out.rows["title"].to_list() == ["edited"]
    assert out.rejects["reason"][0] == "duplicate report_id: R-good was already received with other content"


EVENT_CASES = [
    ({**GOOD_EVENT, "event_id": None}, "missing event_id"),
    ({**GOOD_EVENT, "event_id": "E2", "at": "yesterday"}, "wrong type: at"),
    ({**GOOD_EVENT, "event_id": "E2", "event_type": "teleported"}, "unknown event type teleported"),
    ({**GOOD_EVENT, "event_id": "E2", "event_type": None}, "missing event_type"),
    ({**GOOD_EVENT, "event_id": "E2", "at": None}, "missing event time"),
    ({**GOOD_EVENT, "event_id": "E2", "report_id": None}, "missing report_id"),
    ({**GOOD_EVENT, "event_id": "E2", "at": "2024-06-01T13:00:00Z"}, "timestamp in the future"),
    ({**GOOD_EVENT, "event_id": "E2", "report_id": "R-nobody"}, "unknown report R-nobody"),
    ({**GOOD_EVENT, "event_id": "E2", "unit_id": "U9"}, "unknown unit U9"),
    ({**GOOD_EVENT, "event_id": "E2", "event_type": "transferred", "to_unit_id": "U9"}, "unknown unit U9"),
    ({**GOOD_EVENT, "event_id": "E2", "event_type": "rated", "rating": "tuyệt vời"}, "unknown rating tuyệt vời"),
]


@pytest.mark.parametrize(("bad", "reason"), EVENT_CASES, ids=_ids(EVENT_CASES))
def test_each_event_reason_rejects_its_row_and_keeps_the_good_one(bad: object, reason: str) -> None:
    out = conform_events(raw([GOOD_EVENT, bad]), known_reports={"R1"}, known_units=UNITS, now=NOW)
    assert out.reconciles
    assert out.rows["event_id"].to_list() == ["E-good"]
    assert out.rejects.height == 1
    assert out.rejects["reason"][0].startswith(reason), out.rejects["reason"][0]


def test_a_rating_event_with_a_known_rating_is_kept() -> None:
    rated = {**GOOD_EVENT, "event_id": "E2", "event_type": "rated", "rating": "chap_nhan", "unit_id": None}
    out = conform_events(raw([GOOD_EVENT, rated]), known_reports={"R1"}, known_units=UNITS, now=NOW)
    assert sorted(out.rows["event_id"]) == ["E-good", "E2"] and out.rejects.height == 0


def test_an_empty_batch_conforms_to_empty_typed_frames() -> None:
    empty = raw([]).clear()
    rep = conform_reports(empty, categories=CATEGORIES, admin_codes=ADMIN, now=NOW)
    ev = conform_events(empty, known_reports={"R1"}, known_units=UNITS, now=NOW)
    for out, first in ((rep, ("report_id", pl.String)), (ev, ("event_id", pl.String))):
        assert (out.read, out.superseded, out.rows.height, out.rejects.height) == (0, 0, 0, 0)
        assert next(iter(out.rows.schema.items())) == first
        assert "reason" in out.rejects.columns
    assert rep.rows.schema["received_at"] == pl.Datetime("us", "UTC")
    assert ev.rows.schema["at"] == pl.Datetime("us", "UTC") and "source" in ev.rows.columns


def test_a_reject_without_a_source_is_filed_under_unknown() -> None:
    # a raw row whose source is missing: its reject still names one ("unknown"), for reports and events
    for payloads, conform, kwargs in (
            ([GOOD_REPORT, {**GOOD_REPORT, "report_id": None}], conform_reports,
             {"categories": CATEGORIES, "admin_codes": ADMIN}),
            ([GOOD_EVENT, {**GOOD_EVENT, "event_id": None}], conform_events,
             {"known_reports": {"R1"}, "known_units": UNITS})):
        frame = raw(payloads).with_columns(source=pl.lit(None, pl.String))
        out = conform(frame, now=NOW, **kwargs)
        assert out.rejects["source"].to_list() == ["unknown"]
