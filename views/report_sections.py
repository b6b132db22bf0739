"""The other domains' part of a leaders' report for a period: camera violations summed by type, and the
warnings, gauges, SOS requests and hotline calls of the period. Each is a ``Section``: a table when its lake
table exists, otherwise a plain statement that the data was not loaded."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lake import Lake
from lake.catalog import catalog
from views import floods_period, violations, warnings
from views.period import Period

VIOLATIONS_TABLE = "silver.violations"
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
        sec.note_vi = "Chưa nạp dữ liệu vi phạm từ camera vào kho dữ liệu."
        sec.note_en = "No camera violation data has been loaded into the lake."
        return sec
    sec.frame = violations.by_type(lake, period.start, period.end)  # the violations page's figures
    sec.note_vi = "Vi phạm camera trong kỳ theo loại vi phạm (như trang Vi phạm)."
    sec.note_en = "Camera violations in the period by violation type (as on the Violations page)."
    return sec


def disasters_for(lake: Lake, period: Period) -> list[Section]:
    out = [
        Section("warnings", "Cảnh báo (CAP) nhận và phát", "Warnings (CAP) received and issued",
                "silver.warnings", _exists(lake, "silver.warnings")),
        Section("gauges", "Mực nước cao nhất tại các trạm", "Highest water level at each gauge",
                "silver.gauge_readings", _exists(lake, "silver.gauge_readings")),
        Section("sos", "Yêu cầu cứu hộ (SOS)", "SOS requests", "silver.sos_requests",
                _exists(lake, "silver.sos_requests")),
        Section("hotline", "Cuộc gọi đường dây nóng", "Hotline calls", "silver.hotline_calls",
                _exists(lake, "silver.hotline_calls")),
    ]
    figures = {"warnings": warnings.of_period, "gauges": floods_period.gauge_peaks,
               "sos": floods_period.sos_by_status, "hotline": floods_period.hotline_by_direction}
    for s in out:
        if s.available:
            s.frame = figures[s.key](lake, period.start_ts, period.end_ts)
        # readers see the section's title, never the lake's table names
        if not s.available:
            s.note_vi = "Chưa nạp dữ liệu này vào kho dữ liệu."
            s.note_en = "These data have not been loaded into the lake."
        elif s.frame is not None and s.frame.is_empty():
            s.note_vi = "Không có bản ghi nào trong kỳ."
            s.note_en = "No records in the period."
    return out
