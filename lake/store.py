"""The lake: Delta tables under one root, written with delta-rs, read with polars and DuckDB.

Nobody else touches Delta files or paths. The ``Lake`` class is assembled from one module per concern:
writes (``lake.writes``), reads and SQL (``lake.reads`` over ``lake.engine``), time travel
(``lake.timetravel``), history and maintenance (``lake.maintenance``), files beside the tables
(``lake.artifacts``). This module holds where the lake is, what it is pinned to and the table metadata.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa
from deltalake import DeltaTable

from lake.access import masked_columns, resolve_role
from lake.artifacts import Artifacts
from lake.catalog import catalog, spec
from lake.diffs import Diffs
from lake.engine import SqlEngine
from lake.maintenance import Maintenance
from lake.reads import Reads
from lake.timetravel import AsOf, check_as_of, snapshot
from lake.writes import Writes


def _storage_options_from_env(root: str) -> dict[str, str]:
    """Object-store options for s3:// roots from the standard AWS_* variables (plus HUE_IOC_S3_*)."""
    if not root.startswith("s3://"):
        return {}
    opts: dict[str, str] = {}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                "AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP", "AWS_S3_ALLOW_UNSAFE_RENAME"):
        val = os.environ.get(f"HUE_IOC_S3_{key.removeprefix('AWS_')}") or os.environ.get(key)
        if val:
            opts[key] = val
    opts.setdefault("AWS_REGION", "us-east-1")
    if opts.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        opts.setdefault("AWS_ALLOW_HTTP", "true")
    # S3 conditional writes (If-None-Match) make each Delta commit atomic, so concurrent writers are safe
    # without a lock provider; AWS_S3_ALLOW_UNSAFE_RENAME=true (single writer only) opts out.
    if opts.get("AWS_S3_ALLOW_UNSAFE_RENAME", "").lower() != "true":
        opts.pop("AWS_S3_ALLOW_UNSAFE_RENAME", None)
        opts.setdefault("conditional_put", "etag")
    return opts


class Lake(Writes, Reads, Diffs, Maintenance, Artifacts):
    """A lake rooted at a local folder or an ``s3://`` URI.

    >>> lake = Lake.open()                       # HUE_IOC_LAKE or ./data/lake; role analyst: personal data masked
    >>> lake.sql("select count(*) n from silver.reports")
    >>> lake.scan("gold.unit_performance").filter(...).collect()
    >>> old = lake.as_of("2022-05-31")           # every read pinned to that moment
    >>> lake.describe("silver.reports")          # each column's type, meaning, unit and allowed values

    ``role`` (``lake.access``): who reads; personal columns are masked unless it is ``operator`` or
    ``service``. Default: HUE_IOC_LAKE_ROLE, else ``analyst``.
    """

    def __init__(self, root: str, storage_options: Mapping[str, str] | None = None,
                 as_of: AsOf = None, max_staleness_s: float = 0.0, role: str | None = None) -> None:
        self.root = root.rstrip("/")
        self.is_local = "://" not in self.root or self.root.startswith("file://")
        if self.is_local:
            self.root = str(Path(self.root.removeprefix("file://")).resolve())
        self.storage_options = dict(storage_options or _storage_options_from_env(self.root))
        check_as_of(as_of)
        self._as_of = as_of
        self.role = resolve_role(role)
        self._engine = SqlEngine(self._delta, None if self.is_local else self._remote_arrow,
                                 pinned=as_of is not None, max_staleness_s=max_staleness_s,
                                 masks=lambda s: masked_columns(s, self.role))

    @classmethod
    def open(cls, root: str | os.PathLike[str] | None = None,
             storage_options: Mapping[str, str] | None = None, max_staleness_s: float = 0.0,
             role: str | None = None) -> Lake:
        """Open the lake at ``root`` (default: HUE_IOC_LAKE, then ./data/lake).

        ``max_staleness_s``: how old SQL's picture of a table may be before its Delta log is read again
        (0: before every query; writes through this object are always seen at once).
        ``role``: who reads (``lake.access``; default HUE_IOC_LAKE_ROLE, else ``analyst``)."""
        if root is None:
            from core.settings import settings

            root = settings().lake
        root = str(root)
        if "://" not in root:
            Path(root).mkdir(parents=True, exist_ok=True)
        return cls(root, storage_options, max_staleness_s=max_staleness_s, role=role)

    def as_of(self, when: AsOf) -> Lake:
        """A read-only view of the lake at a moment or at explicit versions ``{table: version}``.

        A moment is a datetime, a date or an ISO string: a date (``"2022-06-01"``) means the end of that
        day in Vietnam time, a time without a zone is UTC. A table that did not exist yet reads as empty.
        A bare integer is refused: a version number means something only for one table, so name it
        (``{"silver.reports": 3}``); tables the mapping does not name read their newest version.
        Every read of the view (sql, read, scan, versions) sees that snapshot, so a report built from it
        later gives the same numbers even after new data arrived. The view keeps this lake's role."""
        return Lake(self.root, self.storage_options, as_of=when, max_staleness_s=self.max_staleness_s,
                    role=self.role)

    def with_role(self, role: str) -> Lake:
        """The same lake (and pin) read as ``role``."""
        return Lake(self.root, self.storage_options, as_of=self._as_of, max_staleness_s=self.max_staleness_s,
                    role=role)

    @property
    def masked(self) -> bool:
        """Whether personal data are masked for this lake's role (then it is read-only)."""
        from lake.access import may_see_personal_data

        return not may_see_personal_data(self.role)

    @property
    def max_staleness_s(self) -> float:
        """How old SQL's picture of a table may be before its Delta log is read again."""
        return self._engine.max_staleness_s

    @property
    def pinned(self) -> bool:
        return self._as_of is not None

    @property
    def pin(self) -> AsOf:
        """What this lake is pinned to (``as_of``'s argument), None when it reads the newest data."""
        return self._as_of

    def uri(self, name: str) -> str:
        """Where a table is stored (for delta-rs tools; the rest of the code goes through this API)."""
        return f"{self.root}/{spec(name).path}"

    # ------------------------------------------------------------------ metadata
    def _delta(self, name: str) -> DeltaTable | None:
        """The DeltaTable of ``name`` at the lake's pin; None when it does not exist then."""
        return snapshot(self.uri(name), name, self._as_of, self.storage_options)

    def _remote_arrow(self, name: str, version: int) -> pa.Table:
        return pl.scan_delta(self.uri(name), version=version,
                             storage_options=self.storage_options or None).collect().to_arrow()

    def _invalidate(self, name: str) -> None:
        self._engine.invalidate(name)

    def exists(self, name: str) -> bool:
        """Whether the table exists (at the view's moment, for a pinned view)."""
        return self._delta(name) is not None

    def version(self, name: str) -> int | None:
        """The table's Delta version (at the view's moment); None when it does not exist."""
        table = self._delta(name)
        return None if table is None else table.version()

    def versions(self, names: Sequence[str] | None = None) -> dict[str, int | None]:
        """Current (or pinned) version of each table: what a report stamps to be reproducible."""
        return {n: self.version(n) for n in (names or sorted(catalog()))}

    def tables(self) -> pl.DataFrame:
        """Every table with its layer, description, keys, column names and current version
        (``describe(table)`` tells what each column means)."""
        rows = []
        for name, s in sorted(catalog().items()):
            rows.append({
                "table": name,
                "layer": s.layer,
                "description": s.description,
                "keys": list(s.keys),
                "columns": s.schema.names,
                "personal": sorted(s.personal),
                "version": self.version(name),
            })
        return pl.DataFrame(rows, schema={"table": pl.String, "layer": pl.String, "description": pl.String,
                                          "keys": pl.List(pl.String), "columns": pl.List(pl.String),
                                          "personal": pl.List(pl.String), "version": pl.Int64})

    def describe(self, name: str) -> pl.DataFrame:
        """One row per column of ``name``, from the catalog: its type, meaning, unit, allowed values
        (``open_values``: others may occur), whether it is a key, whether it is personal data (operators
        only) and whether this lake's role sees it masked."""
        s = spec(name)
        masks = masked_columns(s, self.role)
        rows = []
        for f in s.schema:
            doc = s.column(f.name)
            rows.append({"column": f.name, "type": str(f.type), "meaning": doc.meaning, "unit": doc.unit,
                         "values": list(doc.values) or None, "open_values": doc.open_values,
                         "key": f.name in s.keys, "personal": doc.personal is not None,
                         "masked": f.name in masks})
        return pl.DataFrame(rows, schema={"column": pl.String, "type": pl.String, "meaning": pl.String,
                                          "unit": pl.String, "values": pl.List(pl.String),
                                          "open_values": pl.Boolean, "key": pl.Boolean, "personal": pl.Boolean,
                                          "masked": pl.Boolean})

    def close(self) -> None:
        """Free the SQL engine's memory (the next query opens it again)."""
        self._engine.close()

    def __repr__(self) -> str:
        pin = f", as_of={self._as_of!r}" if self._as_of is not None else ""
        return f"Lake({self.root!r}{pin}, role={self.role!r})"
