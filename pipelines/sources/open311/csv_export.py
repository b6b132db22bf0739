"""311 CSV bulk exports (NYC style), streamed row by row: columns found by name whatever their order or
spelling, delimiter sniffed, BOM, UTF-16 and cp1252 tolerated."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lake import Reject
from pipelines.sources.base import REPORTS_RAW, RawRecord
from pipelines.sources.open311.documents import REJECT_PAYLOAD_CHARS
from pipelines.sources.open311.mapping import Mapping, Request, RowError, changed_since, request_records
from pipelines.sources.open311.values import clean_text

_FLOAT_ID = re.compile(r"\d+\.0")


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", header.replace("\ufeff", "").strip().casefold()).strip("_")


# canonical field → header names (normalised) that may carry it, first present wins
_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "request_id": ("unique_key", "service_request_id", "request_id", "sr_number", "id"),
    "requested": ("created_date", "requested_datetime", "created", "created_at", "open_date"),
    "closed": ("closed_date", "closed", "closed_at", "close_date"),
    "updated": ("resolution_action_updated_date", "updated_datetime", "last_modified_date", "updated_at"),
    "due": ("due_date",),
    "status": ("status",),
    "status_notes": ("resolution_description", "status_notes"),
    "agency": ("agency", "agency_responsible", "owner_department", "department"),
    "service_name": ("complaint_type", "service_name", "sr_type", "request_type"),
    "service_code": ("service_code", "sr_short_code"),
    "descriptor": ("descriptor",),
    "description": ("description",),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "long", "lon", "lng"),
    "location": ("location",),
    "zipcode": ("incident_zip", "zip_code", "zipcode", "zip"),
    "address": ("incident_address", "address", "street_address"),
    "channel": ("open_data_channel_type", "origin", "channel"),
}


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252 (exports re-saved by spreadsheet programs mix both)."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start:err.end].decode("cp1252", "replace"), err.end


codecs.register_error("hue_ioc_cp1252_fallback", _cp1252_fallback)


def _sniff_encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # "Unicode text" from spreadsheet programs
    return "utf-8-sig"


def _sniff_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Lines:
    """The lines of a text stream, counting the bytes they took in the file (for offsets in rejects)."""

    def __init__(self, stream: Iterable[str], offset: int, encoding: str) -> None:
        self._it = iter(stream)
        self.consumed = offset  # bytes before the next line
        self.last = ""
        self._encoding = encoding

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._it)
        self.consumed += len(line.encode(self._encoding, "replace"))
        self.last = line
        return line.replace("\x00", "")


def read_csv_requests(stream: io.TextIOBase | Iterable[str], origin: str, mapping: Mapping,
                      source: str = "csv", since: dt.datetime | None = None, *, offset: int = 0,
                      encoding: str = "utf-8") -> tuple[list[RawRecord], list[Reject]]:
    """Records and rejects from a 311 CSV export, streamed; rows updated before ``since`` are skipped.

    A last row cut short without a line end (a truncated file) is rejected with the byte where it begins
    (``offset``: bytes before the stream's first character, e.g. a byte-order mark; ``encoding``: how the
    file's bytes are counted)."""
    records: list[RawRecord] = []
    rejects: list[Reject] = []
    lines = _Lines(stream, offset, encoding)
    first = next(lines, "")
    delimiter = _sniff_delimiter(first)
    reader = csv.reader(_chain(first, lines), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        rejects.append(Reject(source, REPORTS_RAW, "CSV without a header row", first[:REJECT_PAYLOAD_CHARS],
                              origin))
        return records, rejects
    names = [_norm(h) for h in header]
    where: dict[str, int] = {}
    for key, aliases in _CSV_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                where[key] = names.index(alias)
                break
    missing = [k for k in ("request_id", "requested") if k not in where]
    if missing:
        rejects.append(Reject(source, REPORTS_RAW,
                              f"CSV header has no {' and no '.join(missing)} column: {header!r}",
                              delimiter.join(header), origin))
        return records, rejects
    row_no = 1
    while True:
        row_no += 1
        start = lines.consumed
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            rejects.append(Reject(source, REPORTS_RAW, f"unreadable CSV row: {e}", "", f"{origin}:row {row_no}"))
            continue
        if len(row) < len(header) and not lines.last.endswith(("\n", "\r")):
            rejects.append(Reject(source, REPORTS_RAW, f"truncated file: the last row stops after {len(row)} of "
                                  f"{len(header)} fields with no line end; {lines.consumed - start} bytes from "
                                  f"byte {start} not read", delimiter.join(row)[:REJECT_PAYLOAD_CHARS],
                                  f"{origin}@{start}"))
            break
        if not any(cell.strip() for cell in row):
            continue
        values = {k: (row[i] if i < len(row) else None) for k, i in where.items()}
        if values.get("request_id") and _FLOAT_ID.fullmatch(values["request_id"].strip()):
            values["request_id"] = values["request_id"].strip()[:-2]  # 26589651.0 from a dataframe export
        try:
            recs = request_records(Request(**values), source, mapping)
        except RowError as e:
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter).writerow(row)
            rid = clean_text(values.get("request_id"))
            reason = str(e) if len(row) == len(header) else f"{e} (row has {len(row)} of {len(header)} fields)"
            rejects.append(Reject(source, REPORTS_RAW, reason, out.getvalue().rstrip("\r\n"),
                                  rid or f"{origin}:row {row_no}"))
            continue
        if since is None or changed_since(recs[0].payload, since):
            records.extend(recs)
    return records, rejects


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def read_csv_file(path: str | Path, mapping: Mapping, since: dt.datetime | None = None,
                  source: str = "csv") -> tuple[list[RawRecord], list[Reject]]:
    path = Path(path)
    with path.open("rb") as fb:
        encoding = _sniff_encoding(fb.read(1 << 16))
    with path.open("rb") as fb:
        bom = len(codecs.BOM_UTF8) if fb.read(3) == codecs.BOM_UTF8 else 2 if encoding == "utf-16" else 0
    counted = "utf-16-le" if encoding == "utf-16" else "utf-8"
    with path.open(encoding=encoding, errors="hue_ioc_cp1252_fallback", newline="") as fh:
        return read_csv_requests(fh, path.name, mapping, source=source, since=since, offset=bom,
                                 encoding=counted)

