"""CAP documents into the lake: bronze.cap_alerts_raw, silver.warnings (received), silver.rejects.

A document may hold one alert, a container of alerts or an EDXL-DE distribution: bronze keeps its bytes
exactly as received (with the encoding it declares), each alert becomes one warning whose origin names
its position (``file.xml#3``). Enveloped XML signatures are checked against the configured trust store and
the outcome (verified, unverified, invalid, unsigned) is stored; the signature policy decides which
outcomes are accepted. De-duplication on (sender, identifier, sent); Update and Cancel messages supersede
the alerts their ``references`` name (whichever order they arrive in); every refused document or alert is
a reject with its reason.

Specification examples (the CAP 1.2 standard's appendix alerts in ``../shared/data/cap``) are loaded as
samples: documents read with ``source = SAMPLE_SOURCE`` are stored with ``direction = 'sample'`` and
``status = 'Sample'`` whatever status their XML states, so no count of received or Actual warnings ever
includes them; a sample stored earlier as received is reclassified.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa
from cryptography import x509

from core.settings import settings
from lake import Lake, Reject
from lake.catalog import spec
from pipelines.batches import new_batch_id
from pipelines.disasters.cap.container import decoded_text, split_alerts
from pipelines.disasters.cap.geometry import areas_geojson
from pipelines.disasters.cap.model import CapAlert, reference_key
from pipelines.disasters.cap.parse import DEFAULT_MAX_BYTES, parse_cap
from pipelines.disasters.cap.rules import CapError
from pipelines.disasters.cap.signature import accepted, check_signature, load_trust_store
from pipelines.disasters.common import insert_new, merge_changed, stable_id, utcnow, write_rejects
from pipelines.disasters.feeds import CapDocument

TARGET = "silver.warnings"
SAMPLE_SOURCE = "sample"  # documents loaded as specification examples, never as Huế's warnings
SAMPLE_DIRECTION = "sample"
SAMPLE_STATUS = "Sample"


@dataclass
class IngestResult:
    read: int = 0
    parsed: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    superseded: int = 0
    alerts: list[CapAlert] = field(default_factory=list)  # parsed this run (new or not)
    new_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, int)}


def warning_id(alert: CapAlert) -> str:
    return stable_id(*alert.key)


def _info_json(alert: CapAlert) -> str:
    return json.dumps(alert.infos_as_dicts(), ensure_ascii=False)


def alert_to_row(alert: CapAlert, *, direction: str, source: str, origin: str, xml: str,
                 ingested_at: dt.datetime | None = None, station_code: str | None = None,
                 alarm_level: int | None = None, water_level_m: float | None = None,
                 signature: str | None = None) -> dict:
    """One silver.warnings row: alert fields, the primary info block's fields, every info as JSON."""
    info = alert.primary_info()
    props = {"warning_id": warning_id(alert), "identifier": alert.identifier, "sender": alert.sender,
             "msg_type": alert.msg_type, "direction": direction,
             "event": info.event if info else None, "severity": info.severity if info else None}
    geocodes = [list(g) for a in (info.areas if info else []) for g in a.geocodes]
    return {
        "warning_id": warning_id(alert), "direction": direction, "source": source, "origin": origin,
        "identifier": alert.identifier, "sender": alert.sender, "sent": alert.sent,
        "status": alert.status, "msg_type": alert.msg_type, "cap_source": alert.source,
        "scope": alert.scope, "restriction": alert.restriction, "addresses": alert.addresses,
        "codes": json.dumps(alert.codes, ensure_ascii=False) if alert.codes else None,
        "note": alert.note,
        "references": " ".join(",".join(r) for r in alert.references) or None,
        "incidents": alert.incidents,
        "languages": ",".join(alert.languages) or None,
        "language": info.language if info else None,
        "category": ",".join(info.categories) if info else None,
        "event": info.event if info else None,
        "response_type": ",".join(info.response_types) if info and info.response_types else None,
        "urgency": info.urgency if info else None,
        "severity": info.severity if info else None,
        "certainty": info.certainty if info else None,
        "audience": info.audience if info else None,
        "event_codes": json.dumps([list(p) for p in info.event_codes], ensure_ascii=False) if info else None,
        "effective": info.effective if info else None,
        "onset": info.onset if info else None,
        "expires": alert.expires,
        "sender_name": info.sender_name if info else None,
        "headline": info.headline if info else None,
        "description": info.description if info else None,
        "instruction": info.instruction if info else None,
        "web": info.web if info else None,
        "contact": info.contact if info else None,
        "parameters": json.dumps([list(p) for p in info.parameters], ensure_ascii=False) if info else None,
        "area_desc": "; ".join(a.area_desc for a in info.areas) if info and info.areas else None,
        "areas_geojson": json.dumps(areas_geojson(info, props), ensure_ascii=False),
        "geocodes": json.dumps(geocodes, ensure_ascii=False),
        "infos_json": _info_json(alert),
        "station_code": station_code, "alarm_level": alarm_level, "water_level_m": water_level_m,
        "superseded_by": None, "superseded_at": None, "cancelled": False, "signature": signature,
        "xml": xml, "ingested_at": ingested_at or utcnow(),
    }


def warnings_frame(rows: list[dict]) -> pl.DataFrame:
    schema = spec(TARGET).schema
    if not rows:
        out = pl.from_arrow(schema.empty_table())
        assert isinstance(out, pl.DataFrame)
        return out
    out = pl.from_arrow(pa.Table.from_pylist(rows, schema=schema))
    assert isinstance(out, pl.DataFrame)
    return out


def _trust(trust_store: str | list[x509.Certificate] | None) -> list[x509.Certificate] | None:
    if trust_store is None:
        path = settings().cap_trust_store
        return load_trust_store(path) if path else None
    return load_trust_store(trust_store) if isinstance(trust_store, str) else trust_store


def ingest_documents(lake: Lake, docs: Iterable[CapDocument], *, max_bytes: int = DEFAULT_MAX_BYTES,
                     batch_id: str | None = None, policy: str | None = None,
                     trust_store: str | list[x509.Certificate] | None = None) -> IngestResult:
    """Parse, validate and store CAP documents; refused ones go to silver.rejects with their reason.

    ``policy`` / ``trust_store`` default to the settings ``cap_signature_policy`` / ``cap_trust_store``."""
    batch_id = batch_id or new_batch_id("cap")
    policy = policy or settings().cap_signature_policy
    trust = _trust(trust_store)
    now = utcnow()
    res = IngestResult()
    raw_rows, rows, rejects = [], [], []
    seen: set[str] = set()
    for doc in docs:
        res.read += 1
        src = f"cap:{doc.source}"
        if doc.data is None:
            rejects.append(Reject(src, TARGET, doc.error or "unreadable", doc.origin,
                                  record_ref=doc.origin, batch_id=batch_id))
            continue
        text, encoding = decoded_text(doc.data)
        raw_rows.append({"raw_id": stable_id(doc.source, doc.origin, text), "source": doc.source,
                         "record_id": doc.origin, "batch_id": batch_id, "ingested_at": now, "payload": text,
                         "raw_bytes": doc.data, "encoding": encoding})
        try:
            parts = split_alerts(doc.data)
        except CapError as exc:
            rejects.append(Reject(src, TARGET, exc.reason, text, record_ref=doc.origin, batch_id=batch_id))
            continue
        for part in parts:
            origin = doc.origin if part.position is None else f"{doc.origin}#{part.position}"
            xml = text if part.position is None else part.data.decode("utf-8")
            try:
                if len(part.data) > max_bytes:
                    raise CapError(f"too large: {len(part.data)} bytes > limit {max_bytes} bytes "
                                   "(refused before parsing)")
                check = check_signature(part.data, trust)
                if not accepted(check.outcome, policy):
                    raise CapError(f"signature {check.outcome} refused by policy {policy}"
                                   + (f": {check.detail}" if check.detail else ""))
                alert = parse_cap(check.signed_xml or part.data, max_bytes=max_bytes)
            except CapError as exc:
                rejects.append(Reject(src, TARGET, exc.reason, xml, record_ref=origin, batch_id=batch_id))
                continue
            res.parsed += 1
            res.alerts.append(alert)
            wid = warning_id(alert)
            if wid in seen:
                res.duplicates += 1
                continue
            seen.add(wid)
            row = alert_to_row(alert, direction="received", source=doc.source, origin=origin,
                               xml=xml, ingested_at=now, signature=check.outcome)
            if doc.source == SAMPLE_SOURCE:
                row.update(direction=SAMPLE_DIRECTION, status=SAMPLE_STATUS)
            rows.append(row)
    if raw_rows:
        insert_new(lake, "bronze.cap_alerts_raw", pl.DataFrame(raw_rows, schema_overrides={"raw_bytes": pl.Binary}))
    frame = warnings_frame(rows)
    if not frame.is_empty() and lake.exists(TARGET):
        existing = set(lake.read(TARGET, columns=["warning_id"])["warning_id"].to_list())
        res.new_ids = [w for w in frame["warning_id"].to_list() if w not in existing]
        res.duplicates += frame.height - len(res.new_ids)
    else:
        res.new_ids = frame["warning_id"].to_list()
    res.inserted = insert_new(lake, TARGET, frame)
    if not frame.is_empty():  # a sample stored before as a received warning becomes a sample
        merge_changed(lake, TARGET, frame.filter(pl.col("source") == SAMPLE_SOURCE),
                      compare=["direction", "status", "source", "origin"])
    write_rejects(lake, rejects)
    res.rejected = len(rejects)
    res.superseded = apply_supersession(lake)
    return res


def apply_supersession(lake: Lake) -> int:
    """Mark every warning referenced by an Update/Cancel as superseded (by the latest such message).

    Works over the whole table so an Update that arrived before its original still applies.
    Returns the number of rows changed (0 on a rerun)."""
    if not lake.exists(TARGET):
        return 0
    cols = ["warning_id", "sender", "identifier", "sent", "msg_type", "references",
            "superseded_by", "superseded_at", "cancelled"]
    df = lake.read(TARGET, columns=cols)
    by_key = {(s, i, t.isoformat()): w for w, s, i, t in
              zip(df["warning_id"], df["sender"], df["identifier"], df["sent"], strict=True)}
    target: dict[str, tuple[str, dt.datetime, bool]] = {}
    refs = df.filter(pl.col("references").is_not_null() & pl.col("msg_type").is_in(["Update", "Cancel"]))
    for wid, sent, mtype, ref_text in refs.select(["warning_id", "sent", "msg_type", "references"]).iter_rows():
        for triple in ref_text.split():
            s, i, t = triple.split(",")
            try:
                key = reference_key(s, i, t)
            except CapError:
                continue
            old = by_key.get(key)
            if old is None or old == wid:
                continue
            cur = target.get(old)
            if cur is None or sent > cur[1]:
                target[old] = (wid, sent, mtype == "Cancel")
    if not target:
        return 0
    current = {w: (b, a, c) for w, b, a, c in
               df.select(["warning_id", "superseded_by", "superseded_at", "cancelled"]).iter_rows()}
    changed = {w: v for w, v in target.items() if current.get(w) != v}
    if not changed:
        return 0
    full = lake.read(TARGET).filter(pl.col("warning_id").is_in(list(changed)))
    upd = pl.DataFrame([{"warning_id": w, "superseded_by": v[0], "superseded_at": v[1], "cancelled": v[2]}
                        for w, v in changed.items()],
                       schema={"warning_id": pl.String, "superseded_by": pl.String,
                               "superseded_at": pl.Datetime("us", "UTC"), "cancelled": pl.Boolean})
    full = full.drop(["superseded_by", "superseded_at", "cancelled"]).join(upd, on="warning_id")
    lake.merge(TARGET, full.select(spec(TARGET).schema.names), update=True)
    return len(changed)
