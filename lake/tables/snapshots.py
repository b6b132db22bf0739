"""The record of table versions written together, so readers can see them together."""

import pyarrow as pa

from lake.catalog import TS, Column, TableSpec

SNAPSHOTS = TableSpec(
    name="gold.snapshots",
    schema=pa.schema(
        [
            ("snapshot_id", pa.string()),
            ("group", pa.string()),
            ("sequence", pa.int64()),
            ("versions", pa.string()),
            ("written_at", TS),
            ("writer", pa.string()),
        ]
    ),
    keys=("snapshot_id",),
    docs={
        "snapshot_id": Column('"<group>:<sequence>"'),
        "group": Column('which tables agree, e.g. "reports" (silver reports + events + gold)'),
        "sequence": Column("1, 2, ... per group"),
        "versions": Column("JSON {table: Delta version} written together"),
        "writer": Column("the command or job that wrote them"),
    },
    description="Consistent sets: the versions of tables that a writer finished together (read them with "
                "lake.snapshots.consistent).",
)

TABLES = [SNAPSHOTS]
