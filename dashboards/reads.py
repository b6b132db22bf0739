"""The views the report pages show, each cached on the Delta versions of the tables it reads
(``dashboards.data.versioned``); ``fn.raw`` is the view itself. No figure is computed here."""

from __future__ import annotations

from dashboards.data import versioned
from views import choices, newest, reports_map, trends, unit_detail
from views.headline import headline as headline_view
from views.ranking import ranking as ranking_view

REPORTS = ("silver.reports",)
NAMES = ("silver.categories", "silver.admin_units")

headline = versioned("gold.kpi_daily", "silver.units")(headline_view)
ranking = versioned("gold.kpi_daily", "gold.unit_transfers", "silver.units", *REPORTS)(ranking_view)

categories = versioned("silver.categories")(choices.categories)
channels = versioned("gold.kpi_daily")(choices.channels)
communes = versioned("silver.admin_units")(choices.communes)
data_bounds = versioned("gold.kpi_daily", *REPORTS, "silver.violations")(choices.data_bounds)

slices = versioned("gold.kpi_daily")(trends.slices)
daily_trend = versioned("gold.kpi_daily")(trends.daily_trend)
by_channel = versioned("gold.kpi_daily")(trends.by_channel)
by_category = versioned("gold.kpi_daily", "silver.categories")(trends.by_category)

newest_reports = versioned(*REPORTS, *NAMES)(newest.newest_reports)
data_clock = versioned("gold.unit_performance", *REPORTS)(newest.data_clock)

unit_trend = versioned("gold.unit_performance")(unit_detail.unit_trend)
unit_categories = versioned("gold.kpi_daily", "silver.categories")(unit_detail.unit_categories)
unit_open_reports = versioned(*REPORTS, "silver.categories")(unit_detail.unit_open_reports)
unit_transfers = versioned("gold.unit_transfers", "silver.units")(unit_detail.unit_transfers)

map_reports = versioned(*REPORTS)(reports_map.map_reports)
map_reports_total = versioned(*REPORTS)(reports_map.map_reports_total)
unlocated_count = versioned(*REPORTS)(reports_map.unlocated_count)
report_details = versioned(*REPORTS, *NAMES)(reports_map.report_details)
commune_geometries = versioned("silver.admin_units")(reports_map.commune_geometries)
