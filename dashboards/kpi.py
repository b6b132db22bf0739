"""Headline KPIs, cached per table version: the figures come from ``views.headline.headline``
(computed from gold.kpi_daily); the dashboards never re-implement a KPI formula."""

from __future__ import annotations

from typing import Any

from dashboards.data import versioned
from dashboards.filters import Filters
from lake import Lake
from views import headline as headline_view


@versioned("gold.kpi_daily", "silver.reports", "silver.units")
def headline(lake: Lake, f: Filters, categories: tuple[str, ...] = (),
             channels: tuple[str, ...] = ()) -> dict[str, Any]:
    """The headline figures of a period and area."""
    return headline_view.headline(lake, start=f.start, end=f.end, admin_unit_codes=list(f.areas) or None,
                                  category_codes=list(categories) or None, channels=list(channels) or None)
