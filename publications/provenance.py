"""What a report states about its data: the moment every read is pinned to, and the lake tables it read."""

from __future__ import annotations

import datetime as dt

from core.tz import parse_moment
from lake.catalog import catalog
from views.report_sections import DISASTER_TABLES, VIOLATIONS_TABLE

# Tables every report reads; the violations and disaster tables are added when the catalog has them.
CORE_TABLES = ("gold.kpi_daily", "gold.unit_performance", "gold.unit_transfers", "silver.units",
               "silver.categories", "silver.reports")


def to_moment(value: str | dt.datetime | dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """The moment every read is pinned to, read exactly as ``lake.as_of`` reads it (so ``hue-ioc kpis
    --as-of X`` and ``hue-ioc report --as-of X`` see the same snapshot); None = now."""
    if value is None:
        return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return parse_moment(value).astimezone(dt.UTC)


def stamp(t: dt.datetime) -> str:
    """A moment as exact ISO text (microseconds kept: --as-of with it reproduces the reads)."""
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def tables_used() -> list[str]:
    known = catalog()
    return [t for t in (*CORE_TABLES, VIOLATIONS_TABLE, *DISASTER_TABLES) if t in known]
