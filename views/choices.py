"""What the filters offer: categories, channels, 2025 communes and wards, and the days the data covers.

Every page asks these and the answers change only with the data: each is kept per Delta version of the
tables it reads (``lake.sql_per_version``)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.tz import VN_TZ_NAME
from lake import Lake
from lake.catalog import catalog


def categories(lake: Lake) -> pl.DataFrame:
    """Every category with its Vietnamese and English names."""
    return lake.sql_per_version("SELECT category_code, name_vi, coalesce(name_en, name_vi) name_en "
                                "FROM silver.categories ORDER BY name_vi")


def channels(lake: Lake) -> pl.DataFrame:
    """Channels that received reports (from the daily figures: smaller than silver.reports; kept per version,
    a scan of millions of gold rows at 5 M reports)."""
    return lake.sql_per_version("SELECT DISTINCT channel FROM gold.kpi_daily WHERE channel IS NOT NULL ORDER BY 1")


def communes(lake: Lake) -> pl.DataFrame:
    """The 2025 communes and wards (admin_unit_code, name), the codes reports carry as admin_unit_code_2025."""
    return lake.sql_per_version("""
        SELECT admin_unit_code, name FROM silver.admin_units
        WHERE level = 'commune' AND (valid_to IS NULL OR valid_to >= DATE '2025-07-01')
          AND (valid_from IS NULL OR valid_from >= DATE '2025-07-01')
        ORDER BY name""")


def data_bounds(lake: Lake) -> tuple[dt.date, dt.date] | None:
    """First and last receipt date (Vietnam time) of the reports, else of the camera violations;
    None for an empty lake. Every page asks, and the answer changes only with the data: kept per Delta
    version of the tables read (``lake.sql_per_version``)."""
    row = lake.sql_per_version("SELECT min(date) lo, max(date) hi FROM gold.kpi_daily "
                               "WHERE received + invalid > 0")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0]
    row = lake.sql_per_version(f"SELECT min(CAST(timezone('{VN_TZ_NAME}', received_at) AS DATE)) lo, "
                               f"max(CAST(timezone('{VN_TZ_NAME}', received_at) AS DATE)) hi FROM silver.reports")
    if row.height and row["hi"][0] is not None:
        return row["lo"][0], row["hi"][0]
    if "silver.violations" in catalog():
        row = lake.sql_per_version(f"SELECT min(CAST(timezone('{VN_TZ_NAME}', start_at) AS DATE)) lo, "
                                   f"max(CAST(timezone('{VN_TZ_NAME}', start_at) AS DATE)) hi FROM silver.violations")
        if row.height and row["hi"][0] is not None:
            return row["lo"][0], row["hi"][0]
    return None
