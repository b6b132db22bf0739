"""Tables shared by every domain."""

import pyarrow as pa

from lake.catalog import TS, TableSpec

REJECTS = TableSpec(
    name="silver.rejects",
    schema=pa.schema(
        [
            ("reject_id", pa.string()),  # stable hash of (source, target, payload, reason): reruns add nothing
            ("source", pa.string()),
            ("target_table", pa.string()),
            ("batch_id", pa.string()),
            ("record_ref", pa.string()),  # the id the record claimed, when it had one
            ("reason", pa.string()),
            ("payload", pa.string()),
            ("rejected_at", TS),
        ]
    ),
    keys=("reject_id",),
    description="Every row, file or message that failed validation, with its source, reason and payload.",
)

TABLES = [REJECTS]
