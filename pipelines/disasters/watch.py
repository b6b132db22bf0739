"""What changed in the CAP and gauge inbox folders and the CAP feeds since the last look (a cursor the
caller keeps, e.g. a Dagster sensor's): new or modified files by modification time and size, feeds by the
digest of their index.

With ``outcome`` (how the run asked for earlier ended: ``"success"``, ``"failed"``, ``"running"`` or
``"unknown"``), a file or feed counts as seen only once the run that loaded it succeeded. Until then it is
*pending* under that run's key and not asked for again; when the run failed (or died and was marked failed,
or was never launched within ``LOST_AFTER_S``) it is asked for again under a new key. So a run that dies
between its commits skips nothing, and a file is asked for again only after a run of it failed (the loads
are idempotent: bronze and silver are keyed). Without ``outcome`` a change counts as seen at once."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.disasters.feeds import MAX_FEED_BYTES, http_fetch, inbox_files

LOST_AFTER_S = 900.0  # a requested run that never appeared in this long is asked for again


def scan_sources(cursor: dict, cap_dirs: list[str], gauge_dirs: list[str], feeds: list[str],
                 fetch: Callable[[str, int], bytes] = http_fetch,
                 outcome: Callable[[str], str] | None = None,
                 now: float | None = None) -> tuple[dict, dict]:
    """What changed since ``cursor``: new or modified inbox files, feeds whose index changed.

    Returns (changes {"cap_files", "gauge_files", "feeds"}, new cursor). With ``outcome`` the new cursor
    names the run key to ask for the changes under (``cursor["requested"]``, see the module's docstring).
    Pure apart from reading the folders and fetching the feed indexes (with timeouts)."""
    now = time.time() if now is None else now
    seen_files: dict[str, str] = dict(cursor.get("files", {}))
    seen_feeds: dict[str, str] = dict(cursor.get("feeds", {}))
    pending: dict[str, dict] = {}
    for key, req in cursor.get("pending", {}).items():
        state = "success" if outcome is None else outcome(key)
        if state == "success":
            seen_files.update(req.get("files", {}))
            seen_feeds.update(req.get("feeds", {}))
        elif state == "running" or (state == "unknown" and now - req.get("at", now) < LOST_AFTER_S):
            pending[key] = req
        # failed, or lost: dropped, so its files show as changes again
    waiting_files = {p: s for req in pending.values() for p, s in req.get("files", {}).items()}
    waiting_feeds = {u: d for req in pending.values() for u, d in req.get("feeds", {}).items()}
    changes: dict[str, list[str]] = {"cap_files": [], "gauge_files": [], "feeds": []}
    new_files: dict[str, str] = {}
    new_feeds: dict[str, str] = {}
    for kind, dirs in (("cap_files", cap_dirs), ("gauge_files", gauge_dirs)):
        for d in dirs:
            files = inbox_files(d) if kind == "cap_files" else sorted(
                p for p in Path(d).glob("*") if p.is_file() and p.suffix.lower() in (".csv", ".json"))
            for p in files:
                st = p.stat()
                stamp = f"{st.st_mtime_ns}:{st.st_size}"
                if seen_files.get(str(p)) != stamp and waiting_files.get(str(p)) != stamp:
                    changes[kind].append(str(p))
                    new_files[str(p)] = stamp
    for url in feeds:
        try:
            digest = hashlib.sha256(fetch(url, MAX_FEED_BYTES)).hexdigest()
        except Exception:  # noqa: BLE001 - an unreachable feed is retried next tick
            continue
        if seen_feeds.get(url) != digest and waiting_feeds.get(url) != digest:
            changes["feeds"].append(url)
            new_feeds[url] = digest
    if outcome is None:
        seen_files.update(new_files)
        seen_feeds.update(new_feeds)
        return changes, {"files": seen_files, "feeds": seen_feeds}
    out: dict = {"files": seen_files, "feeds": seen_feeds, "pending": pending}
    if new_files or new_feeds:
        key = hashlib.sha256(json.dumps([new_files, new_feeds, now], sort_keys=True).encode()).hexdigest()[:16]
        pending[key] = {"files": new_files, "feeds": new_feeds, "at": now}
        out["requested"] = key
    return changes, out
