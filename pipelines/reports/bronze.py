"""Bronze rows: payload text as received, with a raw_id that makes re-ingesting the same payload a no-op."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl


def raw_rows(frame: pl.DataFrame, batch_id: str, ingested_at: dt.datetime) -> pl.DataFrame:
    """``frame`` with record_id, payload (text) and source → bronze rows."""
    digest = [hashlib.sha256(f"{s}\x1f{r}\x1f{p}".encode()).hexdigest()[:32]
              for s, r, p in zip(frame["source"], frame["record_id"], frame["payload"], strict=True)]
    return frame.with_columns(
        raw_id=pl.Series(digest, dtype=pl.String), batch_id=pl.lit(batch_id),
        ingested_at=pl.lit(ingested_at).cast(pl.Datetime("us", "UTC")),
    ).select("raw_id", "source", "record_id", "batch_id", "ingested_at", "payload")
