"""Open311 intake: every service request imported from another system, mapped or not, and service lists."""

import pyarrow as pa

from lake.catalog import TS, TableSpec

STR, F64, BOOL = pa.string(), pa.float64(), pa.bool_()

OPEN311_REQUESTS = TableSpec(
    name="silver.open311_requests",
    schema=pa.schema([
        ("request_key", STR),  # "<jurisdiction>:<service_request_id>"
        ("jurisdiction", STR),  # as given at import (hue, nyc, chicago, ...)
        ("request_id", STR),
        ("origin", STR),  # file name or URL it came from
        ("mapping", STR),  # mapped | unmapped (not in the mapping table yet: kept, counted, shown)
        ("unmapped_reason", STR),  # "service 'Noise' not mapped; agency 'NYPD' not mapped"
        ("service_code", STR),
        ("service_name", STR),
        ("agency", STR),
        ("category_code", STR),  # from the mapping table; null while unmapped
        ("unit_id", STR),  # from the mapping table; null while unmapped
        ("status", STR),  # our lifecycle: pending | open | resolved | invalid
        ("status_raw", STR),  # what the source said (Closed, open, Assigned, ...)
        ("status_notes", STR),
        ("requested_at", TS),  # UTC, read in the source's time zone when it gives none
        ("updated_at", TS),
        ("resolved_at", TS),  # when closed: its close time (else its last update)
        ("deadline_at", TS),
        ("time_zone", STR),  # the zone naive source times were read in
        ("lat", F64),
        ("lon", F64),
        ("outside_hue", BOOL),  # a point outside Huế (kept for other jurisdictions, flagged)
        ("address", STR),
        ("description", STR),
        ("to_reports", BOOL),  # handed to the reports pipeline (Huế's own, mapped requests)
        ("payload", STR),  # the canonical record as JSON, with what the source said beyond it
        ("batch_id", STR),
        ("ingested_at", TS),
    ]),
    keys=("request_key",),
    description="Open311 requests imported by `hue-ioc open311 import`: mapped or waiting in the unmapped bucket.",
)

OPEN311_SERVICES = TableSpec(
    name="silver.open311_services",
    schema=pa.schema([
        ("service_key", STR),  # "<jurisdiction>:<service_code>"
        ("jurisdiction", STR),
        ("service_code", STR),
        ("service_name", STR),
        ("description", STR),
        ("group", STR),
        ("type", STR),
        ("keywords", STR),
        ("metadata", BOOL),
        ("category_code", STR),  # from the mapping table; null while unmapped
        ("origin", STR),
        ("ingested_at", TS),
    ]),
    keys=("service_key",),
    description="Open311 service lists (GET services) of the systems requests are imported from.",
)

TABLES = [OPEN311_REQUESTS, OPEN311_SERVICES]
