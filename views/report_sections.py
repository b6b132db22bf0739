"""The other domains' part of a leaders' report for a period: camera violations summed by type, and the
warnings, gauges, SOS requests and hotline calls of the period. Each is a ``Section``: a table when its lake
table exists, otherwise a plain statement that the data was not loaded."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lake import Lake
from lake.catalog import catalog
from views.period import Period
from views.sql import query

VIOLATIONS_TABLE = "gold.violations_daily"
DISASTER_TABLES = ("silver.warnings", "silver.gauge_readings", "silver.gauge_stations", "silver.sos_requests",
                   "silver.hotline_calls")


@dataclass
class Section:
    """A block of another domain's data: a table when it was loaded, otherwise a plain statement."""

    key: str
    title_vi: str
    title_en: str
    table: str  # the lake table it comes from
    available: bool  # the table exists in this lake (at the report's moment)
    frame: pl.DataFrame | None = None
    note_vi: str = ""
    note_en: str = ""


def _exists(lake: Lake, name: str) -> bool:
    return name in catalog() and lake.exists(name)


def violations_for(lake: Lake, period: Period) -> Section:
    sec = Section("violations", "Vi phạm giao thông ghi nhận qua camera", "Traffic violations recorded by cameras",
                  VIOLATIONS_TABLE, available=_exists(lake, VIOLATIONS_TABLE))
    if not sec.available:
        sec.note_vi = "Chưa nạp dữ liệu vi phạm từ camera (bảng gold.violations_daily chưa có trong kho dữ liệu)."
        sec.note_en = "No camera violation data was loaded (gold.violations_daily is not in the lake)."
        return sec
    day = "day" if "day" in catalog()[VIOLATIONS_TABLE].schema.names else "date"
    frame = query(lake, f"SELECT * FROM gold.violations_daily WHERE {day} >= $d0 AND {day} <= $d1",
                     {"d0": period.start, "d1": period.end})
    sec.frame = summarise_violations(frame)
    sec.note_vi = f"{frame.height} dòng của gold.violations_daily trong kỳ, tổng hợp theo loại vi phạm."
    sec.note_en = f"{frame.height} rows of gold.violations_daily in the period, summed by violation type."
    return sec


def summarise_violations(frame: pl.DataFrame) -> pl.DataFrame:
    """Sum the daily violation rows of the period by their descriptive columns.

    gold.violations_daily belongs to the cameras domain; this takes its type-like text columns as the
    groups and its whole-number columns as the counts, so a new column there needs no change here."""
    keys = [c for c in ("violation_type", "rule", "type") if c in frame.columns][:1]
    counts = [c for c, t in frame.schema.items() if (t.is_integer() or (t.is_float() and "fine" in c))
              and c not in keys]
    extra = [pl.col("camera_id").n_unique().cast(pl.Int64).alias("cameras")] if "camera_id" in frame.columns else []
    if not keys:
        return frame.select([pl.col(c).sum() for c in counts] + extra)
    return frame.group_by(keys).agg([pl.col(c).sum() for c in counts] + extra).sort(
        [counts[0] if counts else keys[0], keys[0]], descending=[bool(counts), False])


def disasters_for(lake: Lake, period: Period) -> list[Section]:
    t0, t1 = period.start_ts, period.end_ts
    p = {"t0": t0, "t1": t1}
    out: list[Section] = []

    sec = Section("warnings", "Cảnh báo (CAP) nhận và phát", "Warnings (CAP) received and issued",
                  "silver.warnings", _exists(lake, "silver.warnings"))
    if sec.available:
        sec.frame = query(
            lake, "SELECT direction, coalesce(event, '') AS event, coalesce(severity, '') AS severity, "
            "count(*) AS warnings, count(*) FILTER (WHERE cancelled) AS cancelled "
            "FROM silver.warnings WHERE sent >= $t0 AND sent < $t1 GROUP BY ALL ORDER BY warnings DESC, 1, 2, 3", p)
    out.append(sec)

    sec = Section("gauges", "Mực nước cao nhất tại các trạm", "Highest water level at each gauge",
                  "silver.gauge_readings", _exists(lake, "silver.gauge_readings"))
    if sec.available:
        join = _exists(lake, "silver.gauge_stations")
        name = "coalesce(s.name, r.station_code)" if join else "r.station_code"
        src = ("silver.gauge_readings r LEFT JOIN silver.gauge_stations s USING (station_code)" if join
               else "silver.gauge_readings r")
        sec.frame = query(
            lake, f"SELECT r.station_code, any_value({name}) AS name, count(*) AS readings, "
            "max(r.water_level_m) AS peak_level_m, arg_max(r.observed_at, r.water_level_m) AS peak_at, "
            "max(r.alarm_level) AS max_alarm_level, arg_max(r.bulletin_vi, r.water_level_m) AS bulletin_vi "
            f"FROM {src} WHERE r.observed_at >= $t0 AND r.observed_at < $t1 "
            "GROUP BY 1 ORDER BY max_alarm_level DESC NULLS LAST, peak_level_m DESC", p)
    out.append(sec)

    sec = Section("sos", "Yêu cầu cứu hộ (SOS)", "SOS requests", "silver.sos_requests",
                  _exists(lake, "silver.sos_requests"))
    if sec.available:
        sec.frame = query(
            lake, "SELECT status, count(*) AS requests, coalesce(sum(people), 0)::BIGINT AS people "
            "FROM silver.sos_requests WHERE requested_at >= $t0 AND requested_at < $t1 GROUP BY 1 ORDER BY 2 DESC", p)
    out.append(sec)

    sec = Section("hotline", "Cuộc gọi đường dây nóng", "Hotline calls", "silver.hotline_calls",
                  _exists(lake, "silver.hotline_calls"))
    if sec.available:
        sec.frame = query(
            lake, "SELECT direction, count(*) AS calls, coalesce(sum(duration_s), 0)::BIGINT AS seconds "
            "FROM silver.hotline_calls WHERE started_at >= $t0 AND started_at < $t1 GROUP BY 1 ORDER BY 1", p)
    out.append(sec)

    for s in out:
        if not s.available:
            s.note_vi = f"Chưa nạp dữ liệu ({s.table} chưa có trong kho dữ liệu)."
            s.note_en = f"No data was loaded ({s.table} is not in the lake)."
        elif s.frame is not None and s.frame.is_empty():
            s.note_vi = f"Không có bản ghi nào trong kỳ ({s.table})."
            s.note_en = f"No records in the period ({s.table})."
    return out
