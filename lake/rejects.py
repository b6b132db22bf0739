"""Building rows of ``silver.rejects``: one place for the reject id and shape."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from lake.catalog import catalog


@dataclass(frozen=True)
class Reject:
    source: str
    target_table: str
    reason: str
    payload: str | dict[str, Any] | list[Any]
    record_ref: str | None = None
    batch_id: str | None = None

    def payload_text(self) -> str:
        if isinstance(self.payload, str):
            return self.payload
        return json.dumps(self.payload, ensure_ascii=False, sort_keys=True, default=str)

    def reject_id(self) -> str:
        """Stable across reruns: the same bad record with the same reason is one reject."""
        h = hashlib.sha256()
        for part in (self.source, self.target_table, self.payload_text(), self.reason):
            h.update(part.encode("utf-8", "replace"))
            h.update(b"\x1f")
        return h.hexdigest()[:32]


def rejects_frame(rejects: Iterable[Reject], now: dt.datetime | None = None) -> pl.DataFrame:
    now = now or dt.datetime.now(dt.UTC)
    rows = [
        {
            "reject_id": r.reject_id(),
            "source": r.source,
            "target_table": r.target_table,
            "batch_id": r.batch_id,
            "record_ref": r.record_ref,
            "reason": r.reason,
            "payload": r.payload_text(),
            "rejected_at": now,
        }
        for r in rejects
    ]
    schema = catalog()["silver.rejects"].schema
    if not rows:
        out = pl.from_arrow(schema.empty_table())
        assert isinstance(out, pl.DataFrame)
        return out
    return pl.DataFrame(rows, schema={"reject_id": pl.String, "source": pl.String, "target_table": pl.String,
                                      "batch_id": pl.String, "record_ref": pl.String, "reason": pl.String,
                                      "payload": pl.String, "rejected_at": pl.Datetime("us", "UTC")})
