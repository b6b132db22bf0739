"""Headline KPIs come from the lead's ``pipelines.reports.kpis.headline`` (computed from
gold.kpi_daily); the dashboards never re-implement a KPI formula."""

from __future__ import annotations

from typing import Any

from dashboards.data import versioned
from dashboards.filters import Filters
from lake import Lake


def available() -> bool:
    try:
        from pipelines.reports import kpis  # noqa: F401
    except ImportError:
        return False
    return True


@versioned("gold.kpi_daily", "silver.reports", "silver.units")
def headline(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
             channels: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The headline figures of a period and area (None when the KPI module is not installed)."""
    try:
        from pipelines.reports import kpis
    except ImportError:
        return None
    return kpis.headline(lake, start=f.start, end=f.end, admin_unit_codes=list(f.areas) or None,
                         category_codes=list(categories) or None, channels=list(channels) or None)
