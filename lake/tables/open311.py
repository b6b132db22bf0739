"""Open311 intake: every service request imported from another system, mapped or not, and service lists."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec

STR, F64, BOOL = pa.string(), pa.float64(), pa.bool_()

OPEN311_REQUESTS = TableSpec(
    name="silver.open311_requests",
    schema=pa.schema([
        ("request_key", STR),
        ("jurisdiction", STR),
        ("request_id", STR),
        ("origin", STR),
        ("mapping", STR),
        ("unmapped_reason", STR),
        ("service_code", STR),
        ("service_name", STR),
        ("agency", STR),
        ("category_code", STR),
        ("unit_id", STR),
        ("status", STR),
        ("status_raw", STR),
        ("status_notes", STR),
        ("requested_at", TS),
        ("updated_at", TS),
        ("resolved_at", TS),
        ("deadline_at", TS),
        ("time_zone", STR),
        ("lat", F64),
        ("lon", F64),
        ("outside_hue", BOOL),
        ("address", STR),
        ("description", STR),
        ("to_reports", BOOL),
        ("payload", STR),
        ("batch_id", STR),
        ("ingested_at", TS),
    ]),
    keys=("request_key",),
    docs={
        "request_key": Column('"<jurisdiction>:<service_request_id>"'),
        "jurisdiction": Column("as given at import (hue, nyc, chicago, ...)"),
        "origin": Column("file name or URL it came from"),
        "mapping": Column("not in the mapping table yet: kept, counted, shown", values=("mapped", "unmapped")),
        "unmapped_reason": Column("\"service 'Noise' not mapped; agency 'NYPD' not mapped\""),
        "category_code": Column("from the mapping table; null while unmapped"),
        "unit_id": Column("from the mapping table; null while unmapped"),
        "status": Column("our lifecycle: pending | open | resolved | invalid"),
        "status_raw": Column("what the source said (Closed, open, Assigned, ...)"),
        "requested_at": Column("UTC, read in the source's time zone when it gives none"),
        "resolved_at": Column("when closed: its close time (else its last update)"),
        "time_zone": Column("the zone naive source times were read in"),
        "outside_hue": Column("a point outside Huế (kept for other jurisdictions, flagged)"),
        "to_reports": Column("handed to the reports pipeline (Huế's own, mapped requests)"),
        "payload": Column("the canonical record as JSON, with what the source said beyond it"),
    },
    description="Open311 requests imported by `hue-ioc open311 import`: mapped or waiting in the unmapped bucket.",
)

OPEN311_SERVICES = TableSpec(
    name="silver.open311_services",
    schema=pa.schema([
        ("service_key", STR),
        ("jurisdiction", STR),
        ("service_code", STR),
        ("service_name", STR),
        ("description", STR),
        ("group", STR),
        ("type", STR),
        ("keywords", STR),
        ("metadata", BOOL),
        ("category_code", STR),
        ("origin", STR),
        ("ingested_at", TS),
    ]),
    keys=("service_key",),
    docs={
        "service_key": Column('"<jurisdiction>:<service_code>"'),
        "category_code": Column("from the mapping table; null while unmapped"),
    },
    description="Open311 service lists (GET services) of the systems requests are imported from.",
)

TABLES = [OPEN311_REQUESTS, OPEN311_SERVICES]
