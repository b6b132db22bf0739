"""Trends of a period from gold.kpi_daily: per day, per channel and per category (counts by receipt date).

One read (``slices``: counts per day, category and channel) feeds the three; a page that shows all three
reads it once and sums it three ways."""

from __future__ import annotations

import numpy as np
import polars as pl

from lake import Lake
from views.choices import categories
from views.filters import AREA_SQL, Filters, list_filter
from views.sql import query

_COUNTS = [pl.col("received").sum(), pl.col("processed").sum(), pl.col("on_time").sum()]


def slices(lake: Lake, f: Filters, category_codes: tuple[str, ...] = (),
           channels: tuple[str, ...] = ()) -> pl.DataFrame:
    """Counts per (date, category, channel) of the period and areas."""
    if not f.areas and getattr(lake, "keeps_results", False):
        return _province_slices(lake, f, category_codes, channels)
    params = f.params()
    where = " AND ".join(["date BETWEEN $start AND $end", AREA_SQL.format(col="admin_unit_code_2025"),
                          list_filter("category_code", "cats", category_codes, params),
                          list_filter("channel", "chans", channels, params)])
    return query(lake, f"""
        SELECT date, category_code, channel, {_SUMS}
        FROM gold.kpi_daily WHERE {where} GROUP BY ALL""", params)


_SUMS = "sum(received)::BIGINT received, sum(processed)::BIGINT processed, sum(on_time)::BIGINT on_time"
_BY_DAY = (f"SELECT date, category_code, channel, {_SUMS} FROM gold.kpi_daily WHERE date IS NOT NULL "
           "GROUP BY ALL ORDER BY date, category_code, channel")


def _province_slices(lake: Lake, f: Filters, category_codes: tuple[str, ...],
                     channels: tuple[str, ...]) -> pl.DataFrame:
    """Without areas: the period's rows of the (date, category, channel) sums kept per Delta version (about
    a hundred thousand rows at 5 M reports), sorted by date so the period is a slice: no statement to plan."""
    kept, dates = lake.derived_per_version(_BY_DAY, _one_chunk, "trends.contiguous")
    lo = int(np.searchsorted(dates, np.datetime64(f.start, "D"), side="left"))
    out = kept.slice(lo, int(np.searchsorted(dates, np.datetime64(f.end, "D"), side="right")) - lo)
    if category_codes:
        out = out.filter(pl.col("category_code").is_in(list(category_codes)))
    if channels:
        out = out.filter(pl.col("channel").is_in(list(channels)))
    return out


def _one_chunk(frame: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """``frame`` in one chunk (a slice of many Arrow chunks costs per chunk) and its dates as numpy."""
    whole = frame.rechunk()
    return whole, whole["date"].to_numpy().astype("datetime64[D]")


def trend_of(frame: pl.DataFrame) -> pl.DataFrame:
    """Per day: received, processed, on_time (by receipt date)."""
    return frame.group_by("date").agg(_COUNTS).sort("date")


def channels_of(frame: pl.DataFrame) -> pl.DataFrame:
    return (frame.group_by("channel").agg(_COUNTS[:2]).filter(pl.col("received") > 0)
            .sort(["received", "channel"], descending=[True, False]))


def categories_of(frame: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """Per category with its Vietnamese and English names (``names`` = ``choices.categories(lake)``)."""
    out = (frame.group_by("category_code").agg(_COUNTS).filter(pl.col("received") > 0)
           .join(names, on="category_code", how="left")
           .with_columns(pl.coalesce("name_vi", "category_code").alias("name_vi"),
                         pl.coalesce("name_en", "name_vi", "category_code").alias("name_en")))
    return out.sort(["received", "category_code"], descending=[True, False])


def daily_trend(lake: Lake, f: Filters, category_codes: tuple[str, ...] = (),
                channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return trend_of(slices(lake, f, category_codes, channels))


def by_channel(lake: Lake, f: Filters, category_codes: tuple[str, ...] = (),
               channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return channels_of(slices(lake, f, category_codes, channels))


def by_category(lake: Lake, f: Filters, category_codes: tuple[str, ...] = (),
                channels: tuple[str, ...] = ()) -> pl.DataFrame:
    return categories_of(slices(lake, f, category_codes, channels), categories(lake))
