"""A file of canonical records, one JSON object per line (``{"kind": "report"|"event", ...payload}``).

What operators use to load a correction batch or an export from another system. Each line is read on its
own, within limits, so that one bad line never stops the file: a line longer than ``max_line_bytes`` or
nested deeper than ``max_depth`` (checked before parsing: no RecursionError), bytes that are not UTF-8, a
lone surrogate, NaN/Infinity, a time outside the plausible range (before the ``earliest_plausible``
setting, or more than a year ahead) or a coordinate that is not a finite number is a reject with the line
number and the reason. A UTF-8 byte-order mark is skipped. A file that is one JSON document (an array,
an Open311 ``requests.json``) rather than JSON lines is refused as a whole with a clear error.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, BinaryIO

from core.settings import settings
from lake import Reject
from pipelines.sources.base import RawRecord, SourceBatch

ID_KEY = {"report": "report_id", "event": "event_id"}
TIME_KEYS = ("received_at", "updated_at", "deadline_at", "resolved_at", "expected_datetime", "at")
COORD_KEYS = ("lat", "lon")
MAX_LINE_BYTES = 1_000_000
MAX_DEPTH = 32
REJECT_PAYLOAD_CHARS = 2000
WHOLE_DOCUMENT_BYTES = 50_000_000  # up to this size a file that is not JSON lines is recognised as one document
BOM = b"\xef\xbb\xbf"


class LineError(ValueError):
    """Why one line is refused; ``syntax`` when the line is not a JSON object at all."""

    def __init__(self, reason: str, syntax: bool = False) -> None:
        super().__init__(reason)
        self.syntax = syntax


def nesting_depth(text: str, limit: int) -> int:
    """Depth of ``[``/``{`` nesting outside strings; stops counting once past ``limit``."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_constant(name: str) -> Any:
    raise LineError(f"{name} is not a number JSON allows")


def _plausible_time(key: str, value: Any, earliest: dt.datetime, latest: dt.datetime) -> None:
    if not isinstance(value, str):
        return  # types are checked when the record is conformed
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return  # unreadable times are rejected when the record is conformed
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    if t < earliest:
        raise LineError(f"implausible time: {key} {value} is before {earliest:%Y-%m-%d} "
                        "(setting earliest_plausible)")
    if t > latest:
        raise LineError(f"implausible time: {key} {value} is in the future, after {latest:%Y-%m-%d}")


def _finite(key: str, value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        return  # not a number at all: a type error when conformed
    if not math.isfinite(number):
        raise LineError(f"coordinate {key} is not a finite number: {value!r}")


def parse_line(raw: bytes, *, max_depth: int, earliest: dt.datetime, latest: dt.datetime) -> dict[str, Any]:
    """One line as a JSON object, or ``LineError`` with the reason."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"not UTF-8: byte {exc.start} of the line") from None
    depth = nesting_depth(text, max_depth)
    if depth > max_depth:
        raise LineError(f"nested deeper than {max_depth} levels")
    try:
        obj = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise LineError(f"malformed JSON: {exc}", syntax=True) from None
    if not isinstance(obj, dict):
        raise LineError("line is not a JSON object", syntax=True)
    try:  # "\ud800" escapes decode to lone surrogates, which no UTF-8 store can take
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise LineError("lone surrogate in a string (\\ud800-\\udfff escape without its pair)") from None
    for key in TIME_KEYS:
        _plausible_time(key, obj.get(key), earliest, latest)
    for key in COORD_KEYS:
        _finite(key, obj.get(key))
    return obj


def _lines(fh: BinaryIO, max_bytes: int):
    """(line number, bytes or None when over ``max_bytes``, byte length), without holding a long line."""
    lineno = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        size = len(line)
        if size > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = fh.readline(1 << 20)
                size += len(line)
            yield lineno, None, size
            continue
        yield lineno, line, size


def _claimed_id(text: str) -> str | None:
    """The report or event id a refused line claims, when it can be read at all (for the reject's ref)."""
    try:
        obj = json.loads(text) if len(text) < REJECT_PAYLOAD_CHARS and nesting_depth(text, MAX_DEPTH) <= MAX_DEPTH \
            else None
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    rid = obj.get("report_id") if obj.get("kind") != "event" else obj.get("event_id")
    return rid if isinstance(rid, str) and rid.isprintable() else None


def _is_one_document(path: Path) -> bool:
    if path.stat().st_size > WHOLE_DOCUMENT_BYTES:
        return False
    try:
        json.loads(path.read_bytes().removeprefix(BOM).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return True


class JsonLinesReportSource:
    name = "file"

    def __init__(self, path: str | Path, source: str = "file", *, max_line_bytes: int = MAX_LINE_BYTES,
                 max_depth: int = MAX_DEPTH, earliest: dt.date | None = None) -> None:
        self.path = Path(path)
        self.source = source
        self.max_line_bytes = max_line_bytes
        self.max_depth = max_depth
        self.earliest = earliest

    def _reject(self, lineno: int, reason: str, raw: bytes | None) -> Reject:
        payload = "" if raw is None else raw.decode("utf-8", "replace").rstrip("\r\n")[:REJECT_PAYLOAD_CHARS]
        return Reject(source=self.source, target_table="bronze.reports_raw",
                      reason=f"{self.path.name}:{lineno}: {reason}", payload=payload,
                      record_ref=_claimed_id(payload))

    def fetch(self, since: str | None = None) -> SourceBatch:
        if self.path.is_dir():
            raise ValueError(f"{self.path} is a folder, not a JSON-lines file")
        earliest_day = self.earliest or settings().earliest_plausible
        earliest = dt.datetime.combine(earliest_day, dt.time(), dt.UTC)
        latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
        batch = SourceBatch()
        first_object_line = None
        looked_at_whole = False  # whether the file was tried as one JSON document (done once)
        with self.path.open("rb") as fh:
            for lineno, raw, size in _lines(fh, self.max_line_bytes):
                if lineno == 1 and raw is not None:
                    raw = raw.removeprefix(BOM)
                if raw is None:
                    batch.rejects.append(self._reject(lineno, f"line of {size} bytes is over the "
                                                              f"{self.max_line_bytes}-byte limit", None))
                    continue
                if not raw.strip():
                    continue
                try:
                    obj = parse_line(raw, max_depth=self.max_depth, earliest=earliest, latest=latest)
                except LineError as exc:
                    if exc.syntax and first_object_line is None and not looked_at_whole:
                        looked_at_whole = True
                        whole = _is_one_document(self.path)
                    else:
                        whole = False
                    if whole:
                        raise ValueError(f"{self.path.name} is one JSON document, not JSON lines (one object "
                                         "per line); an Open311 requests file goes through "
                                         "`hue-ioc open311 import`") from None
                    batch.rejects.append(self._reject(lineno, str(exc), raw))
                    continue
                first_object_line = first_object_line or lineno
                kind = obj.pop("kind", None)
                if kind not in ID_KEY:
                    reason = f"unknown record kind {kind!r} (expected report or event)"
                elif not obj.get(ID_KEY[kind]):
                    reason = f"missing {ID_KEY[kind]}"
                else:
                    if kind == "report":
                        obj.setdefault("source", self.source)
                    batch.records.append(RawRecord(kind, self.source, str(obj[ID_KEY[kind]]), obj))
                    continue
                batch.rejects.append(self._reject(lineno, reason, raw))
        return batch
