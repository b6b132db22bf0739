"""A file of canonical records, one JSON object per line (``{"kind": "report"|"event", ...payload}``).

What operators use to load a correction batch or an export from another system. Lines that are not
JSON objects, or have no kind / id, are returned as rejects with the line number; nothing else is lost."""

from __future__ import annotations

import json
from pathlib import Path

from lake import Reject
from pipelines.sources.base import RawRecord, SourceBatch

ID_KEY = {"report": "report_id", "event": "event_id"}


class JsonLinesReportSource:
    name = "file"

    def __init__(self, path: str | Path, source: str = "file") -> None:
        self.path = Path(path)
        self.source = source

    def fetch(self, since: str | None = None) -> SourceBatch:
        batch = SourceBatch()
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                reason, obj = None, None
                try:
                    obj = json.loads(line)
                    if not isinstance(obj, dict):
                        reason = "line is not a JSON object"
                except ValueError as exc:
                    reason = f"malformed JSON: {exc}"
                if obj is not None and reason is None:
                    kind = obj.pop("kind", None)
                    if kind not in ID_KEY:
                        reason = f"unknown record kind {kind!r} (expected report or event)"
                    elif not obj.get(ID_KEY[kind]):
                        reason = f"missing {ID_KEY[kind]}"
                    else:
                        obj.setdefault("source", self.source) if kind == "report" else None
                        batch.records.append(RawRecord(kind, self.source, str(obj[ID_KEY[kind]]), obj))
                        continue
                batch.rejects.append(Reject(source=self.source, target_table="bronze.reports_raw",
                                            reason=f"{self.path.name}:{lineno}: {reason}", payload=line.rstrip("\n")))
        return batch
