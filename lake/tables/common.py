"""Tables shared by every domain."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec

REJECTS = TableSpec(
    name="silver.rejects",
    schema=pa.schema(
        [
            ("reject_id", pa.string()),
            ("source", pa.string()),
            ("target_table", pa.string()),
            ("batch_id", pa.string()),
            ("record_ref", pa.string()),
            ("reason", pa.string()),
            ("payload", pa.string()),
            ("rejected_at", TS),
        ]
    ),
    keys=("reject_id",),
    docs={
        "reject_id": Column("stable hash of (source, target, payload, reason): reruns add nothing"),
        "source": Column("the source the record came from"),
        "target_table": Column("the lake table it was meant for"),
        "batch_id": Column("the load that read it"),
        "record_ref": Column("the id the record claimed, when it had one"),
        "reason": Column("why it was refused (one line, the field named)"),
        "payload": Column("the record as received: it may hold a reporter's identity, so operators only",
                          personal="hide"),
        "rejected_at": Column("when it was refused (UTC)"),
    },
    description="Every row, file or message that failed validation, with its source, reason and payload.",
)

TABLES = [REJECTS]
