"""Camera violations over a period of Vietnam days and an optional set of 2025 communes: one slice per
(camera, violation type, local day, local hour) that every figure sums (totals, by type, by camera, by
hour, by day), the cameras with the commune each stands in, and traffic counts per camera and hour.

Cameras are placed in communes by point-in-polygon on the 2025 boundaries (silver.admin_units)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import polars as pl
from shapely import Point
from shapely.geometry import shape

from core.tz import VN_TZ_NAME, day_window
from lake import Lake

CAMERA_TABLES = ("silver.cameras", "silver.admin_units")
TABLES = ("silver.violations", *CAMERA_TABLES)  # what ``slices`` reads
TRAFFIC_TABLES = ("silver.traffic_counts", *CAMERA_TABLES)
COUNTS = ("detected", "confirmed", "dismissed", "pending", "plates_read", "fines_vnd")


def cameras(lake: Lake) -> pl.DataFrame:
    """Cameras with the 2025 commune each stands in (``area_code``; null outside every boundary)."""
    cams = lake.sql("SELECT camera_id, name, location_name, lat, lon, enabled, source FROM silver.cameras "
                    "ORDER BY camera_id")
    geoms = lake.sql("""SELECT admin_unit_code, geometry_geojson FROM silver.admin_units WHERE level = 'commune'
                        AND valid_to IS NULL AND geometry_geojson IS NOT NULL""")
    codes: list[str | None] = [None] * cams.height
    if cams.height and geoms.height:
        shapes = [(r["admin_unit_code"], shape(json.loads(r["geometry_geojson"]))) for r in geoms.iter_rows(named=True)]
        for i, r in enumerate(cams.iter_rows(named=True)):
            if r["lat"] is None or r["lon"] is None:
                continue
            p = Point(r["lon"], r["lat"])
            codes[i] = next((c for c, g in shapes if g.covers(p)), None)
    return cams.with_columns(pl.Series("area_code", codes, dtype=pl.String))


def camera_filter(lake: Lake, areas: Sequence[str]) -> dict[str, object]:
    """Bound parameters for ``($all_cams OR list_contains($cams::VARCHAR[], camera_id))``: every camera
    when ``areas`` is empty, else the cameras standing in those communes."""
    if not areas:
        return {"all_cams": True, "cams": []}
    cams = cameras(lake).filter(pl.col("area_code").is_in(list(areas)))
    return {"all_cams": False, "cams": cams["camera_id"].to_list()}


def slices(lake: Lake, start: dt.date, end: dt.date, areas: Sequence[str] = ()) -> pl.DataFrame:
    """Violations (not incidents) started in the period, counted per (camera_id, violation_type, day,
    hour) in Vietnam time: detected, confirmed, dismissed, pending (no review yet), plates_read and the
    confirmed fines_vnd. Every violations figure is a sum of these rows."""
    t0, t1 = day_window(start, end)
    return lake.sql(f"""
        SELECT camera_id, violation_type, CAST(timezone('{VN_TZ_NAME}', start_at) AS DATE) AS "day",
               hour(timezone('{VN_TZ_NAME}', start_at))::INT AS "hour", count(*)::BIGINT detected,
               count(*) FILTER (WHERE review_status = 'confirmed')::BIGINT confirmed,
               count(*) FILTER (WHERE review_status = 'dismissed')::BIGINT dismissed,
               count(*) FILTER (WHERE coalesce(review_status, 'pending') = 'pending')::BIGINT pending,
               count(plate_text)::BIGINT plates_read,
               coalesce(sum(fine_vnd) FILTER (WHERE review_status = 'confirmed'), 0)::BIGINT fines_vnd
        FROM silver.violations
        WHERE start_at >= $t0 AND start_at < $t1 AND coalesce(category, 'violation') = 'violation'
          AND ($all_cams OR list_contains($cams::VARCHAR[], camera_id))
        GROUP BY ALL ORDER BY ALL""", {"t0": t0, "t1": t1, **camera_filter(lake, areas)})


def summary_of(sl: pl.DataFrame) -> dict[str, int]:
    """Totals of the slices: violations, confirmed fines, cameras with a violation, plates read.
    (What waits for review is ``views.review.pending_count``: it does not depend on the period.)"""
    return {"total": int(sl["detected"].sum()), "fines": int(sl["fines_vnd"].sum()),
            "cameras": sl["camera_id"].n_unique(), "plates": int(sl["plates_read"].sum())}


def by_type_of(sl: pl.DataFrame) -> pl.DataFrame:
    """Per violation type: the counts and how many cameras recorded it, most frequent first."""
    return sl.group_by("violation_type").agg(
        *[pl.col(c).sum() for c in COUNTS], pl.col("camera_id").n_unique().cast(pl.Int64).alias("cameras"),
    ).sort(["detected", "violation_type"], descending=[True, False])


def by_camera_of(sl: pl.DataFrame, cams: pl.DataFrame) -> pl.DataFrame:
    """Per camera (name and position from ``cams``, the id when unknown), most violations first."""
    out = sl.group_by("camera_id").agg(pl.col("detected").sum()).join(
        cams.select("camera_id", "name", "lat", "lon"), on="camera_id", how="left")
    return out.with_columns(pl.coalesce("name", "camera_id").alias("name")).sort(
        ["detected", "camera_id"], descending=[True, False])


def by_hour_of(sl: pl.DataFrame) -> pl.DataFrame:
    return sl.group_by("hour").agg(pl.col("detected").sum()).sort("hour")


def by_day_of(sl: pl.DataFrame) -> pl.DataFrame:
    return sl.group_by("day", "violation_type").agg(pl.col("detected").sum()).sort("day", "violation_type")


def by_type(lake: Lake, start: dt.date, end: dt.date, areas: Sequence[str] = ()) -> pl.DataFrame:
    """``by_type_of`` the period's slices (the monthly report's violations section)."""
    return by_type_of(slices(lake, start, end, areas))


def months_of(t0: dt.datetime, t1: dt.datetime) -> dict[str, dt.date]:
    """``m0``, ``m1``: the first days (UTC) of the months of [t0, t1), the values of
    silver.traffic_counts' ``month`` partition the window can touch (so a filter on them skips the rest)."""
    first, last = t0.astimezone(dt.UTC), (t1 - dt.timedelta(microseconds=1)).astimezone(dt.UTC)
    return {"m0": dt.date(first.year, first.month, 1), "m1": dt.date(last.year, last.month, 1)}


def traffic_flow(lake: Lake, start: dt.date, end: dt.date, areas: Sequence[str] = ()) -> pl.DataFrame:
    """Vehicles crossing each camera's lines per local hour of the period (reads only the period's
    monthly partitions)."""
    t0, t1 = day_window(start, end)
    return lake.sql(f"""
        SELECT date_trunc('hour', timezone('{VN_TZ_NAME}', t.minute)) AS "hour", t.camera_id,
               coalesce(any_value(c.name), t.camera_id) name, sum(t.count)::BIGINT vehicles
        FROM silver.traffic_counts t LEFT JOIN silver.cameras c USING (camera_id)
        WHERE t.month BETWEEN $m0 AND $m1 AND t.minute >= $t0 AND t.minute < $t1
          AND ($all_cams OR list_contains($cams::VARCHAR[], t.camera_id))
        GROUP BY 1, 2 ORDER BY 1, 2""", {"t0": t0, "t1": t1, **months_of(t0, t1), **camera_filter(lake, areas)})
