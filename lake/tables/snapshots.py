"""The record of table versions written together, so readers can see them together."""

import pyarrow as pa

from lake.catalog import TS, TableSpec

SNAPSHOTS = TableSpec(
    name="gold.snapshots",
    schema=pa.schema(
        [
            ("snapshot_id", pa.string()),  # "<group>:<sequence>"
            ("group", pa.string()),  # which tables agree, e.g. "reports" (silver reports + events + gold)
            ("sequence", pa.int64()),  # 1, 2, ... per group
            ("versions", pa.string()),  # JSON {table: Delta version} written together
            ("written_at", TS),
            ("writer", pa.string()),  # the command or job that wrote them
        ]
    ),
    keys=("snapshot_id",),
    description="Consistent sets: the versions of tables that a writer finished together (read them with "
                "lake.snapshots.consistent).",
)

TABLES = [SNAPSHOTS]
