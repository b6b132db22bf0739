"""gold.violations_daily recomputed from silver.violations, whole or per (day, camera) slice.

One query for every writer: the Dagster build (whole table), the live ingest (the slices new violations fall
in) and the operators' review (the slice of the violation decided). Slice refreshes are serialised by a lock
per lake: each reads silver after taking it, so the last refresh of a slice always sees every silver write
that finished before it, whoever made it (two operators at once, or an operator and the live ingest)."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from core.tz import VN_TZ, VN_TZ_NAME
from lake.catalog import spec
from lake.schema import conform
from lake.store import Lake

GOLD = "gold.violations_daily"
_THREAD_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def violations_daily(lake: Lake, days: list[dt.date] | None = None,
                     cameras: list[str] | None = None) -> pl.DataFrame:
    """gold.violations_daily rows: every day and camera, or only the days × cameras given."""
    where = "" if days is None else (
        f" and list_contains($days, cast(timezone('{VN_TZ_NAME}', start_at) as date))"
        " and list_contains($cams, camera_id)")
    params = None if days is None else {"days": days, "cams": cameras or []}
    return lake.sql(f"""
        select cast(timezone('{VN_TZ_NAME}', start_at) as date) as day, camera_id, violation_type,
               class_name, source,
               count(*) as detected,
               count(*) filter (where review_status = 'confirmed') as confirmed,
               count(*) filter (where review_status = 'dismissed') as dismissed,
               count(*) filter (where review_status = 'pending') as pending,
               count(plate_text) as plates_read,
               cast(coalesce(sum(fine_vnd) filter (where review_status = 'confirmed'), 0) as bigint) as fines_vnd
        from silver.violations
        where category = 'violation'{where}
        group by all order by day, camera_id, violation_type, class_name
    """, params)


@contextmanager
def _exclusive(lake: Lake) -> Iterator[None]:
    """Held by one refresh at a time: a thread lock within this process and, for a lake on local disk, an
    flock shared with every other process on the host (an object-store lake has one writer process)."""
    key = lake.root
    with _GUARD:
        lock = _THREAD_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if not lake.is_local:
            yield
            return
        name = hashlib.sha1(key.encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"hue-ioc-{name}-{GOLD}.lock"
        with path.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def refresh_violations_daily(lake: Lake, touched: Iterable[tuple[str, dt.datetime]]) -> int:
    """Recompute the (day, camera) slices of gold.violations_daily that the (camera, start_at) pairs fall
    in; returns the number of gold rows of those slices."""
    pairs = {(c, t.astimezone(VN_TZ).date()) for c, t in touched}
    if not pairs:
        return 0
    days, cams = sorted({d for _, d in pairs}), sorted({c for c, _ in pairs})
    with _exclusive(lake):
        fresh_lake = Lake(lake.root, lake.storage_options, role=lake.role)  # reads the log now, whoever wrote last
        fresh = violations_daily(fresh_lake, days, cams)  # every (day, camera) of the cross product, whole
        slices = pl.DataFrame({"camera_id": cams}).join(pl.DataFrame({"day": days}, schema={"day": pl.Date}),
                                                        how="cross")
        keep = fresh_lake.read(GOLD).join(slices, on=["camera_id", "day"], how="anti")
        gold = pl.from_arrow(conform(spec(GOLD), pl.concat([keep, fresh], how="vertical_relaxed")))
        assert isinstance(gold, pl.DataFrame)
        lake.overwrite(GOLD, gold.sort(["day", "camera_id", "violation_type", "class_name"]))
        fresh_lake.close()
    return fresh.height
