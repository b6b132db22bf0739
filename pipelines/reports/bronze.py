"""Source batches → bronze: payload text as received, with a raw_id that makes re-ingesting the same
payload a no-op. Every source goes through :func:`ingest_batch`: the simulator, Open311, PostgreSQL and
JSON-lines files alike.

A source's resume point (its cursor, ``SourceBatch.watermark``) is recorded in the bronze commit that
completes its batch (``lake.watermarks``: commit metadata plus an app transaction), so a process killed
before that commit fetches the batch again and one killed after never does: no skip, no refetch.
``state/report_source_watermarks.json`` is only a copy beside it (read when it carries the same stamp,
which spares reading the log, and when the log no longer holds that commit)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass

import polars as pl

from lake import Lake, Reject, rejects_frame
from lake.watermarks import cursor_stamp, source_cursor
from pipelines.batches import new_batch_id
from pipelines.sources.base import (
    EVENTS_RAW,
    REPORTS_RAW,
    RawRecord,
    ReportSource,
    SourceBatch,
    event_payload,
)

BRONZE = {"report": REPORTS_RAW, "event": EVENTS_RAW}
WATERMARKS = ("state", "report_source_watermarks.json")  # artifact kind and name: a copy of the cursors
CURSOR_TABLE = EVENTS_RAW  # the last bronze commit of a batch carries its source's cursor


def raw_rows(frame: pl.DataFrame, batch_id: str, ingested_at: dt.datetime) -> pl.DataFrame:
    """``frame`` with record_id, payload (text) and source → bronze rows."""
    digest = [hashlib.sha256(f"{s}\x1f{r}\x1f{p}".encode()).hexdigest()[:32]
              for s, r, p in zip(frame["source"], frame["record_id"], frame["payload"], strict=True)]
    return frame.with_columns(
        raw_id=pl.Series(digest, dtype=pl.String), batch_id=pl.lit(batch_id),
        ingested_at=pl.lit(ingested_at).cast(pl.Datetime("us", "UTC")),
    ).select("raw_id", "source", "record_id", "batch_id", "ingested_at", "payload")


@dataclass(frozen=True)
class Ingested:
    batch_id: str
    reports_inserted: int
    events_inserted: int
    unreadable: int  # records the source could not read (now in silver.rejects)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "batch_id"}


def ingest_batch(lake: Lake, batch: SourceBatch, prefix: str, source: str | None = None) -> Ingested:
    """A source's batch → bronze (insert-only), its unreadable rows → silver.rejects.

    The batch keeps the id its source gave it, else gets a new one starting with ``prefix``. A complete batch
    (``batch.complete``) is the whole of its id: rows an earlier delivery of the same batch left and this one
    no longer has are removed, so a regenerated simulation replaces itself. Rejects are written before the
    bronze rows, so a process killed in between leaves nothing a rerun would not redo; silver picks the
    rows up from its watermark (``build.sync_silver``), whoever runs it.

    With ``source`` (the name the source's cursor is kept under), the batch's watermark is recorded in the
    commit of its events to bronze, the batch's last (an empty commit when it has no events). A batch with
    no rows at all only moves the copy (:func:`advance_cursor`): no commit for an idle source."""
    batch_id = batch.batch_id or new_batch_id(prefix)
    at = batch.ingested_at or dt.datetime.now(dt.UTC)
    cursors = {source: batch.watermark} if source and batch.watermark else None
    if cursors and not batch.rejects and all(batch.payloads(k).is_empty() for k in BRONZE):
        advance_cursor(lake, str(source), str(batch.watermark))
        return Ingested(batch_id, 0, 0, 0)
    if batch.rejects:
        lake.merge("silver.rejects", rejects_frame(batch.rejects), update=False)
    inserted = {}
    for kind, table in BRONZE.items():
        raw = raw_rows(batch.payloads(kind), batch_id, at)
        carry = cursors if table == CURSOR_TABLE else None
        if carry and source_watermark(lake, str(source)) == batch.watermark:
            # the cursor did not move (an idle source, or a keyset overlap re-reading rows bronze holds): no
            # commit for it; rows that are new still commit below
            carry = None
        merged = lake.merge(table, raw, update=False, cursors=carry) if raw.height or carry else {}
        inserted[kind] = int(merged.get("num_target_rows_inserted", 0))
        if batch.complete:
            stale = (lake.scan(table).filter(pl.col("batch_id") == batch_id).select("raw_id")
                     .join(raw.select("raw_id").lazy(), on="raw_id", how="anti").collect())
            lake.delete_keys(table, stale)
    if cursors:
        _copy_cursor(lake, str(source), str(batch.watermark))
    return Ingested(batch_id, inserted["report"], inserted["event"], len(batch.rejects))


def _copies(lake: Lake) -> dict[str, dict]:
    """The copy of the cursors: {source: {"cursor": ..., "stamp": ...}} (an older lake kept {source: cursor})."""
    try:
        raw = json.loads(lake.get_artifact(lake.artifact_uri(*WATERMARKS)))
    except (FileNotFoundError, OSError, ValueError):
        return {}
    return {k: v if isinstance(v, dict) else {"cursor": v, "stamp": None} for k, v in raw.items()}


def _copy_cursor(lake: Lake, source: str, cursor: str) -> None:
    copies = _copies(lake)
    copies[source] = {"cursor": cursor, "stamp": cursor_stamp(lake, CURSOR_TABLE, source)}
    lake.put_artifact(*WATERMARKS, json.dumps(copies, sort_keys=True).encode())


def advance_cursor(lake: Lake, source: str, cursor: str) -> None:
    """Move ``source``'s cursor over a range that held nothing, without a commit: the copy takes the new
    cursor under the stamp of the newest commit (so the commit's cursor still wins if a later batch's
    commit lands without its copy). Safe because reading that range again would find the same nothing."""
    copies = _copies(lake)
    stamp = cursor_stamp(lake, CURSOR_TABLE, source)
    if copies.get(source) == {"cursor": cursor, "stamp": stamp}:
        return
    if stamp is not None and copies.get(source, {}).get("stamp") != stamp:
        return  # the copy is behind the newest commit: leave it (the commit's cursor is read from the log)
    copies[source] = {"cursor": cursor, "stamp": stamp}
    lake.put_artifact(*WATERMARKS, json.dumps(copies, sort_keys=True).encode())


def source_watermark(lake: Lake, name: str, copies: Mapping[str, dict] | None = None) -> str | None:
    """The cursor of source ``name``: the one recorded in the newest bronze commit of its batches.

    The copy is read when its stamp is that commit's (no log to read), or, for a source whose cursor was
    never recorded in a commit (an older lake) or whose commit has left the log, as it is."""
    copy = (_copies(lake) if copies is None else copies).get(name, {})
    stamp = cursor_stamp(lake, CURSOR_TABLE, name)
    if stamp is not None and copy.get("stamp") == stamp:
        return copy["cursor"]
    cursor = source_cursor(lake, CURSOR_TABLE, name)[0] if stamp is not None else None
    return copy.get("cursor") if cursor is None else cursor


def source_watermarks(lake: Lake, names: Iterable[str] = ()) -> dict[str, str]:
    """The cursors of the sources ``names`` and of every source the copy knows (see ``source_watermark``)."""
    copies = _copies(lake)
    found = {name: source_watermark(lake, name, copies) for name in sorted(set(names) | set(copies))}
    return {k: v for k, v in found.items() if v is not None}


def ingest_sources(lake: Lake, sources: Mapping[str, ReportSource], *, reconcile_every: dt.timedelta | None = None,
                   now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Fetch every source from its cursor and ingest the batch with its new cursor (one commit); counts
    per source.

    Sources that can list their keys (``keys(table)``, the PostgreSQL source) are reconciled for deletions
    when the last reconciliation is older than ``reconcile_every`` (None: never)."""
    marks = source_watermarks(lake, sources)
    now = now or dt.datetime.now(dt.UTC)
    out = {}
    for name, src in sources.items():
        batch = src.fetch(marks.get(name))
        out[name] = ingest_batch(lake, batch, prefix=name, source=name).counts()
        keyed = getattr(src, "keys", None)
        if reconcile_every is not None and callable(keyed):
            done = _reconciled(lake)
            last = dt.datetime.fromisoformat(done[name]) if name in done else None
            if last is None or now - last >= reconcile_every:
                out[name].update(reconcile_deletions(lake, name, keyed, now))
                done[name] = now.isoformat()
                lake.put_artifact(*RECONCILED, json.dumps(done).encode())
    return out


RECONCILED = ("state", "report_source_reconciled.json")  # when each source's keys were last reconciled
DELETED_PREFIX = "deleted:"


def _reconciled(lake: Lake) -> dict[str, str]:
    try:
        return json.loads(lake.get_artifact(lake.artifact_uri(*RECONCILED)))
    except (FileNotFoundError, OSError, ValueError):
        return {}


def reconcile_deletions(lake: Lake, name: str, keys: Callable[[str], set[str]],
                        now: dt.datetime) -> dict[str, int]:
    """Compare the keys ingested from source ``name`` with the keys it has now; the policy for what is gone:

    - a **report** whose row is gone is kept in silver and marked: a ``deleted`` event (id
      ``deleted:<report id>``, at the moment the reconciliation noticed, note "deleted at source") goes to
      bronze like any event, and silver folds it into ``is_valid = false``, ``status = invalid``,
      ``invalid_reason = deleted_at_source``, so it leaves the figures the way invalid reports do and the
      lifecycle shows when. Marked once; a report id that later reappears stays marked (gap: no un-delete).
    - an **event** whose row is gone stays in silver (the lifecycle is history and is not rewritten) and a
      row in ``silver.rejects`` (target bronze.report_events_raw, reason "deleted at source") records it.

    Returns counts: reports_deleted, events_deleted (newly noticed this time)."""
    have_reports = keys("reports")
    have_events = keys("events")
    ingested_r = set(lake.scan(REPORTS_RAW).filter(pl.col("source") == name).select("record_id").unique()
                     .collect()["record_id"]) if lake.exists(REPORTS_RAW) else set()
    ev = (lake.scan(EVENTS_RAW).filter(pl.col("source") == name).select("record_id").unique().collect()["record_id"]
          if lake.exists(EVENTS_RAW) else pl.Series([], dtype=pl.String))
    marked = {e.removeprefix(DELETED_PREFIX) for e in ev if e.startswith(DELETED_PREFIX)}
    gone_reports = sorted(ingested_r - have_reports - marked)
    gone_events = sorted({e for e in ev if not e.startswith(DELETED_PREFIX)} - have_events)
    at = now.isoformat()
    records = [RawRecord("event", name, f"{DELETED_PREFIX}{rid}", event_payload(
        event_id=f"{DELETED_PREFIX}{rid}", report_id=rid, event_type="deleted", at=at, note="deleted at source"))
        for rid in gone_reports]
    rejects = [Reject(name, EVENTS_RAW, "deleted at source: the event's row is gone from the source; the event "
                      "is kept in silver", {"event_id": eid}, record_ref=eid) for eid in gone_events]
    if records or rejects:
        ingest_batch(lake, SourceBatch(records=records, rejects=rejects), prefix=f"{name}-reconcile")
    return {"reports_deleted": len(gone_reports), "events_deleted": len(gone_events)}
