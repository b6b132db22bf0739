"""The contract between report sources and the reports pipeline.

Every source of citizen reports (the simulator, Open311 GeoReport v2 feeds and CSV bulk exports, the citizen
app's operational PostgreSQL) sits behind one interface, :class:`ReportSource`: ``fetch(since)`` returns a
:class:`SourceBatch` of :class:`RawRecord` (canonical payloads, JSON-serialisable, datetimes as ISO-8601 with
an offset), the rows that could not be read at all (``lake.Reject``), and an opaque watermark to resume from.
A source that makes many records at once (the simulator) hands them over already encoded, in the bronze
shape (``record_id``, ``source``, ``payload`` text), instead of one ``RawRecord`` each.

The pipeline (``pipelines.reports``) writes batches to bronze and validates payloads into silver; sources only
get records out faithfully and never import the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import polars as pl

from lake import Reject

REPORT_KEYS: tuple[str, ...] = (
    "report_id", "source", "channel", "category_code", "title", "description", "lat", "lon",
    "admin_unit_code", "received_at", "process_type", "is_valid", "invalid_reason", "reporter_name",
    "reporter_phone", "updated_at",
)
REPORT_OPTIONAL_KEYS: tuple[str, ...] = (
    "status", "unit_id", "deadline_at", "resolved_at", "rating", "expected_datetime",
)
EVENT_KEYS: tuple[str, ...] = (
    "event_id", "report_id", "event_type", "at", "unit_id", "to_unit_id", "deadline_at", "rating", "note",
)
EVENT_TYPES: frozenset[str] = frozenset({
    "received", "validated", "invalidated", "assigned", "transferred", "extension_requested",
    "extension_granted", "resolved", "reopened", "rated", "rejected", "withdrawn",
    "deleted",  # made by the IOC: the report's row is gone from the source (key reconciliation)
})
REPORTS_RAW = "bronze.reports_raw"
EVENTS_RAW = "bronze.report_events_raw"
KINDS = ("report", "event")
PAYLOAD_SCHEMA = {"record_id": pl.String, "source": pl.String, "payload": pl.String}


@dataclass(frozen=True)
class RawRecord:
    kind: str  # "report" | "event"
    source: str  # "open311" | "postgres" | "simulated" | "csv"
    record_id: str  # the id the source gives (report id for reports, event id for events)
    payload: dict[str, Any]  # canonical fields, JSON-serialisable (datetimes as ISO-8601 strings with offset);
    # a source may add an "extra" dict of what its feed said beyond them (kept in bronze, ignored by silver)


@dataclass
class SourceBatch:
    records: list[RawRecord] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # records that could not even be read, with reasons
    watermark: str | None = None  # opaque cursor to resume from
    encoded: dict[str, pl.DataFrame] = field(default_factory=dict)  # kind → rows in PAYLOAD_SCHEMA
    # A reproducible source names its batch and its ingest time, so that ingesting it again is a no-op.
    batch_id: str | None = None
    ingested_at: dt.datetime | None = None
    complete: bool = False  # the whole of batch_id: ingesting it replaces what an earlier delivery left

    def payloads(self, kind: str) -> pl.DataFrame:
        """Records of ``kind`` ("report" | "event") in the bronze shape: record_id, source, payload text."""
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}")
        recs = [r for r in self.records if r.kind == kind]
        frame = pl.DataFrame({"record_id": [r.record_id for r in recs], "source": [r.source for r in recs],
                              "payload": [json.dumps(r.payload, ensure_ascii=False, sort_keys=True, default=str)
                                          for r in recs]}, schema=PAYLOAD_SCHEMA)
        if kind in self.encoded:
            frame = pl.concat([frame, self.encoded[kind].select(list(PAYLOAD_SCHEMA)).cast(PAYLOAD_SCHEMA)])
        return frame

    def reports(self) -> list[RawRecord]:
        return [r for r in self.records if r.kind == "report"]

    def events(self) -> list[RawRecord]:
        return [r for r in self.records if r.kind == "event"]


@runtime_checkable
class ReportSource(Protocol):
    name: str

    def fetch(self, since: str | None = None) -> SourceBatch: ...


def report_payload(**values: Any) -> dict[str, Any]:
    """A report payload with every canonical key (missing → None) plus the optional keys given."""
    unknown = set(values) - set(REPORT_KEYS) - set(REPORT_OPTIONAL_KEYS)
    if unknown:
        raise KeyError(f"not canonical report keys: {sorted(unknown)}")
    out: dict[str, Any] = {k: values.get(k) for k in REPORT_KEYS}
    out.update({k: values[k] for k in REPORT_OPTIONAL_KEYS if k in values})
    return out


def event_payload(**values: Any) -> dict[str, Any]:
    """An event payload with every canonical key (missing → None)."""
    unknown = set(values) - set(EVENT_KEYS)
    if unknown:
        raise KeyError(f"not canonical event keys: {sorted(unknown)}")
    if values.get("event_type") not in EVENT_TYPES:
        raise ValueError(f"unknown event_type {values.get('event_type')!r}")
    return {k: values.get(k) for k in EVENT_KEYS}


def iso(value: dt.datetime | None) -> str | None:
    """ISO-8601 with an offset; naive datetimes are refused (a source must know its time zone)."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: a source must attach its time zone")
    return value.isoformat()
