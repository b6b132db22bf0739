"""What the Dagster catalog shows of each lake table, taken from the lake's own catalog (``lake.catalog``).

Every asset that is a lake table is declared through ``lake_spec`` (multi-assets) or ``lake_asset`` (single
assets): its own description (the table's), the ``delta`` kind, its column schema (``dagster/column_schema``:
each column's type and meaning, with unit, allowed values and "operators only" where the catalog says so), an
owner and a group, and a freshness policy on the tables the wall reads. Each materialization reports the row
count (``dagster/row_count``) and the Delta version it left (``table_version``) through ``table_metadata``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg

from lake import Lake, spec
from lake.catalog import TableSpec

# Who answers for each domain's tables (Dagster owners: teams or e-mails).
OWNERS = {
    "reports": ["team:ioc-reports"],
    "cameras": ["team:ioc-traffic"],
    "disasters": ["team:ioc-disasters"],
    "publications": ["team:ioc-reports"],
}

# Freshness policies on the tables the wall reads, from the cadence that feeds them through Dagster:
# reports sync hourly (sync_reports_schedule); gauges and CAP documents arrive through the inbox sensor as
# the gauges report (VNDMS publishes hourly); camera violations are rolled up from the videos processed each
# day. (The live ingest also writes the camera and gauge tables outside Dagster; the screens' own freshness
# marks, views.freshness, judge the data itself.) Evaluated when the instance enables freshness
# (``freshness: enabled: true`` in .dagster_home/dagster.yaml).
_H = dt.timedelta(hours=1)
WALL_FRESHNESS: dict[str, dg.FreshnessPolicy] = {
    "silver.reports": dg.FreshnessPolicy.time_window(fail_window=3 * _H, warn_window=2 * _H),
    "gold.kpi_daily": dg.FreshnessPolicy.time_window(fail_window=3 * _H, warn_window=2 * _H),
    "gold.unit_performance": dg.FreshnessPolicy.time_window(fail_window=3 * _H, warn_window=2 * _H),
    "silver.gauge_readings": dg.FreshnessPolicy.time_window(fail_window=6 * _H, warn_window=2 * _H),
    "gold.flood_status": dg.FreshnessPolicy.time_window(fail_window=6 * _H, warn_window=2 * _H),
    "silver.warnings": dg.FreshnessPolicy.time_window(fail_window=24 * _H, warn_window=6 * _H),
    "silver.violations": dg.FreshnessPolicy.time_window(fail_window=48 * _H, warn_window=26 * _H),
    "gold.violations_daily": dg.FreshnessPolicy.time_window(fail_window=48 * _H, warn_window=26 * _H),
}

# Source steps talk to things that fail for a while (a database restarting, a feed timing out): retried
# with backoff before the run fails.
SOURCE_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def key_of(table: str) -> dg.AssetKey:
    """``silver.reports`` → AssetKey(["silver", "reports"]) (the design's asset keys)."""
    return dg.AssetKey(table.split("."))


def table_of(key: dg.AssetKey) -> str | None:
    """The lake table an asset key names, None for other assets (publications)."""
    name = ".".join(key.path)
    try:
        spec(name)
    except KeyError:
        return None
    return name


def column_schema(s: TableSpec) -> dg.TableSchema:
    """The table's columns as Dagster shows them: type and meaning (unit, allowed values, personal data)."""
    columns = []
    for f in s.schema:
        doc = s.column(f.name)
        parts = [doc.meaning] if doc.meaning else []
        if doc.unit:
            parts.append(f"unit: {doc.unit}")
        if doc.values:
            parts.append("values: " + " | ".join(doc.values) + (" | …" if doc.open_values else ""))
        if doc.personal:
            parts.append("personal data: operators only")
        constraints = dg.TableColumnConstraints(nullable=f.nullable, unique=s.keys == (f.name,))
        columns.append(dg.TableColumn(f.name, str(f.type), description="; ".join(parts) or None,
                                      constraints=constraints))
    return dg.TableSchema(columns=columns)


def _definition_metadata(s: TableSpec) -> dict[str, Any]:
    return {"dagster/column_schema": column_schema(s), "dagster/table_name": s.name,
            "keys": ", ".join(s.keys) or "(append-only)",
            **({"partitioned_by": ", ".join(s.partition_by)} if s.partition_by else {})}


def lake_spec(table: str, group: str, *, deps: Iterable[str] = (), description: str | None = None,
              **kwargs: Any) -> dg.AssetSpec:
    """The AssetSpec of a lake table in a multi-asset: its own description (the catalog's, or ``description``
    when the step's view adds to it), the ``delta`` kind, its column schema, owner, group and freshness."""
    s = spec(table)
    return dg.AssetSpec(key_of(table), group_name=group, deps=[key_of(d) for d in deps],
                        description=description or s.description, kinds={"delta"}, owners=OWNERS[group],
                        metadata=_definition_metadata(s), freshness_policy=WALL_FRESHNESS.get(table), **kwargs)


def lake_asset(table: str, group: str, *, deps: Iterable[str] = (), description: str | None = None,
               **kwargs: Any) -> dict[str, Any]:
    """Keyword arguments of ``@dg.asset`` for a lake table (as ``lake_spec`` for a single asset)."""
    s = spec(table)
    return {"key": key_of(table), "group_name": group, "deps": [key_of(d) for d in deps],
            "description": description or s.description, "kinds": {"delta"}, "owners": OWNERS[group],
            "metadata": _definition_metadata(s), "freshness_policy": WALL_FRESHNESS.get(table), **kwargs}


def table_metadata(lake: Lake, table: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Materialization metadata: the rows the table holds now (``dagster/row_count``), the Delta version the
    step left (``table_version``), and the step's own figures."""
    version = lake.version(table)
    rows = 0 if version is None else int(lake.sql(f"SELECT count(*) FROM {spec(table).name}").item())
    return {"dagster/row_count": dg.MetadataValue.int(rows),
            "table_version": dg.MetadataValue.int(-1 if version is None else version), **(extra or {})}


def materialized(lake: Lake, table: str, extra: Mapping[str, Any] | None = None) -> dg.MaterializeResult:
    """The MaterializeResult of a lake table (in a multi-asset: keyed by the table)."""
    return dg.MaterializeResult(asset_key=key_of(table), metadata=table_metadata(lake, table, extra))
