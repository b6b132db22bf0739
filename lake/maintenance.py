"""Looking after tables: commit history, compaction of small files, vacuum of unreferenced ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lake import timetravel
from lake.catalog import spec

# How long ``as_of`` stays exact: the maintenance schedule vacuums nothing younger, and each table keeps its
# Delta log as long. 400 days: a monthly report can be rebuilt with ``--as-of`` for 13 months.
AS_OF_RETENTION_DAYS = 400

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
        def repartition(self, name: str, batch_rows: int = 1_000_000) -> bool: ...

    def history(self, name: str, limit: int | None = None) -> list[dict[str, Any]]:
        """The table's commits, newest first: version, timestamp (ms), operation and its metrics
        (the whole history, also for a pinned lake)."""
        return timetravel.history(self.uri(name), self.storage_options, limit)

    def compact(self, name: str, zorder: bool = False) -> dict[str, Any]:
        """Rewrite small files into fewer large ones (a new version with the same rows). Small files are
        joined in the order they were written, so the sorted writes of a table with ``TableSpec.sort_by``
        stay sorted; ``zorder=True`` rewrites every file of the table z-ordered by those columns instead."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return {}
        sort_by = list(spec(name).sort_by)
        have = set(table.schema().to_arrow().names)
        if zorder and len(sort_by) > 1 and set(sort_by) <= have:
            out = table.optimize.z_order(sort_by)
        else:
            out = table.optimize.compact()
        self._invalidate(name)
        return out

    def keep_history(self, name: str, days: int = AS_OF_RETENTION_DAYS) -> bool:
        """Make the table keep its Delta log and removed files ``days`` days (delta-rs otherwise drops log
        entries older than 30 days at a checkpoint, which would end ``as_of`` there); True when changed."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return False
        want = {"delta.logRetentionDuration": f"interval {days} days",
                "delta.deletedFileRetentionDuration": f"interval {days} days"}
        have = table.metadata().configuration
        if all(have.get(k) == v for k, v in want.items()):
            return False
        table.alter.set_table_properties(want)
        self._invalidate(name)
        return True

    def upkeep(self, names: list[str] | None = None, retention_days: int = AS_OF_RETENTION_DAYS,
               log: Any = None) -> dict[str, dict[str, Any]]:
        """What the maintenance schedule runs on every table: the catalog's partitioning where a table
        predates it, compaction (z-order where sorted), the history retention, then vacuum of the files no
        version of the last ``retention_days`` days refers to. ``as_of`` (and a report's ``--as-of``) stays
        exact for that long."""
        from lake.catalog import catalog

        out: dict[str, dict[str, Any]] = {}
        for name in names or sorted(catalog()):
            if self._delta(name) is None:
                continue
            before = len(self._delta(name).file_uris())  # type: ignore[union-attr]
            upgraded = self.repartition(name)
            metrics = self.compact(name)
            self.keep_history(name, retention_days)
            removed = self.vacuum(name, retention_hours=retention_days * 24)
            after = len(self._delta(name).file_uris())  # type: ignore[union-attr]
            out[name] = {"repartitioned": upgraded, "files_before": before, "files_after": after,
                         "files_compacted": int(metrics.get("numFilesRemoved", 0)), "vacuumed": len(removed)}
            if log is not None:
                log(f"{name}: {out[name]}")
        return out

    def vacuum(self, name: str, retention_hours: int = 168, dry_run: bool = False) -> list[str]:
        """Remove files no longer referenced and older than ``retention_hours`` (time travel stops there)."""
        self._check_writable()
        table = self._delta(name)
        if table is None:
            return []
        return table.vacuum(retention_hours=retention_hours, dry_run=dry_run,
                            enforce_retention_duration=False)
