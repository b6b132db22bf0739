"""The table catalog: every lake table's name, layer, schema, merge keys and partitioning.

Each domain declares its tables in ``lake/tables/<domain>.py`` as ``TABLES: list[TableSpec]``;
this module collects them. Names are ``layer.table``; storage is ``<root>/<layer>/<table>``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa

LAYERS = ("bronze", "silver", "gold")

# Shared column types: timestamps are UTC microseconds everywhere in the lake.
TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    name: str  # "silver.reports"
    schema: pa.Schema
    keys: tuple[str, ...] = ()  # merge (upsert) keys; empty = append-only
    partition_by: tuple[str, ...] = ()
    description: str = ""
    column_docs: dict[str, str] = field(default_factory=dict)
    # {column: timestamp column}: the column is the first day (UTC) of the timestamp's month, filled in on
    # every write (a partition column the writers never name)
    month_of: dict[str, str] = field(default_factory=dict)
    # the order rows are written and compacted in (z-order when more than one column): the dashboards'
    # filters, so a period or a camera reads few row groups
    sort_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        layer, _, table = self.name.partition(".")
        if layer not in LAYERS or not table:
            raise ValueError(f"table name must be '<layer>.<table>' with layer in {LAYERS}: {self.name!r}")
        missing = [k for k in (*self.keys, *self.partition_by, *self.month_of, *self.month_of.values(),
                               *self.sort_by) if k not in self.schema.names]
        if missing:
            raise ValueError(f"{self.name}: keys/partitions/sort columns not in schema: {missing}")

    @property
    def layer(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def path(self) -> str:
        """Storage path relative to the lake root."""
        return f"{self.layer}/{self.table}"


def bronze_table(name: str, what: str) -> TableSpec:
    """A bronze table: payloads as received, append-only, one row per distinct payload."""
    return TableSpec(
        name=f"bronze.{name}",
        schema=pa.schema([
            ("raw_id", pa.string()),  # hash of (source, record_id, payload): the same payload again adds nothing
            ("source", pa.string()),  # simulated | open311 | postgres | file | feed | vndms_csv | ...
            ("record_id", pa.string()),  # the id the source gave the record (a file name, a URL)
            ("batch_id", pa.string()),
            ("ingested_at", TS),
            ("payload", pa.string()),  # as received (JSON text, XML text, a CSV record as JSON text)
        ]),
        keys=("raw_id",),
        description=f"{what} as received, append-only, one row per distinct payload.",
    )


@lru_cache(maxsize=1)
def catalog() -> dict[str, TableSpec]:
    """All tables, discovered from the modules in ``lake.tables``."""
    from lake import tables as pkg

    out: dict[str, TableSpec] = {}
    for mod_info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{pkg.__name__}.{mod_info.name}")
        for spec in getattr(mod, "TABLES", []):
            if spec.name in out:
                raise ValueError(f"table {spec.name} declared twice (second in lake.tables.{mod_info.name})")
            out[spec.name] = spec
    return out


def spec(name: str) -> TableSpec:
    try:
        return catalog()[name]
    except KeyError:
        raise KeyError(f"unknown lake table {name!r}; known: {sorted(catalog())}") from None
