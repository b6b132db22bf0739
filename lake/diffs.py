"""What changed in a table between two of its versions, row by row, by the table's keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from lake.catalog import spec
from lake.errors import LakeError

if TYPE_CHECKING:
    from lake.store import Lake

CHANGE = "change"  # added | removed | changed
CHANGED_COLUMNS = "changed_columns"


class Diffs:
    """``Lake.diff`` (a mixin over the lake's time travel)."""

    def diff(self: Lake, name: str, v1: int | None, v2: int | None = None) -> pl.DataFrame:  # type: ignore[misc]
        """Rows added, removed and changed in ``name`` from version ``v1`` to ``v2`` (default: the newest).

        Rows are matched by the table's keys (append-only tables without keys by their whole row, so a row
        is only added or removed). One row per difference: ``change`` (added, removed, changed), the table's
        columns (the new values; the old ones for a removed row), ``changed_columns`` (the columns whose
        value differs, for a changed row) and, for a changed row, each changed column's old value as
        ``<column>__before``. ``v1 = None`` means before the table existed. Personal columns are masked for
        the lake's role as in every read."""
        s = spec(name)
        if v2 is None:
            v2 = self.version(name)
        for v in (v1, v2):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise LakeError(f"diff({name}): versions are whole numbers >= 0 (or None), got {v!r}")
        before = self.as_of({name: v1}).read(name)
        after = self.as_of({name: v2}).read(name)
        columns = s.schema.names
        keys = list(s.keys) or columns
        values = [c for c in columns if c not in keys]
        added = after.join(before.select(keys), on=keys, how="anti", nulls_equal=True)
        removed = before.join(after.select(keys), on=keys, how="anti", nulls_equal=True)
        both = after.join(before, on=keys, how="inner", suffix="__before", nulls_equal=True)
        differs = {c: pl.col(c).ne_missing(pl.col(f"{c}__before")) for c in values}
        changed = both.with_columns(
            pl.concat_list([pl.when(e).then(pl.lit(c)) for c, e in differs.items()]).list.drop_nulls()
            .alias(CHANGED_COLUMNS) if differs else pl.lit([], pl.List(pl.String)).alias(CHANGED_COLUMNS)
        ).filter(pl.col(CHANGED_COLUMNS).list.len() > 0)
        before_cols = [f"{c}__before" for c in values]
        frames = [
            added.select(pl.lit("added").alias(CHANGE), *columns),
            removed.select(pl.lit("removed").alias(CHANGE), *columns),
            changed.select(pl.lit("changed").alias(CHANGE), *columns),
        ]
        out = pl.concat(frames, how="vertical_relaxed")
        extra = changed.select(*keys, CHANGED_COLUMNS, *before_cols)
        out = out.join(extra, on=keys, how="left", nulls_equal=True) if values else out.with_columns(
            pl.lit(None, pl.List(pl.String)).alias(CHANGED_COLUMNS))
        # the old values only where they changed, so the frame reads as what moved
        out = out.with_columns([
            pl.when(pl.col(CHANGED_COLUMNS).list.contains(c)).then(pl.col(f"{c}__before")).otherwise(None)
            .alias(f"{c}__before") for c in values])
        moved = set(changed[CHANGED_COLUMNS].explode().drop_nulls().to_list())
        out = out.drop([f"{c}__before" for c in values if c not in moved])
        order = {"removed": 0, "changed": 1, "added": 2}
        return (out.with_columns(pl.col(CHANGE).replace_strict(order, return_dtype=pl.Int8).alias("_o"))
                .sort(["_o", *keys], nulls_last=True).drop("_o"))
