"""Camera AI queries (silver.violations, silver.traffic_counts, silver.cameras from the cameras domain).

Cameras are placed in the sidebar's areas by point-in-polygon on the 2025 commune boundaries."""

from __future__ import annotations

import json

import polars as pl

from core.tz import VN_TZ_NAME
from dashboards.data import has_table, sql, versioned
from lake import Lake
from views.filters import Filters

VIOLATION_TABLES = ("silver.violations", "silver.cameras")
LOCAL = f"timezone('{VN_TZ_NAME}', {{col}})"


def available() -> bool:
    return all(has_table(t) for t in VIOLATION_TABLES)


@versioned("silver.cameras", "silver.admin_units")
def cameras(lake: Lake) -> pl.DataFrame:
    """Cameras with the 2025 commune each stands in (``area_code``; null outside every boundary)."""
    cams = sql(lake, "SELECT camera_id, name, location_name, lat, lon, enabled, source FROM silver.cameras "
                     "ORDER BY camera_id")
    geoms = sql(lake, """SELECT code, geometry_geojson FROM silver.admin_units WHERE level = 'commune'
                         AND valid_to IS NULL AND geometry_geojson IS NOT NULL""")
    codes: list[str | None] = [None] * cams.height
    if cams.height and geoms.height:
        from shapely import Point
        from shapely.geometry import shape

        shapes = [(r["code"], shape(json.loads(r["geometry_geojson"]))) for r in geoms.iter_rows(named=True)]
        for i, r in enumerate(cams.iter_rows(named=True)):
            if r["lat"] is None or r["lon"] is None:
                continue
            p = Point(r["lon"], r["lat"])
            codes[i] = next((c for c, g in shapes if g.covers(p)), None)
    return cams.with_columns(pl.Series("area_code", codes, dtype=pl.String))


def camera_ids(lake: Lake, f: Filters) -> list[str]:
    cams = cameras(lake)
    if f.areas:
        cams = cams.filter(pl.col("area_code").is_in(list(f.areas)))
    return cams["camera_id"].to_list()


def _params(lake: Lake, f: Filters) -> dict:
    return {"start_ts": f.start_ts, "end_ts": f.end_ts, "no_cam": not f.areas, "cams": camera_ids(lake, f)}


WHERE = ("start_at >= $start_ts AND start_at < $end_ts AND coalesce(category, 'violation') = 'violation' "
         "AND ($no_cam OR list_contains($cams::VARCHAR[], camera_id))")


@versioned("silver.violations", "silver.cameras", "silver.admin_units")
def slices(lake: Lake, f: Filters) -> pl.DataFrame:
    """One read of silver.violations for the page: counts, confirmed fines, pending reviews and plates
    per (camera, type, local day, local hour); every chart is a sum of it."""
    return sql(lake, f"""
        SELECT camera_id, violation_type, CAST({LOCAL.format(col='start_at')} AS DATE) AS "day",
               hour({LOCAL.format(col='start_at')})::INT AS "hour", count(*)::BIGINT n,
               coalesce(sum(fine_vnd) FILTER (WHERE review_status = 'confirmed'), 0)::BIGINT fines,
               count(*) FILTER (WHERE coalesce(review_status, 'pending') = 'pending')::BIGINT pending,
               count(plate_text)::BIGINT plates
        FROM silver.violations WHERE {WHERE} GROUP BY ALL""", _params(lake, f))


def summary_of(sl: pl.DataFrame) -> dict:
    return {"total": int(sl["n"].sum()), "fines": int(sl["fines"].sum()), "pending": int(sl["pending"].sum()),
            "cameras": sl["camera_id"].n_unique(), "plates": int(sl["plates"].sum())}


def by_type_of(sl: pl.DataFrame) -> pl.DataFrame:
    return sl.group_by("violation_type").agg(pl.col("n").sum()).sort(["n", "violation_type"],
                                                                    descending=[True, False])


def by_camera_of(sl: pl.DataFrame, cams: pl.DataFrame) -> pl.DataFrame:
    out = sl.group_by("camera_id").agg(pl.col("n").sum()).join(
        cams.select("camera_id", "name", "lat", "lon"), on="camera_id", how="left")
    return out.with_columns(pl.coalesce("name", "camera_id").alias("name")).sort(
        ["n", "camera_id"], descending=[True, False])


def by_hour_of(sl: pl.DataFrame) -> pl.DataFrame:
    return sl.group_by("hour").agg(pl.col("n").sum()).sort("hour")


def by_day_of(sl: pl.DataFrame) -> pl.DataFrame:
    return sl.group_by("day", "violation_type").agg(pl.col("n").sum()).sort("day", "violation_type")


def summary(lake: Lake, f: Filters) -> dict:
    return summary_of(slices(lake, f))


def by_type(lake: Lake, f: Filters) -> pl.DataFrame:
    return by_type_of(slices(lake, f))


def by_camera(lake: Lake, f: Filters) -> pl.DataFrame:
    return by_camera_of(slices(lake, f), cameras(lake))


def by_hour(lake: Lake, f: Filters) -> pl.DataFrame:
    return by_hour_of(slices(lake, f))


def by_day(lake: Lake, f: Filters) -> pl.DataFrame:
    return by_day_of(slices(lake, f))


@versioned("silver.violations", "silver.cameras", "silver.admin_units")
def review_queue(lake: Lake, f: Filters, limit: int = 24) -> pl.DataFrame:
    """Violations awaiting an officer's review (pending), newest first, with evidence and plate."""
    return sql(lake, f"""
        SELECT v.event_id, v.start_at, v.camera_id, coalesce(c.name, v.camera_id) camera_name,
               v.violation_type, v.class_name, v.vehicle_type, v.plate_text, v.plate_confidence, v.score,
               v.evidence_uri, v.fine_vnd
        FROM silver.violations v LEFT JOIN silver.cameras c USING (camera_id)
        WHERE {WHERE.replace('camera_id', 'v.camera_id').replace('category', 'v.category')}
          AND coalesce(v.review_status, 'pending') = 'pending'
        ORDER BY v.start_at DESC, v.event_id LIMIT $limit""", _params(lake, f) | {"limit": limit})


@versioned("silver.traffic_counts", "silver.cameras", "silver.admin_units")
def traffic_flow(lake: Lake, f: Filters) -> pl.DataFrame:
    """Vehicles crossing each camera's lines per local hour."""
    if not has_table("silver.traffic_counts"):
        return pl.DataFrame()
    p = _params(lake, f)
    return sql(lake, f"""
        SELECT date_trunc('hour', {LOCAL.format(col='t.minute')}) AS "hour", t.camera_id,
               coalesce(any_value(c.name), t.camera_id) name, sum(t.count)::BIGINT vehicles
        FROM silver.traffic_counts t LEFT JOIN silver.cameras c USING (camera_id)
        WHERE t.minute >= $start_ts AND t.minute < $end_ts
          AND ($no_cam OR list_contains($cams::VARCHAR[], t.camera_id))
        GROUP BY 1, 2 ORDER BY 1, 2""", p)
