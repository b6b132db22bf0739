"""Hue-S app adoption (silver.app_adoption): installs to a date and visits of a period."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from views.sql import query


def installs_to(lake: Lake, day: dt.date | None = None) -> int | None:
    """App installs from the launch up to ``day`` included (all when None); None without adoption data."""
    if not lake.exists("silver.app_adoption"):
        return None
    v = query(lake, "SELECT sum(installs) FROM silver.app_adoption WHERE $day IS NULL OR date <= $day",
              {"day": day}).item()
    return None if v is None else int(v)


def visits_in(lake: Lake, start: dt.date, end: dt.date) -> int | None:
    """App visits between ``start`` and ``end`` (included); None without adoption data."""
    if not lake.exists("silver.app_adoption"):
        return None
    v = query(lake, "SELECT sum(visits) FROM silver.app_adoption WHERE date BETWEEN $start AND $end",
              {"start": start, "end": end}).item()
    return None if v is None else int(v)


def adoption_monthly(lake: Lake) -> pl.DataFrame:
    """Per month: new installs, installs to date (cumulative) and visits."""
    if not lake.exists("silver.app_adoption"):
        return pl.DataFrame(schema={"month": pl.Date, "installs": pl.Int64, "installs_total": pl.Int64,
                                    "visits": pl.Int64})
    return query(lake, """
        SELECT date_trunc('month', date)::DATE AS month, sum(installs)::BIGINT AS installs,
               sum(sum(installs)) OVER (ORDER BY date_trunc('month', date))::BIGINT AS installs_total,
               sum(visits)::BIGINT AS visits
        FROM silver.app_adoption GROUP BY 1 ORDER BY 1""")
