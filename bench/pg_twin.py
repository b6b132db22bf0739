"""PostgreSQL holding the same tables as a lake, behind the one method the views call: ``sql(query, params)``.

The reports bench runs the very same view functions on the lake (DuckDB) and on this twin. A view writes
DuckDB SQL; the twin translates each distinct text once with sqlglot (DuckDB → PostgreSQL dialect, tables
renamed into the twin's schemas, ``GROUP BY ALL`` spelled out as positions) and runs it as a prepared
statement. B-tree indexes match the views' filters: periods (date, month), a unit, an area and category.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl
import pyarrow as pa
import sqlglot
from sqlglot import exp

from lake import Lake

# gold, the small silver tables the views join (names, areas, categories) and, for the views that read
# single reports (the ranking's median hours to resolve), silver.reports with the columns they use
INDEXES: dict[str, list[str]] = {
    "gold.kpi_daily": ["date", "admin_unit_code_2025, category_code, date", "unit_id, date"],
    "gold.unit_performance": ["month", "unit_id, month"],
    "gold.unit_transfers": ["date", "to_unit_id, date", "from_unit_id, date"],
    "silver.units": ["unit_id"],
    "silver.admin_units": ["admin_unit_code", "parent_code"],
    "silver.categories": ["category_code"],
    "silver.reports": ["received_at", "current_unit_id, received_at"],
}
COLUMNS = {"silver.reports": ["report_id", "received_at", "resolved_at", "status", "is_valid", "current_unit_id",
                              "admin_unit_code_2025", "category_code", "channel"]}
CLUSTER_ON = {"gold.kpi_daily": "date", "gold.unit_performance": "month", "gold.unit_transfers": "date"}

# DuckDB functions the views use that PostgreSQL 15 lacks, with DuckDB's meaning
_SHIMS = [
    "CREATE FUNCTION {s}.round(double precision, integer) RETURNS double precision LANGUAGE sql IMMUTABLE "
    "AS 'SELECT round($1::numeric, $2)::double precision'",
    "CREATE FUNCTION {s}.any_value_sfunc(anyelement, anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE "
    "AS 'SELECT coalesce($1, $2)'",
    "CREATE AGGREGATE {s}.any_value(anyelement) (SFUNC = {s}.any_value_sfunc, STYPE = anyelement)",
]


def _pg_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "bigint"
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    return "text"


def to_postgres(query: str, prefix: str) -> str:
    """The view's DuckDB SQL in PostgreSQL's dialect, reading the twin's schemas."""
    tree = sqlglot.parse_one(query, read="duckdb")
    for table in tree.find_all(exp.Table):
        if table.db in ("bronze", "silver", "gold"):
            table.set("db", exp.to_identifier(f"{prefix}_{table.db}"))
    for select in tree.find_all(exp.Select):
        group = select.args.get("group")
        if group is not None and group.args.get("all"):
            keys = [i for i, e in enumerate(select.expressions, 1) if not e.find(exp.AggFunc)]
            select.set("group", exp.Group(expressions=[exp.Literal.number(i) for i in keys]))
    # psycopg reads "%" as the start of a placeholder: a literal one (LIKE '%x') is written "%%"
    return re.sub(r"%(?!\()", "%%", tree.sql(dialect="postgres"))


class PgTwin:
    """The lake's tables in PostgreSQL schemas ``<prefix>_gold`` / ``<prefix>_silver``."""

    pinned = False
    pin = None
    keeps_results = False  # the views issue their filtered statement here (see lake.reads.Reads)

    def __init__(self, dsn: str, prefix: str) -> None:
        import psycopg

        self.prefix = prefix
        self.con = psycopg.connect(dsn, autocommit=True)
        self.con.execute(f"SET search_path TO {prefix}_fn, public")
        self._cur = self.con.cursor()
        self._translated: dict[str, str] = {}

    def load(self, lake: Lake, tables: list[str]) -> dict[str, int]:
        """Copy ``tables`` (names of ``INDEXES``) from the lake, index them, cluster the period tables."""
        p = self.prefix
        for schema in ("fn", "silver", "gold"):
            self.con.execute(f"DROP SCHEMA IF EXISTS {p}_{schema} CASCADE")
            self.con.execute(f"CREATE SCHEMA {p}_{schema}")
        for shim in _SHIMS:
            self.con.execute(shim.format(s=f"{p}_fn"))
        rows = {}
        for name in tables:
            indexes = INDEXES[name]
            layer, table = name.split(".")
            qname = f"{p}_{layer}.{table}"
            frame = lake.read(name, COLUMNS.get(name))
            cols = ", ".join(f"{c} {_pg_type(t)}" for c, t in zip(frame.columns, frame.to_arrow().schema.types,
                                                                  strict=True))
            self.con.execute(f"CREATE TABLE {qname} ({cols})")
            buf = io.BytesIO()
            frame.write_csv(buf, null_value=r"\N")
            with self._cur.copy(f"COPY {qname} FROM STDIN WITH (FORMAT csv, HEADER true, NULL '\\N')") as cp:
                cp.write(buf.getvalue())
            for i, cols_of_index in enumerate(indexes):
                self.con.execute(f"CREATE INDEX {table}_{i} ON {qname} ({cols_of_index})")
            if name in CLUSTER_ON:
                self.con.execute(f"CLUSTER {qname} USING {table}_{indexes.index(CLUSTER_ON[name])}")
            rows[name] = frame.height
        self.con.execute("ANALYZE")
        return rows

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pl.DataFrame:
        pg = self._translated.get(query)
        if pg is None:
            pg = self._translated[query] = to_postgres(query, self.prefix)
        cur = self._cur.execute(pg, params, prepare=True)
        if cur.description is None:
            return pl.DataFrame()
        names = [d.name for d in cur.description]
        return pl.DataFrame(cur.fetchall(), schema=names, orient="row", infer_schema_length=None)

    def sql_per_version(self, query: str) -> pl.DataFrame:
        """PostgreSQL keeps no result between calls: the query runs every time (its indexes answer
        min/max). The views ask it only for small lookups (bounds, names, columns): with
        ``keeps_results`` False they issue a filtered statement instead of slicing a whole-table result."""
        return self.sql(query)

    def derived_per_version(self, query: str, make: Callable[[pl.DataFrame], Any], kind: str) -> Any:  # noqa: ANN401
        """Made again at every call (nothing is kept); the views call it only where ``keeps_results``."""
        return make(self.sql(query))

    def drop(self) -> None:
        for schema in ("fn", "silver", "gold"):
            self.con.execute(f"DROP SCHEMA IF EXISTS {self.prefix}_{schema} CASCADE")
        self.con.close()
