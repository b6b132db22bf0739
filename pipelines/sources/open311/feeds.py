"""The Open311 report sources: the recorded feed (files and folders) and the live feed (HTTP)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from lake import Reject
from pipelines.sources.base import REPORTS_RAW, RawRecord, SourceBatch
from pipelines.sources.open311.csv_export import read_csv_file
from pipelines.sources.open311.documents import (
    DEFAULT_MAX_BYTES,
    Open311Error,
    parse_document,
    read_document,
    service_rows,
)
from pipelines.sources.open311.mapping import Mapping, changed_since
from pipelines.sources.open311.values import parse_datetime


def _since(since: str | None) -> dt.datetime | None:
    if not since:
        return None
    parsed = parse_datetime(since, dt.UTC)
    if parsed is None:
        raise ValueError(f"watermark {since!r} is not an ISO-8601 timestamp")
    return parsed


def _watermark(records: list[RawRecord], since: str | None) -> str | None:
    stamps = [dt.datetime.fromisoformat(r.payload["updated_at"]) for r in records
              if r.kind == "report" and r.payload.get("updated_at")]
    if not stamps:
        return since
    return max(stamps).astimezone(dt.UTC).isoformat()


def _keep_since(records: list[RawRecord], since: dt.datetime | None) -> list[RawRecord]:
    """Reports changed at or after ``since`` with their events.

    ``>=`` rather than ``>``: a feed has no tie-breaker, so a request updated in the same second as the
    watermark is read again rather than missed; bronze keys raw rows by a hash of their payload, so
    reading an unchanged request twice adds nothing.
    """
    if since is None:
        return records
    keep = {r.record_id for r in records if r.kind == "report" and changed_since(r.payload, since)}
    return [r for r in records if (r.record_id if r.kind == "report" else r.payload["report_id"]) in keep]


@dataclass
class Open311FileSource:
    """The recorded feed: GeoReport v2 JSON/XML documents and 311 CSV exports in a file or a folder.

    A folder is read in name order; each document is recognised by its content (requests, services or
    CSV), so responses recorded by :class:`Open311HttpSource` replay as they were received.
    ``since`` keeps requests updated at or after it (see ``_keep_since``). Unreadable rows are reported on
    every fetch; their reject ids are stable, so silver.rejects keeps each once.
    """

    path: str | Path
    mapping: Mapping = field(default_factory=Mapping)
    max_bytes: int = DEFAULT_MAX_BYTES
    name: str = "open311"

    def files(self) -> list[Path]:
        p = Path(self.path)
        if p.is_dir():
            return sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in (".json", ".xml", ".csv"))
        if not p.exists():
            raise FileNotFoundError(f"Open311 feed not found: {p}")
        return [p]

    def fetch(self, since: str | None = None) -> SourceBatch:
        after = _since(since)
        records: list[RawRecord] = []
        rejects: list[Reject] = []
        for f in self.files():
            if f.suffix.lower() == ".csv":
                recs, rejs = read_csv_file(f, self.mapping, since=after)
                records += recs
                rejects += rejs
                continue
            recs, rejs = self._document(f)
            records += _keep_since(recs, after)
            rejects += rejs
        return SourceBatch(records, rejects, _watermark(records, since))

    def _document(self, f: Path) -> tuple[list[RawRecord], list[Reject]]:
        size = f.stat().st_size
        if size > self.max_bytes:
            return [], [Reject("open311", REPORTS_RAW, f"document of {size} bytes is over the "
                               f"{self.max_bytes}-byte limit", "", f.name)]
        read = read_document(f.read_bytes(), self.mapping, f.name, max_bytes=self.max_bytes)
        return read.records, read.rejects

    def services(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for f in self.files():
            if f.suffix.lower() == ".csv" or f.stat().st_size > self.max_bytes:
                continue
            try:
                kind, items = parse_document(f.read_bytes(), max_bytes=self.max_bytes)
            except (ValueError, Open311Error):
                continue
            if kind == "services":
                out += service_rows(items, self.mapping)
        return out



@dataclass
class Open311HttpSource:
    """The live feed: a GeoReport v2 endpoint (``{base_url}/requests.json``), fetched with timeouts.

    ``since_param`` names the server's query parameter for "updated after" when it has one (Chicago's is
    ``updated_after``; the standard has none), so the server sends only changes; the result is also
    filtered here. ``page_size`` turns on paging with ``page``/``page_size`` until a short page.
    ``record_dir`` keeps every response body as a file, which :class:`Open311FileSource` replays.
    """

    base_url: str
    fmt: str = "json"
    jurisdiction_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    since_param: str | None = None
    page_size: int | None = None
    max_pages: int = 100
    timeout: tuple[float, float] = (5.0, 30.0)  # connect, read (seconds)
    max_bytes: int = DEFAULT_MAX_BYTES
    mapping: Mapping = field(default_factory=Mapping)
    record_dir: str | Path | None = None
    session: requests.Session | None = None
    name: str = "open311"

    def download(self, resource: str, params: dict[str, Any]) -> bytes:
        """The body of ``{base_url}/{resource}.{fmt}`` (size-limited, recorded when ``record_dir`` is set)."""
        if self.fmt not in ("json", "xml"):
            raise ValueError(f"format must be json or xml, not {self.fmt!r}")
        url = f"{self.base_url.rstrip('/')}/{resource}.{self.fmt}"
        if self.jurisdiction_id:
            params = {"jurisdiction_id": self.jurisdiction_id, **params}
        http = self.session or requests
        with http.get(url, params=params, timeout=self.timeout, stream=True) as resp:
            body = bytearray()
            for chunk in resp.iter_content(1 << 16):
                body += chunk
                if len(body) > self.max_bytes:
                    raise Open311Error(f"{url}: response over the {self.max_bytes}-byte limit")
            if resp.status_code >= 400:
                raise Open311Error(f"{url}: HTTP {resp.status_code}: {bytes(body[:500]).decode('utf-8', 'replace')}")
        data = bytes(body)
        if self.record_dir is not None:
            folder = Path(self.record_dir)
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            page = params.get("page", 1)
            (folder / f"{resource}-{stamp}-{time.monotonic_ns()}-p{page}.{self.fmt}").write_bytes(data)
        return data

    def fetch(self, since: str | None = None) -> SourceBatch:
        after = _since(since)
        params: dict[str, Any] = dict(self.params)
        if after is not None and self.since_param:
            params[self.since_param] = after.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        records: list[RawRecord] = []
        rejects: list[Reject] = []
        pages = range(1, self.max_pages + 1) if self.page_size else [None]
        for page in pages:
            if page is not None:
                params.update(page=page, page_size=self.page_size)
            data = self.download("requests", params)
            origin = f"requests.{self.fmt}" + (f"?page={page}" if page else "")
            read = read_document(data, self.mapping, origin, max_bytes=self.max_bytes)
            records += _keep_since(read.records, after)
            rejects += read.rejects
            if read.kind == "error" or read.broken:
                break  # an unreadable or cut page: what follows it cannot be trusted to line up
            if page is None or self.page_size is None or read.count < self.page_size:
                break
        return SourceBatch(records, rejects, _watermark(records, since))

    def services(self) -> list[dict[str, Any]]:
        _, items = parse_document(self.download("services", {}), kind="services", max_bytes=self.max_bytes)
        return service_rows(items, self.mapping)

