"""Time travel: open a table's Delta snapshot at a version, a moment or a per-table version map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from core.tz import parse_moment
from lake.errors import LakeError

AsOf = dt.datetime | dt.date | str | Mapping[str, int | None] | None


def check_as_of(when: object) -> None:
    """Refuse what ``as_of`` cannot mean: a bare version number (versions belong to one table each), a
    mapping whose keys are not table names or whose values are not versions."""
    if isinstance(when, bool) or isinstance(when, int):
        raise LakeError(f"as_of({when!r}): a bare version number is ambiguous, since every table has its own "
                        "versions. Give a moment (a datetime, a date or an ISO string such as '2022-06-01') or "
                        f"the versions per table, e.g. as_of({{'silver.reports': {when!r}}}).")
    if isinstance(when, Mapping):
        from lake.catalog import catalog

        known = catalog()
        for name, version in when.items():
            if name not in known:
                raise LakeError(f"as_of: unknown table {name!r} in the version mapping")
            if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
                raise LakeError(f"as_of: the version of {name} must be a whole number >= 0 (or None), "
                                f"got {version!r}")
    elif when is not None and not isinstance(when, dt.datetime | dt.date | str):
        raise LakeError(f"as_of({when!r}): give a moment (datetime, date, ISO string) or {{table: version}}")


def snapshot(uri: str, name: str, when: AsOf, storage_options: Mapping[str, str] | None) -> DeltaTable | None:
    """The DeltaTable at ``uri`` as of ``when`` (None: the newest); None when it does not exist then.

    ``when`` is a moment (datetime, date = end of that day in Vietnam time, ISO string) or
    ``{table name: version}`` (tables not named read their newest version, a None version reads as absent)."""
    options = dict(storage_options) if storage_options else None
    if isinstance(when, Mapping):
        if name not in when:
            when = None
        elif when[name] is None:
            return None
        else:
            when = when[name]
    if isinstance(when, int):  # straight to that version (not the newest first)
        try:
            return DeltaTable(uri, version=when, storage_options=options)
        except TableNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - delta-rs raises several kinds here
            raise LakeError(f"{name}: cannot time-travel to {when!r}: {exc}") from exc
    try:
        table = DeltaTable(uri, storage_options=options)
    except TableNotFoundError:
        return None
    if when is None:
        return table
    try:
        # the commits' own timestamps (ms, written by the committer), not the log files' modification times,
        # which object stores keep to the second: two commits within one second on S3 would be one moment
        moment_ms = parse_moment(when).timestamp() * 1000
        commits = [h for h in table.history() if "timestamp" in h]
        if not commits or moment_ms < min(h["timestamp"] for h in commits):
            return None  # the table did not exist yet
        table.load_as_version(max(h["version"] for h in commits if h["timestamp"] <= moment_ms))
    except Exception as exc:  # noqa: BLE001 - delta-rs raises several kinds here
        raise LakeError(f"{name}: cannot time-travel to {when!r}: {exc}") from exc
    return table


def history(uri: str, storage_options: Mapping[str, str] | None, limit: int | None = None) -> list[dict[str, Any]]:
    """The table's commits, newest first: version, timestamp (ms), operation and its metrics."""
    try:
        table = DeltaTable(uri, storage_options=dict(storage_options) if storage_options else None)
    except TableNotFoundError:
        return []
    return table.history(limit)
