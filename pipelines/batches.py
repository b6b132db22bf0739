"""Batch ids: every write of a source's input to bronze carries one (prefix, UTC time, random suffix)."""

from __future__ import annotations

import datetime as dt
import uuid


def new_batch_id(prefix: str) -> str:
    return f"{prefix}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
