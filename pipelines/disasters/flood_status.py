"""gold.flood_status: per river gauge, the latest level and alarm, 3-hour trend, peak so far and
time above each alarm level, from every reading (the computation is ``core.gauges.gauge_status``,
which the flood map also uses at any moment)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from core.gauges import gauge_status
from lake import Lake
from lake.catalog import spec

READING_COLUMNS = ["station_code", "observed_at", "water_level_m", "alarm_level", "diff_m", "bulletin_vi"]


def flood_status(lake: Lake, stations: Sequence[str] | None = None) -> pl.DataFrame:
    """One row per river gauge with readings (only ``stations`` when given), in the gold.flood_status
    shape, as of the newest reading."""
    gauges = lake.read("silver.gauge_stations").filter(pl.col("kind") == "river")
    readings = lake.read("silver.gauge_readings", columns=READING_COLUMNS)
    if stations is not None:
        gauges = gauges.filter(pl.col("station_code").is_in(list(stations)))
        readings = readings.filter(pl.col("station_code").is_in(list(stations)))
    if readings.is_empty() or gauges.is_empty():
        out = pl.from_arrow(spec("gold.flood_status").schema.empty_table())
        assert isinstance(out, pl.DataFrame)
        return out
    # as of the newest reading, the data's own time (never the clock): gold's as_of is what "Dữ liệu đến" shows
    return gauge_status(readings, gauges, readings["observed_at"].max())


def build_flood_status(lake: Lake) -> int:
    """Rebuild gold.flood_status from every reading; returns the number of gauges."""
    df = flood_status(lake)
    lake.overwrite("gold.flood_status", df)
    return df.height
