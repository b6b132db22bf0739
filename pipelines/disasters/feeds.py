"""Where CAP documents come from: single files, inbox folders and Atom/RSS index feeds over HTTP.

A source yields ``CapDocument``s (origin, source kind, bytes) or the reason it could not be read;
nothing here parses CAP (that is ``cap.parse_cap``) or writes the lake (``cap_ingest``).
Feeds are fetched with connect/read timeouts, a byte limit enforced while streaming and an overall
deadline per fetch and per run (a server trickling one byte at a time never holds a run up). A feed URL
may also point at a CAP document itself (one alert, a container, an EDXL-DE distribution).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin

import requests
import urllib3

from pipelines.disasters.cap.parse import DEFAULT_MAX_BYTES, read_limited, safe_xml
from pipelines.disasters.cap.rules import CapError

ATOM = "{http://www.w3.org/2005/Atom}"
DEFAULT_TIMEOUT = (3.05, 10.0)  # connect, read (seconds)
MAX_FEED_BYTES = 5_000_000
FETCH_DEADLINE_S = 30.0  # one download, whole body included
RUN_DEADLINE_S = 300.0  # every download of one run


class NotAFeed(CapError):
    """An XML document that is neither Atom nor RSS (it may be a CAP document itself)."""


@dataclass
class Deadline:
    """A moment after which no more waiting is done (monotonic clock)."""

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        return self.start + self.seconds - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0


@dataclass(frozen=True)
class CapDocument:
    origin: str  # file path or URL
    source: str  # file | inbox | feed
    data: bytes | None = None
    error: str | None = None  # why it could not be fetched/read (then data is None)


class Fetcher(Protocol):
    def __call__(self, url: str, max_bytes: int) -> bytes: ...


def http_fetch(url: str, max_bytes: int, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
               deadline_s: float = FETCH_DEADLINE_S, run: Deadline | None = None) -> bytes:
    """GET ``url`` with timeouts; refuses bodies over ``max_bytes`` (by Content-Length, then while reading)
    and stops when ``deadline_s`` (or the run's deadline, whichever comes first) has passed."""
    budget = min(deadline_s, run.remaining()) if run is not None else deadline_s
    if budget <= 0:
        raise CapError("run deadline passed: not fetched")
    own = Deadline(budget)
    # each wait for bytes is bounded by the read timeout; the deadline is checked between arrivals
    per_read = (min(timeout[0], budget), min(timeout[1], budget))
    with requests.get(url, timeout=per_read, stream=True,
                      headers={"Accept": "application/cap+xml, application/atom+xml, application/rss+xml, */*"}) as r:
        r.raise_for_status()
        length = r.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise CapError(f"too large: Content-Length {length} > limit {max_bytes} bytes (not downloaded)")
        chunks, total = [], 0
        while True:
            if own.expired():
                raise CapError(f"deadline of {budget:g} s passed after {total} bytes (download stopped)")
            try:
                chunk = r.raw.read1(65536, decode_content=True)  # what has arrived, without waiting for more
            except urllib3.exceptions.HTTPError as exc:
                raise requests.ConnectionError(f"{type(exc).__name__}: {exc}") from None
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise CapError(f"too large: more than {max_bytes} bytes (download stopped)")
            chunks.append(chunk)
        return b"".join(chunks)


def _recording_name(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + ".xml"


class RecordingFetcher:
    """Live fetch that also saves every response under ``folder`` (to replay a feed offline later)."""

    def __init__(self, folder: str | Path, inner: Fetcher = http_fetch) -> None:
        self.folder = Path(folder)
        self.inner = inner

    def __call__(self, url: str, max_bytes: int) -> bytes:
        data = self.inner(url, max_bytes)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / _recording_name(url)).write_bytes(data)
        with (self.folder / "index.tsv").open("a", encoding="utf-8") as fh:
            fh.write(f"{_recording_name(url)}\t{url}\n")
        return data


class RecordedFetcher:
    """Offline replay of what a ``RecordingFetcher`` saved; same size limit, unknown URLs are errors."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def __call__(self, url: str, max_bytes: int) -> bytes:
        path = self.folder / _recording_name(url)
        if not path.is_file():
            raise CapError(f"not in the recording: {url}")
        return read_limited(path, max_bytes)


def file_documents(paths: list[str | Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   source: str = "file") -> Iterator[CapDocument]:
    for p in paths:
        try:
            yield CapDocument(str(p), source, data=read_limited(p, max_bytes))
        except CapError as exc:
            yield CapDocument(str(p), source, error=exc.reason)
        except OSError as exc:
            yield CapDocument(str(p), source, error=f"cannot read file: {exc}")


def inbox_files(folder: str | Path) -> list[Path]:
    """CAP files waiting in an inbox folder (*.xml, *.cap), sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".xml", ".cap"))


def inbox_documents(folder: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[CapDocument]:
    yield from file_documents(list(inbox_files(folder)), max_bytes, source="inbox")


def feed_links(feed: bytes, base_url: str = "") -> list[str]:
    """Links to CAP documents in an Atom or RSS index feed (absolute URLs, document order, unique)."""
    root = safe_xml(feed, "feed: ")
    links: list[str] = []
    if root.tag == ATOM + "feed":
        for entry in root.findall(ATOM + "entry"):
            cands = entry.findall(ATOM + "link")
            chosen = None
            for link in cands:  # prefer an explicit CAP link, then the alternate link
                if (link.get("type") or "").split(";")[0].strip() == "application/cap+xml":
                    chosen = link.get("href")
                    break
            if chosen is None:
                for link in cands:
                    if link.get("rel", "alternate") == "alternate" and link.get("href"):
                        chosen = link.get("href")
                        break
            if chosen is None:  # some feeds put the CAP URL in <id>
                ident = (entry.findtext(ATOM + "id") or "").strip()
                chosen = ident if ident.startswith("http") else None
            if chosen:
                links.append(chosen)
    elif root.tag == "rss" or root.find("channel") is not None:
        for item in root.iter("item"):
            enc = item.find("enclosure")
            url = enc.get("url") if enc is not None and enc.get("url") else (item.findtext("link") or "").strip()
            if url:
                links.append(url)
    else:
        raise NotAFeed(f"not an Atom or RSS feed: root element <{root.tag}>")
    return list(dict.fromkeys(urljoin(base_url, u) for u in links))


def feed_documents(url: str, fetch: Fetcher = http_fetch, max_bytes: int = DEFAULT_MAX_BYTES,
                   max_feed_bytes: int = MAX_FEED_BYTES, run: Deadline | None = None) -> Iterator[CapDocument]:
    """Every CAP document an index feed links to; a feed that cannot be read yields one error document.

    A URL that answers with a CAP document instead of a feed yields that document. Once ``run`` has
    expired, the links not fetched yet yield error documents saying so."""
    try:
        index = fetch(url, max_feed_bytes)
        links = feed_links(index, base_url=url)
    except NotAFeed:
        yield CapDocument(url, "feed", data=index)  # the URL of one alert (or a container of them)
        return
    except CapError as exc:
        yield CapDocument(url, "feed", error=exc.reason)
        return
    except requests.RequestException as exc:
        yield CapDocument(url, "feed", error=f"feed fetch failed: {type(exc).__name__}: {exc}")
        return
    for link in links:
        if run is not None and run.expired():
            yield CapDocument(link, "feed", error=f"run deadline of {run.seconds:g} s passed: not fetched")
            continue
        try:
            yield CapDocument(link, "feed", data=fetch(link, max_bytes))
        except CapError as exc:
            yield CapDocument(link, "feed", error=exc.reason)
        except requests.RequestException as exc:
            yield CapDocument(link, "feed", error=f"fetch failed: {type(exc).__name__}: {exc}")
