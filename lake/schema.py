"""Schema checks on write: a frame is cast to its table's catalog schema or refused, naming the column."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from lake.catalog import TableSpec


class SchemaMismatch(ValueError):
    pass


def _family(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _family(t.value_type)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return "binary"
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_list_view(t):
        return "list"
    if pa.types.is_struct(t):
        return "struct"
    if pa.types.is_null(t):
        return "null"
    return str(t)


# Casts that never lose meaning: same family, integers into floats, and all-null columns.
_ALLOWED = {("integer", "float")}


def conform(s: TableSpec, data: pl.DataFrame | pa.Table) -> pa.Table:
    """Return ``data`` as an Arrow table with exactly the catalog schema of ``s``.

    Missing nullable columns are filled with nulls; unknown columns, missing required columns and
    columns of the wrong type are refused with a message naming the table and the column."""
    if isinstance(data, pl.DataFrame):
        data = data.to_arrow()
    if not isinstance(data, pa.Table):
        raise TypeError(f"{s.name}: expected a polars DataFrame or Arrow table, got {type(data).__name__}")
    extra = [c for c in data.column_names if c not in s.schema.names]
    if extra:
        raise SchemaMismatch(f"{s.name}: unknown column(s) {extra}; the catalog has {s.schema.names}")
    columns = []
    for f in s.schema:
        if f.name not in data.column_names:
            if not f.nullable:
                raise SchemaMismatch(f"{s.name}: required column {f.name!r} is missing")
            columns.append(pa.nulls(data.num_rows, type=f.type))
            continue
        col = data.column(f.name)
        have, want = _family(col.type), _family(f.type)
        if have != want and have != "null" and (have, want) not in _ALLOWED:
            raise SchemaMismatch(
                f"{s.name}: column {f.name!r} has type {col.type}, expected {f.type}"
            )
        if pa.types.is_timestamp(col.type) and pa.types.is_timestamp(f.type) and col.type.tz is None and f.type.tz:
            col = col.cast(pa.timestamp(col.type.unit))  # naive times are taken as UTC
        try:
            col = col.cast(f.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise SchemaMismatch(f"{s.name}: column {f.name!r} cannot be cast to {f.type}: {exc}") from exc
        if not f.nullable and col.null_count:
            raise SchemaMismatch(f"{s.name}: column {f.name!r} has {col.null_count} null value(s)")
        columns.append(col)
    for col, source in s.month_of.items():  # derived partition columns: always from their timestamp
        ts = columns[s.schema.get_field_index(source)]
        columns[s.schema.get_field_index(col)] = month_start(ts)
    return pa.Table.from_arrays(columns, schema=s.schema)


def month_start(ts: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The first day (UTC) of each timestamp's month, as dates (nulls stay null)."""
    import pyarrow.compute as pc

    utc = ts.cast(pa.timestamp("us", tz="UTC"))
    return pc.floor_temporal(utc, unit="month").cast(pa.date32())
