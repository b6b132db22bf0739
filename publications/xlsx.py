"""Render a report to XLSX (xlsxwriter): the same tables as the PDF, one per sheet, with raw values and
number formats (rates as %, counts with thousands separators, times in Vietnam time).

Every data sheet has two header rows (Vietnamese, then English) and the data from the third row on."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import polars as pl
import xlsxwriter

from core import fmt
from core.labels import KPIS, VALUE_LABELS, column_label, definitions, value_label
from core.tz import VN_TZ
from publications.pdf import ISSUER_EN, ISSUER_VI, provenance_json
from publications.provenance import stamp
from publications.report_data import ReportData

HEADER_ROWS = 2

# sheet name → (title vi, title en); sheet names are at most 31 characters
SHEETS = {
    "info": "Thông tin",
    "headline": "Chỉ tiêu",
    "ranking": "Xếp hạng",
    "best": "10 tốt nhất",
    "worst": "10 thấp nhất",
    "overdue": "Quá hạn",
    "trend": "Xu hướng",
    "categories": "Lĩnh vực",
    "unit_types": "Loại đơn vị",
    "violations": "Vi phạm camera",
    "definitions": "Định nghĩa",
    "versions": "Phiên bản dữ liệu",
}


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.header = wb.add_format({"bold": True, "bg_color": "#EEF2F6", "bottom": 1, "text_wrap": True,
                                     "valign": "top", "font_color": "#12355B"})
        self.header_en = wb.add_format({"italic": True, "bg_color": "#EEF2F6", "bottom": 2, "text_wrap": True,
                                        "font_color": "#6B7280", "valign": "top"})
        self.pct = wb.add_format({"num_format": "0.0%"})
        self.int = wb.add_format({"num_format": "#,##0"})
        self.num1 = wb.add_format({"num_format": "#,##0.0"})
        self.num2 = wb.add_format({"num_format": "#,##0.00"})
        self.dt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        self.date = wb.add_format({"num_format": "dd/mm/yyyy"})
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": "#12355B"})
        self.bold = wb.add_format({"bold": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.warn = wb.add_format({"bold": True, "font_color": "#B23A2E"})


def _excel_value(x: Any) -> Any:
    if isinstance(x, dt.datetime):
        if x.tzinfo is not None:
            x = x.astimezone(VN_TZ).replace(tzinfo=None)
        return x
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def _format_for(col: str, dtype: pl.DataType, f: _Formats) -> Any:
    if col.endswith("_rate"):
        return f.pct
    if dtype.is_integer():
        return f.int
    if col.startswith("score") or "hours" in col or col == "days_overdue":
        return f.num1
    if dtype.is_float():
        return f.num2
    if isinstance(dtype, pl.Datetime):
        return f.dt
    if dtype == pl.Date:
        return f.date
    return None


def write_frame(wb: xlsxwriter.Workbook, f: _Formats, name: str, frame: pl.DataFrame,
                note: str | None = None, labels: dict[str, tuple[str, str]] | None = None) -> None:
    ws = wb.add_worksheet(name)
    cols = frame.columns
    for j, c in enumerate(cols):
        vi, en = (labels or {}).get(c) or column_label(c)
        if c.endswith("_at") and isinstance(frame.schema[c], pl.Datetime):
            vi, en = vi + " (giờ VN)", en + " (Vietnam time)"
        ws.write(0, j, vi, f.header)
        ws.write(1, j, en, f.header_en)
        width = max(len(vi), len(en), 10)
        if c in ("unit_name", "name_vi", "name_en", "category_vi", "category_en", "title", "name", "bulletin_vi"):
            width = 38
        ws.set_column(j, j, min(width + 2, 45), _format_for(c, frame.schema[c], f))
    coded = {j for j, c in enumerate(cols) if c in VALUE_LABELS and frame.schema[c] == pl.Utf8}
    for i, row in enumerate(frame.iter_rows(), start=HEADER_ROWS):
        for j, x in enumerate(row):
            x = _excel_value(x)
            if j in coded and x is not None:  # codes (Severe, open, …) in words, as on the screens
                x = value_label(cols[j], x)
            if x is None:
                ws.write_blank(i, j, None)
            elif isinstance(x, dt.datetime):
                ws.write_datetime(i, j, x, f.dt)
            elif isinstance(x, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(x, dt.time()), f.date)
            else:
                ws.write(i, j, x)
    ws.freeze_panes(HEADER_ROWS, 0)
    if cols:
        ws.autofilter(1, 0, max(1, frame.height + 1), len(cols) - 1)
    if note:
        ws.write(frame.height + HEADER_ROWS + 1, 0, note, f.wrap)


def _headline_frame(data: ReportData) -> pl.DataFrame:
    cur, prev, ago = (data.headline[k] for k in ("current", "previous", "year_ago"))
    rows = [{"kpi": k.key, "name_vi": k.vi, "name_en": k.en,
             "current": cur.get(k.key), "previous": prev.get(k.key), "year_ago": ago.get(k.key)}
            for k in KPIS]
    return pl.DataFrame(rows, schema={"kpi": pl.Utf8, "name_vi": pl.Utf8, "name_en": pl.Utf8,
                                      "current": pl.Float64, "previous": pl.Float64, "year_ago": pl.Float64})


def render_xlsx(data: ReportData) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.set_properties({"title": f"Báo cáo phản ánh hiện trường {data.period.label}", "author": ISSUER_VI,
                       "company": ISSUER_EN, "created": data.moment.replace(tzinfo=None)})
    f = _Formats(wb)

    # info
    ws = wb.add_worksheet(SHEETS["info"])
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 90)
    ws.write(0, 0, "Báo cáo kết quả xử lý phản ánh hiện trường", f.title)
    ws.write(1, 0, "Citizen field reports — leadership report")
    prov = provenance_json(data)
    info = [
        ("Kỳ báo cáo / period", f"{data.period.label_vi} · {data.period.label_en} "
                                f"({data.period.start.isoformat()} – {data.period.end.isoformat()})"),
        ("Đơn vị / unit", f"{data.unit['name']} ({data.unit['unit_id']})" if data.unit else "Toàn tỉnh / whole city"),
        ("Dữ liệu đến / data up to", f"{fmt.datetime(data.reference_time)} (giờ Việt Nam) · "
                                      f"{stamp(data.reference_time)}"),
        ("Đọc kho dữ liệu tại / lake read as of (UTC)", stamp(data.moment)),
        ("Lập lúc / generated at (UTC)", stamp(data.generated_at)),
        ("Nguồn phản ánh / report sources", ", ".join(f"{k}: {v}" for k, v in data.sources.items())),
        ("Lệnh tái lập / rebuild command", prov["command"]),
    ]
    for i, (k, v) in enumerate(info, start=3):
        ws.write(i, 0, k, f.bold)
        ws.write(i, 1, v)
    if data.simulated:
        ws.write(len(info) + 4, 0, "Dữ liệu mô phỏng (source = simulated), không phải số liệu thật. "
                                   "Simulated data, not real operations.", f.warn)

    head = _headline_frame(data)
    write_frame(wb, f, SHEETS["headline"], head, labels={
        "kpi": ("Mã chỉ tiêu", "KPI key"), "name_vi": ("Chỉ tiêu", "Figure (Vietnamese)"),
        "name_en": ("Chỉ tiêu (tiếng Anh)", "Figure")})
    ws = wb.get_worksheet_by_name(SHEETS["headline"])
    for i, k in enumerate(KPIS, start=HEADER_ROWS):  # rates as %, counts as whole numbers
        for j, col in enumerate(("current", "previous", "year_ago"), start=3):
            x = head[col][i - HEADER_ROWS]
            if x is not None:
                ws.write_number(i, j, x, f.pct if k.kind == "rate" else f.int)
    for j, (vi, en) in enumerate((("Kỳ này", "This period"), ("Kỳ trước", "Previous period"),
                                  ("Cùng kỳ năm trước", "Same period last year")), start=3):
        ws.write(0, j, vi, f.header)
        ws.write(1, j, en, f.header_en)

    write_frame(wb, f, SHEETS["ranking"], data.ranking)
    write_frame(wb, f, SHEETS["best"], data.best)
    write_frame(wb, f, SHEETS["worst"], data.worst)
    write_frame(wb, f, SHEETS["overdue"], data.overdue)
    write_frame(wb, f, SHEETS["trend"], data.trend)
    write_frame(wb, f, SHEETS["categories"], data.categories)
    write_frame(wb, f, SHEETS["unit_types"], data.unit_types)
    v = data.violations
    if v.frame is not None:
        write_frame(wb, f, SHEETS["violations"], v.frame, note=f"{v.note_vi} {v.note_en}")
    else:
        ws = wb.add_worksheet(SHEETS["violations"])
        ws.write(0, 0, v.note_vi)
        ws.write(1, 0, v.note_en)
    for s in data.disasters:
        name = f"Thiên tai - {s.key}"[:31]
        if s.frame is not None:
            write_frame(wb, f, name, s.frame, note=f"{s.note_vi} {s.note_en}".strip() or None)
        else:
            ws = wb.add_worksheet(name)
            ws.write(0, 0, s.note_vi)
            ws.write(1, 0, s.note_en)

    defs = pl.DataFrame(definitions()).select("name_vi", "name_en", "vi", "en")
    ws = wb.add_worksheet(SHEETS["definitions"])
    for j, (c, w) in enumerate(zip(defs.columns, (28, 28, 80, 80), strict=True)):
        ws.set_column(j, j, w, f.wrap)
        ws.write(0, j, {"name_vi": "Chỉ tiêu", "name_en": "Figure", "vi": "Cách tính", "en": "How computed"}[c],
                 f.header)
    for i, row in enumerate(defs.iter_rows(), start=1):
        for j, x in enumerate(row):
            ws.write(i, j, x, f.wrap)

    versions = pl.DataFrame({"table": list(data.versions), "version": list(data.versions.values())},
                            schema={"table": pl.Utf8, "version": pl.Int64})
    write_frame(wb, f, SHEETS["versions"], versions,
                note=f"as_of = {stamp(data.moment)} · {prov['command']}")
    wb.close()
    return buf.getvalue()
