"""Looking after tables: commit history, compaction of small files, vacuum of unreferenced ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lake import timetravel

if TYPE_CHECKING:
    from deltalake import DeltaTable


class Maintenance:
    """History, compact and vacuum of :class:`lake.Lake` (a mixin over the lake's location)."""

    storage_options: Mapping[str, str]

    if TYPE_CHECKING:  # provided by Lake and lake.writes.Writes
        def uri(self, name: str) -> str: ...
        def _delta(self, name: str) -> DeltaTable | None: ...
        def _invalidate(self, name: str) -> None: ...
        def _check_writable(self) -> None: ...

    def history(self, name: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The table's commits, newest first: version, timestamp (ms), operation and its metrics
        (the whole history, also for a pinned lake)."""
        return timetravel.history(self.uri(name), self.storage_options, limit)

    def compact(self, name: str) -> dict[str, Any]:
        """Rewrite small files into fewer large ones (a new version with the same rows)."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return {}
        out = table.optimize.compact()
        self._invalidate(name)
        return out

    def vacuum(self, name: str, retention_hours: int = 168, dry_run: bool = False) -> list[str]:
        """Remove files no longer referenced and older than ``retention_hours`` (time travel stops there)."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return []
        return table.vacuum(retention_hours=retention_hours, dry_run=dry_run,
                            enforce_retention_duration=False)
