"""River gauge status from readings: latest level and alarm, 3-hour trend, peak so far and time above
each alarm level. Pure polars: gold.flood_status (written by the disasters pipeline) and the flood map
at any moment (views.floods) both call ``gauge_status`` so they cannot disagree."""

from __future__ import annotations

import datetime as dt

import polars as pl

ALARM_COLOURS = {0: "#2e7d32", 1: "#f9a825", 2: "#ef6c00", 3: "#c62828"}  # green, yellow, orange, red
NO_LEVEL_COLOUR = "#607d8b"
# The river Huế's two official gauges measure (the station files name the basin instead).
STATION_RIVER = {"71520": "Sông Hương", "71518": "Sông Bồ"}  # Kim Long, Phú Ốc

TREND_WINDOW = dt.timedelta(hours=3)
TREND_STEADY_M = 0.05
MAX_GAP = dt.timedelta(hours=3)  # a reading counts for at most this long toward "time above"

STATUS_COLUMNS = ("station_code", "name", "river", "lat", "lon", "latest_at", "latest_level_m", "alarm_level",
                  "diff_m", "bulletin_vi", "trend_3h_m", "trend", "peak_level_m", "peak_at", "hours_above_1",
                  "hours_above_2", "hours_above_3", "colour", "as_of")


def gauge_status(readings: pl.DataFrame, stations: pl.DataFrame, as_of: dt.datetime) -> pl.DataFrame:
    """One row per station with readings, in the gold.flood_status column order, sorted by station code.

    ``readings``: station_code, observed_at, water_level_m, alarm_level, diff_m, bulletin_vi, already cut
    at ``as_of``; ``stations``: station_code, name, river, lat, lon, alarm1_m, alarm2_m, alarm3_m (the
    gauges to report on: readings of other stations are ignored)."""
    r = readings.join(stations.select("station_code", "alarm1_m", "alarm2_m", "alarm3_m"), on="station_code",
                      how="inner").sort(["station_code", "observed_at"])
    gap = pl.col("observed_at").shift(-1).over("station_code") - pl.col("observed_at")
    r = r.with_columns(pl.min_horizontal(gap.fill_null(dt.timedelta(0)), pl.lit(MAX_GAP))
                       .dt.total_seconds().truediv(3600).alias("_h"))
    agg = r.group_by("station_code").agg(
        pl.col("observed_at").last().alias("latest_at"),
        pl.col("water_level_m").last().alias("latest_level_m"),
        pl.col("alarm_level").last().alias("alarm_level"),
        pl.col("diff_m").last().alias("diff_m"),
        pl.col("bulletin_vi").last().alias("bulletin_vi"),
        pl.col("water_level_m").max().alias("peak_level_m"),
        pl.col("observed_at").sort_by("water_level_m", descending=True).first().alias("peak_at"),
        *[pl.col("_h").filter(pl.col("water_level_m") >= pl.col(f"alarm{k}_m")).sum().alias(f"hours_above_{k}")
          for k in (1, 2, 3)],
    )
    back = agg.select("station_code", (pl.col("latest_at") - TREND_WINDOW).alias("_t3")).sort("_t3")
    earlier = back.join_asof(r.select("station_code", pl.col("observed_at").alias("_t3"),
                                      pl.col("water_level_m").alias("_lv3")).sort("_t3"),
                             on="_t3", by="station_code", strategy="backward", check_sortedness=False)
    out = agg.join(earlier.select("station_code", "_lv3"), on="station_code", how="left")
    out = out.with_columns((pl.col("latest_level_m") - pl.col("_lv3")).round(3).alias("trend_3h_m"))
    out = out.with_columns(
        pl.when(pl.col("trend_3h_m").is_null()).then(None)
        .when(pl.col("trend_3h_m") > TREND_STEADY_M).then(pl.lit("rising"))
        .when(pl.col("trend_3h_m") < -TREND_STEADY_M).then(pl.lit("falling"))
        .otherwise(pl.lit("steady")).alias("trend"),
        pl.col("alarm_level").replace_strict(ALARM_COLOURS, default=NO_LEVEL_COLOUR, return_dtype=pl.String)
        .alias("colour"),
        pl.lit(as_of, dtype=pl.Datetime("us", "UTC")).alias("as_of"),
    )
    out = out.join(stations.select("station_code", "name", "river", "lat", "lon"), on="station_code", how="left")
    out = out.with_columns(pl.col("station_code").replace_strict(STATION_RIVER, default=pl.col("river"),
                                                                 return_dtype=pl.String).alias("river"))
    return out.select(STATUS_COLUMNS).sort("station_code")
