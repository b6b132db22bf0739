"""What changed in the CAP and gauge inbox folders and the CAP feeds since the last look (a cursor the
caller keeps, e.g. a Dagster sensor's): new or modified files by modification time and size, feeds by the
digest of their index."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from pipelines.disasters.feeds import MAX_FEED_BYTES, http_fetch, inbox_files


def scan_sources(cursor: dict, cap_dirs: list[str], gauge_dirs: list[str], feeds: list[str],
                 fetch: Callable[[str, int], bytes] = http_fetch) -> tuple[dict, dict]:
    """What changed since ``cursor``: new or modified inbox files, feeds whose index changed.

    Returns (changes {"cap_files", "gauge_files", "feeds"}, new cursor). Pure apart from reading the
    folders and fetching the feed indexes (with timeouts)."""
    seen_files: dict[str, str] = dict(cursor.get("files", {}))
    seen_feeds: dict[str, str] = dict(cursor.get("feeds", {}))
    changes: dict[str, list[str]] = {"cap_files": [], "gauge_files": [], "feeds": []}
    for kind, dirs in (("cap_files", cap_dirs), ("gauge_files", gauge_dirs)):
        for d in dirs:
            files = inbox_files(d) if kind == "cap_files" else sorted(
                p for p in Path(d).glob("*") if p.is_file() and p.suffix.lower() in (".csv", ".json"))
            for p in files:
                st = p.stat()
                stamp = f"{st.st_mtime_ns}:{st.st_size}"
                if seen_files.get(str(p)) != stamp:
                    changes[kind].append(str(p))
                    seen_files[str(p)] = stamp
    for url in feeds:
        try:
            digest = hashlib.sha256(fetch(url, MAX_FEED_BYTES)).hexdigest()
        except Exception:  # noqa: BLE001 - an unreachable feed is retried next tick
            continue
        if seen_feeds.get(url) != digest:
            changes["feeds"].append(url)
            seen_feeds[url] = digest
    return changes, {"files": seen_files, "feeds": seen_feeds}
