"""The table catalog: every lake table's name, layer, schema, merge keys and partitioning.

Each domain declares its tables in ``lake/tables/<domain>.py`` as ``TABLES: list[TableSpec]``;
this module collects them. Names are ``layer.table``; storage is ``<root>/<layer>/<table>``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa

LAYERS = ("bronze", "silver", "gold")

# Shared column types: timestamps are UTC microseconds everywhere in the lake.
TS = pa.timestamp("us", tz="UTC")


# How a column holding personal data is shown to a role that may not see it (``lake.access``).
MASKS = ("name", "phone", "plate", "hide")


@dataclass(frozen=True)
class Column:
    """What a column means, beyond its type: shown by ``Lake.describe`` and in the Dagster catalog.

    ``values``: the allowed values (a closed list unless ``open_values``); ``unit``: the unit of a number
    (m, VND, h, ...); ``personal``: the column is personal data, seen by operators only, and how it is
    masked for the other roles (one of ``MASKS``)."""

    meaning: str = ""
    unit: str | None = None
    values: tuple[str, ...] = ()
    open_values: bool = False
    personal: str | None = None

    def __post_init__(self) -> None:
        if self.personal is not None and self.personal not in MASKS:
            raise ValueError(f"unknown mask {self.personal!r}; known: {MASKS}")


def values(*allowed: str, meaning: str = "", open_values: bool = False) -> Column:
    """A column that takes one of ``allowed``."""
    return Column(meaning=meaning, values=tuple(allowed), open_values=open_values)


@dataclass(frozen=True)
class TableSpec:
    name: str  # "silver.reports"
    schema: pa.Schema
    keys: tuple[str, ...] = ()  # merge (upsert) keys; empty = append-only
    partition_by: tuple[str, ...] = ()
    description: str = ""
    docs: Mapping[str, Column] = field(default_factory=dict)  # per column: meaning, unit, values, personal
    renamed: Mapping[str, str] = field(default_factory=dict)  # old column name -> current (lakes written before)
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
        unknown = [c for c in (*self.docs, *self.renamed.values()) if c not in self.schema.names]
        if unknown:
            raise ValueError(f"{self.name}: docs/renames name columns not in the schema: {unknown}")

    def column(self, name: str) -> Column:
        """The catalog's note on a column (an empty note when it has none)."""
        return self.docs.get(name) or Column()

    @property
    def personal(self) -> dict[str, str]:
        """Personal columns (operators only) and how each is masked for the other roles."""
        return {c: d.personal for c, d in self.docs.items() if d.personal}

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


def bronze_table(name: str, what: str, personal_payload: bool = False) -> TableSpec:
    """A bronze table: payloads as received, append-only, one row per distinct payload.

    ``personal_payload``: the payloads carry personal data (a reporter's name and phone), so only
    operators read them."""
    return TableSpec(
        name=f"bronze.{name}",
        schema=pa.schema([
            ("raw_id", pa.string()),
            ("source", pa.string()),
            ("record_id", pa.string()),
            ("batch_id", pa.string()),
            ("ingested_at", TS),
            ("payload", pa.string()),
        ]),
        keys=("raw_id",),
        docs={
            "raw_id": Column("hash of (source, record_id, payload): the same payload again adds nothing"),
            "source": Column("where it came from", values=("simulated", "open311", "postgres", "file", "feed",
                                                           "vndms_csv"), open_values=True),
            "record_id": Column("the id the source gave the record (a file name, a URL)"),
            "batch_id": Column("the load that wrote it"),
            "ingested_at": Column("when it was written to the lake (UTC)"),
            "payload": Column("the record as received (JSON text, XML text, a CSV record as JSON text)",
                              personal="hide" if personal_payload else None),
        },
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
