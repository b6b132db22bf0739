"""`hue-ioc open311 import`: an Open311 file or URL into the lake, every request accounted for.

Each request ends in exactly one place: silver.open311_requests as ``mapped`` (its service and agency are in
the mapping table), silver.open311_requests as ``unmapped`` (kept and counted, waiting for a mapping row),
or silver.rejects with the reason (no id, no readable date, the unread rest of a broken file with its byte
offset, a point outside Huế for Huế's own feed). Service lists go to silver.open311_services. For the
jurisdiction ``hue`` the mapped requests are also handed to the caller's ``hand_over`` (the CLI gives the
reports pipeline, bronze → silver → gold, so they count in Huế's figures; sources never import the
pipeline); requests of another city stay in the intake table, points outside Huế flagged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import polars as pl

from lake import Lake, Reject, rejects_frame
from pipelines.batches import new_batch_id
from pipelines.sources.admin_units import inside_hue
from pipelines.sources.base import RawRecord, SourceBatch
from pipelines.sources.open311.documents import read_document
from pipelines.sources.open311.feeds import Open311FileSource, Open311HttpSource
from pipelines.sources.open311.mapping import Mapping

TARGET = "silver.open311_requests"
HUE = "hue"


@dataclass
class IntakeResult:
    batch_id: str
    jurisdiction: str
    read: int = 0  # requests in the input (+1 for each unread rest of a broken document)
    mapped: int = 0
    unmapped: int = 0
    rejected: int = 0
    duplicates: int = 0  # the same request id again in the same input (the last one is kept)
    outside_hue: int = 0
    services: int = 0
    to_reports: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "reject_reasons"}
        out["reject_reasons"] = dict(self.reject_reasons.most_common())
        return out

    @property
    def accounted(self) -> bool:
        return self.read == self.mapped + self.unmapped + self.rejected + self.duplicates


def read_target(target: str, mapping: Mapping) -> tuple[SourceBatch, list[dict[str, Any]]]:
    """Records, rejects and services from a file, a folder, a document URL (``…/requests.json``) or a
    GeoReport v2 endpoint URL (``…/open311/v2``)."""
    if target.startswith(("http://", "https://")):
        name = urlparse(target).path.rsplit("/", 1)[-1]
        stem, _, ext = name.rpartition(".")
        if ext in ("json", "xml") and stem:
            http = Open311HttpSource(base_url=target.rsplit("/", 1)[0], fmt=ext, mapping=mapping)
            read = read_document(http.download(stem, {}), mapping, target)
            return SourceBatch(read.records, read.rejects), read.services
        endpoint = Open311HttpSource(base_url=target, mapping=mapping)
        return endpoint.fetch(), endpoint.services()
    path = Path(target)
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {target}")
    src = Open311FileSource(path, mapping=mapping)
    return src.fetch(), src.services()


def _utc(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def intake_rows(records: list[RawRecord], jurisdiction: str, tz_name: str, origin: str) -> list[dict[str, Any]]:
    """One silver.open311_requests row per report record (the last one of an id wins when merged)."""
    rows = []
    for rec in records:
        if rec.kind != "report":
            continue
        p = rec.payload
        extra = p.get("extra", {})
        unmapped = extra.get("unmapped")
        rows.append({
            "request_key": f"{jurisdiction}:{rec.record_id}", "jurisdiction": jurisdiction,
            "request_id": rec.record_id, "origin": origin,
            "mapping": "unmapped" if unmapped else "mapped",
            "unmapped_reason": "; ".join(unmapped) if unmapped else None,
            "service_code": extra.get("service_code"), "service_name": extra.get("service_name") or p["title"],
            "agency": extra.get("agency"), "category_code": p["category_code"], "unit_id": p.get("unit_id"),
            "status": p.get("status"), "status_raw": extra.get("status"), "status_notes": extra.get("status_notes"),
            "requested_at": _utc(p["received_at"]), "updated_at": _utc(p["updated_at"]),
            "resolved_at": _utc(p.get("resolved_at")), "deadline_at": _utc(p.get("deadline_at")),
            "time_zone": tz_name, "lat": p["lat"], "lon": p["lon"], "address": extra.get("address"),
            "description": p["description"],
            "payload": json.dumps(p, ensure_ascii=False, sort_keys=True),
        })
    inside = inside_hue([r["lat"] for r in rows], [r["lon"] for r in rows])
    for row, ok in zip(rows, inside, strict=True):
        row["outside_hue"] = not ok
    return rows


def _hue_batch(records: list[RawRecord], keep: set[str]) -> SourceBatch:
    """The report and event records of the requests in ``keep``."""
    return SourceBatch([r for r in records if (r.record_id if r.kind == "report" else r.payload["report_id"])
                        in keep])


def import_open311(lake: Lake, target: str, mapping: Mapping, *, tz_name: str,
                   hand_over: Callable[[SourceBatch], int] | None = None) -> IntakeResult:
    """Read ``target``, map it and store it; ``hand_over`` receives Huế's mapped requests (returns how many
    it took) and is not called for other jurisdictions."""
    jurisdiction = mapping.jurisdiction
    res = IntakeResult(new_batch_id("open311"), jurisdiction)
    now = dt.datetime.now(dt.UTC)
    batch, services = read_target(target, mapping)
    origin = target if target.startswith(("http://", "https://")) else Path(target).name
    rows = intake_rows(batch.records, jurisdiction, tz_name, origin)
    rejects = [Reject(f"open311:{jurisdiction}", TARGET, r.reason, r.payload, r.record_ref, res.batch_id)
               for r in batch.rejects]
    if jurisdiction == HUE:  # Huế's own feed: a point outside Huế is an error, as for every report
        for row in [r for r in rows if r["outside_hue"]]:
            rejects.append(Reject(f"open311:{jurisdiction}", TARGET,
                                  f"coordinates outside Huế: {row['lat']}, {row['lon']}", row["payload"],
                                  row["request_id"], res.batch_id))
        rows = [r for r in rows if not r["outside_hue"]]
    res.read = len(rows) + len(rejects)
    kept = pl.DataFrame(rows, infer_schema_length=None).unique("request_key", keep="last", maintain_order=True) \
        if rows else pl.DataFrame()
    res.duplicates = len(rows) - kept.height
    res.rejected = len(rejects)
    res.reject_reasons = Counter(r.reason for r in rejects)
    if kept.height:
        hue_ids = set(kept.filter(pl.col("mapping") == "mapped")["request_id"]) if jurisdiction == HUE else set()
        if hue_ids and hand_over is not None:
            res.to_reports = hand_over(_hue_batch(batch.records, hue_ids))
        kept = kept.with_columns(to_reports=pl.col("request_id").is_in(list(hue_ids)) & (res.to_reports > 0),
                                 batch_id=pl.lit(res.batch_id), ingested_at=pl.lit(now))
        lake.merge(TARGET, kept)
        res.mapped = int((kept["mapping"] == "mapped").sum())
        res.unmapped = kept.height - res.mapped
        res.outside_hue = int(kept["outside_hue"].sum())
    if rejects:
        lake.merge("silver.rejects", rejects_frame(rejects), update=False)
    if services:
        lake.merge("silver.open311_services", pl.DataFrame([
            {**{k: s[k] for k in ("service_code", "service_name", "description", "group", "type", "keywords",
                                  "metadata", "category_code")},
             "service_key": f"{jurisdiction}:{s['service_code']}", "jurisdiction": jurisdiction,
             "origin": origin, "ingested_at": now} for s in services], infer_schema_length=None))
        res.services = len(services)
    return res
