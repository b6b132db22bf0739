"""Small helpers shared by the disasters modules: Vietnam times, stable ids, idempotent writes, rejects."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

import polars as pl

from core.tz import VN_TZ
from lake import Lake, Reject, rejects_frame
from lake.catalog import spec
from lake.schema import conform

UTC = dt.UTC
MAX_REJECT_PAYLOAD = 4000  # characters of a bad record kept in silver.rejects


def stable_id(*parts: object, n: int = 32) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(str(p).encode("utf-8", "replace"))
        h.update(b"\x1f")
    return h.hexdigest()[:n]


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def local_moment(text: str | None) -> dt.datetime | None:
    """An ISO-8601 time given by a person or a config; one without an offset is Vietnam time."""
    if not text:
        return None
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=VN_TZ)


def write_rejects(lake: Lake, rejects: Sequence[Reject]) -> int:
    """Insert-only: the same bad record with the same reason is one row, reruns add nothing."""
    if not rejects:
        return 0
    trimmed = [
        Reject(r.source, r.target_table, r.reason,
               r.payload_text()[:MAX_REJECT_PAYLOAD], r.record_ref, r.batch_id)
        for r in rejects
    ]
    frame = rejects_frame(trimmed)
    before = _count(lake, "silver.rejects")
    lake.merge("silver.rejects", frame, update=False)
    return _count(lake, "silver.rejects") - before


def _count(lake: Lake, name: str) -> int:
    if not lake.exists(name):
        return 0
    return int(lake.scan(name).select(pl.len()).collect().item())


def conformed(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with exactly the catalog schema of ``name`` (missing nullable columns filled)."""
    out = pl.from_arrow(conform(spec(name), frame))
    assert isinstance(out, pl.DataFrame)
    return out


def merge_changed(lake: Lake, name: str, frame: pl.DataFrame,
                  compare: Iterable[str] | None = None) -> int:
    """Upsert only the rows that are new or differ from the stored ones (on ``compare`` columns).

    Reruns of the same input therefore write nothing (no new table version); corrections update.
    Returns the number of rows written."""
    s = spec(name)
    if frame.is_empty():
        return 0
    keys = list(s.keys)
    frame = conformed(name, frame).unique(subset=keys, keep="last", maintain_order=True)
    cols = [c for c in (compare or frame.columns) if c in frame.columns and c not in keys]
    if lake.exists(name):
        existing = lake.read(name, columns=[*keys, *cols]).with_columns(pl.lit(True).alias("__present"))
        if not existing.is_empty():
            probe = frame.select([*keys, *cols]).join(existing, on=keys, how="left", suffix="__old",
                                                      nulls_equal=True)
            same = pl.col("__present").fill_null(False)
            for c in cols:
                same = same & pl.col(c).eq_missing(pl.col(f"{c}__old"))
            unchanged = probe.filter(same).select(keys)
            frame = frame.join(unchanged, on=keys, how="anti", nulls_equal=True)
    if frame.is_empty():
        return 0
    lake.merge(name, frame, update=True)
    return frame.height


def insert_new(lake: Lake, name: str, frame: pl.DataFrame) -> int:
    """Insert the rows whose keys are not stored yet (existing rows are left as they are).

    Nothing is written when every key exists already, so reruns add no table version."""
    s = spec(name)
    if frame.is_empty():
        return 0
    keys = list(s.keys)
    frame = conformed(name, frame).unique(subset=keys, keep="first", maintain_order=True)
    if lake.exists(name):
        existing = lake.read(name, columns=keys)
        frame = frame.join(existing, on=keys, how="anti", nulls_equal=True)
    if frame.is_empty():
        return 0
    lake.merge(name, frame, update=False)
    return frame.height
