"""gold.flood_status: per river gauge, the latest level and alarm, 3-hour trend, peak so far and
time above each alarm level — as of now, or as of any moment (the flood map's time slider)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from lake import Lake
from pipelines.disasters.common import utcnow
from pipelines.disasters.gauges import COLOURS, NO_LEVEL_COLOUR
from pipelines.disasters.geo import STATION_RIVER

TREND_WINDOW = dt.timedelta(hours=3)
TREND_STEADY_M = 0.05
MAX_GAP = dt.timedelta(hours=3)  # a reading counts for at most this long toward "time above"


def flood_status(lake: Lake, at: dt.datetime | None = None, stations: list[str] | None = None) -> pl.DataFrame:
    """One row per river gauge with readings up to ``at`` (default: all), in the gold.flood_status shape."""
    if at is not None:
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    st = lake.read("silver.gauge_stations").filter(pl.col("kind") == "river")
    if stations is not None:
        st = st.filter(pl.col("station_code").is_in(stations))
    r = lake.read("silver.gauge_readings", columns=["station_code", "observed_at", "water_level_m",
                                                   "alarm_level", "diff_m", "bulletin_vi"])
    if at is not None:
        r = r.filter(pl.col("observed_at") <= at)
    r = r.join(st.select("station_code", "alarm1_m", "alarm2_m", "alarm3_m"), on="station_code", how="inner")
    if r.is_empty():
        return _empty()
    r = r.sort(["station_code", "observed_at"])
    gap = (pl.col("observed_at").shift(-1).over("station_code") - pl.col("observed_at"))
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
                             on="_t3", by="station_code", strategy="backward",
                             check_sortedness=False)
    out = agg.join(earlier.select("station_code", "_lv3"), on="station_code", how="left")
    out = out.with_columns((pl.col("latest_level_m") - pl.col("_lv3")).round(3).alias("trend_3h_m"))
    out = out.with_columns(
        pl.when(pl.col("trend_3h_m").is_null()).then(None)
        .when(pl.col("trend_3h_m") > TREND_STEADY_M).then(pl.lit("rising"))
        .when(pl.col("trend_3h_m") < -TREND_STEADY_M).then(pl.lit("falling"))
        .otherwise(pl.lit("steady")).alias("trend"),
        pl.col("alarm_level").replace_strict(COLOURS, default=NO_LEVEL_COLOUR, return_dtype=pl.String).alias("colour"),
        pl.lit(at or utcnow(), dtype=pl.Datetime("us", "UTC")).alias("as_of"),
    )
    out = out.join(st.select("station_code", "name", "river", "lat", "lon"), on="station_code", how="left")
    out = out.with_columns(pl.col("station_code").replace_strict(STATION_RIVER, default=pl.col("river"),
                                                                 return_dtype=pl.String).alias("river"))
    return out.select(_empty().columns).sort("station_code")


def _empty() -> pl.DataFrame:
    from lake.catalog import spec

    out = pl.from_arrow(spec("gold.flood_status").schema.empty_table())
    assert isinstance(out, pl.DataFrame)
    return out


def build_flood_status(lake: Lake) -> int:
    """Rebuild gold.flood_status from every reading; returns the number of gauges."""
    df = flood_status(lake)
    lake.overwrite("gold.flood_status", df)
    return df.height
