"""Render a report to PDF with typst: the data become JSON (numbers formatted the Vietnamese way here),
the layout lives in templates/report.typ."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import matplotlib
import polars as pl
import typst

from core import fmt
from core.labels import (
    CARD_KEYS,
    CARD_LABELS,
    KPI_BY_KEY,
    KPIS,
    UNIT_TYPES,
    UNIT_TYPES_SHORT,
    column_label,
    definitions,
    pick,
    value_label,
)
from publications.provenance import stamp
from publications.report_data import ReportData

TEMPLATE = Path(__file__).parent / "templates" / "report.typ"
# The report's font is DejaVu Sans (full Vietnamese coverage) from matplotlib's package data, and the
# machine's own fonts are ignored: the PDF comes out the same on a bare machine as in CI.
FONTS = {"font_paths": [str(Path(matplotlib.get_data_path()) / "fonts" / "ttf")], "ignore_system_fonts": True}
ISSUER_VI = "Trung tâm Giám sát, điều hành đô thị thông minh Huế (IOC)"
ISSUER_EN = "Huế Intelligent Operations Center"
OVERDUE_ROWS_PER_UNIT = 8
UNIT_OVERDUE_ROWS = 60


def _unit_type(t: str | None) -> tuple[str, str]:
    return UNIT_TYPES.get(t or "", (t or fmt.DASH, t or fmt.DASH))


def _value(kind: str, x: Any) -> str:
    return fmt.pct(x) if kind == "rate" else fmt.num(x)


def _delta(kind: str, cur: Any, prev: Any) -> str:
    return fmt.change_points(cur, prev) if kind == "rate" else fmt.change_count(cur, prev)


def _tone(better: str, cur: Any, prev: Any) -> str:
    if cur is None or prev is None or better == "neutral" or cur == prev:
        return "flat"
    rising = cur > prev
    return "up" if rising == (better == "up") else "down"


def _arrow(cur: Any, prev: Any) -> str:
    if cur is None or prev is None or cur == prev:
        return ""
    return "▲ " if cur > prev else "▼ "


def _cell(col: str, x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return fmt.DASH
    if col.endswith("_rate"):
        return fmt.pct(x)
    if col.startswith("score"):
        return fmt.num(x, 1)
    if col == "unit_type":
        return pick(UNIT_TYPES_SHORT[x]) if x in UNIT_TYPES_SHORT else x
    if isinstance(x, str):
        return value_label(col, x)
    if col in ("days_overdue", "peak_level_m") or "hours" in col:
        return fmt.num(x, 1 if col != "peak_level_m" else 2)
    if isinstance(x, dt.datetime):
        return fmt.datetime(x)
    if isinstance(x, dt.date):
        return fmt.date(x)
    if isinstance(x, bool):
        return "có" if x else "không"
    if isinstance(x, int):
        return fmt.num(x)
    if isinstance(x, float):
        return fmt.num(x, 2)
    return str(x)


GROW = {"unit_name", "name", "name_vi", "category_vi", "title", "bulletin_vi", "event", "table"}
WIDTH_CM = {"fines_vnd": 2.2, "rank": 0.85, "unit_type": 1.8, "received_at": 2.2, "deadline_at": 2.2, "resolved_at": 2.2,
            "extended_deadline_at": 2.2, "report_id": 2.6, "overdue_kind": 2.4, "status": 1.6,
            "peak_at": 2.3, "direction": 1.6, "severity": 1.6, "station_code": 1.6, "unit_id": 1.8}
RIGHT = {"rank", "score", "received", "processed", "on_time", "overdue", "open_overdue", "rated", "satisfied",
         "days_overdue", "warnings", "cancelled", "readings", "peak_level_m", "max_alarm_level", "requests",
         "people", "calls", "seconds", "version", "units", "late_with_extension", "invalid", "detected",
         "confirmed", "dismissed", "pending", "plates_read", "fines_vnd", "cameras"}


def table(frame: pl.DataFrame, cols: list[str], labels: dict[str, tuple[str, str]] | None = None,
          fixed: bool = True) -> dict:
    """A frame as the template's table: bilingual headers and formatted cells (``fixed``: numeric columns
    get a fixed width, for wide tables; otherwise every column takes its natural width)."""
    labels = labels or {}
    columns = []
    for c in cols:
        vi, en = labels.get(c) or column_label(c)
        right = c in RIGHT or c.endswith("_rate") or c.startswith("score") or "hours" in c
        width = WIDTH_CM.get(c, (1.35 if c.endswith("_rate") else 1.1) if right else None) if fixed else None
        columns.append({"vi": vi, "en": en, "align": "right" if right else "left", "grow": c in GROW,
                        "width_cm": None if c in GROW else width})
    rows = [[_cell(c, r.get(c)) for c in cols] for r in frame.iter_rows(named=True)]
    return {"columns": columns, "rows": rows}


def headline_json(data: ReportData) -> dict:
    cur, prev, ago = (data.headline[k] for k in ("current", "previous", "year_ago"))
    cards = []
    for key in CARD_KEYS:
        k = KPI_BY_KEY[key]
        label_vi, label_en = CARD_LABELS.get(key, (k.vi, k.en))
        cards.append({
            "label_vi": label_vi, "label_en": label_en, "value": _value(k.kind, cur.get(key)),
            "prev_delta": _arrow(cur.get(key), prev.get(key)) + _delta(k.kind, cur.get(key), prev.get(key)),
            "prev_tone": _tone(k.better, cur.get(key), prev.get(key)),
            "yoy_delta": _arrow(cur.get(key), ago.get(key)) + _delta(k.kind, cur.get(key), ago.get(key)),
            "yoy_tone": _tone(k.better, cur.get(key), ago.get(key)),
        })
    p = data.period
    rows = []
    for k in KPIS:
        if cur.get(k.key) is None and prev.get(k.key) is None:
            continue  # e.g. invalid reports and network size are not per-unit figures
        rows.append([f"{k.vi} / {k.en}", _value(k.kind, cur.get(k.key)), _value(k.kind, prev.get(k.key)),
                     _delta(k.kind, cur.get(k.key), prev.get(k.key)), _value(k.kind, ago.get(k.key)),
                     _delta(k.kind, cur.get(k.key), ago.get(k.key))])
    columns = [
        {"vi": "Chỉ tiêu", "en": "Figure", "align": "left"},
        {"vi": p.label_vi, "en": "this period", "align": "right"},
        {"vi": p.previous().label_vi, "en": "previous", "align": "right"},
        {"vi": "Thay đổi", "en": "change", "align": "right"},
        {"vi": p.same_period_last_year().label_vi, "en": "last year", "align": "right"},
        {"vi": "Thay đổi", "en": "change", "align": "right"},
    ]
    if data.unit:
        note = ("Số liệu của đơn vị lấy từ bảng chỉ tiêu hằng ngày (theo ngày tiếp nhận, giờ Việt Nam), như bảng "
                "xếp hạng. Unit figures come from the daily KPI table (by receipt date, Vietnam time), as the ranking.")
    else:
        note = ("Số liệu toàn tỉnh lấy từ bảng chỉ tiêu hằng ngày (theo ngày tiếp nhận, giờ Việt Nam). "
                "Province figures come from the daily KPI table (by receipt date, Vietnam time).")
    return {"cards": cards, "table": {"columns": columns, "rows": rows}, "note": note}


def charts_json(data: ReportData) -> dict:
    months = data.trend.to_dicts()
    last = data.period.months
    trend_received = [{"label": r["month"][5:] + "/" + r["month"][2:4], "value": float(r["received"] or 0),
                       "text": fmt.num(r["received"]), "highlight": r["month"] in last} for r in months]
    trend_on_time = [{"label": r["month"][5:] + "/" + r["month"][2:4], "value": r["on_time_rate"],
                      "text": fmt.pct(r["on_time_rate"], 0)} for r in months]
    cats = []
    for r in data.categories.head(15).iter_rows(named=True):
        cats.append({"label": r.get("name_vi") or r["category_code"], "value": float(r["received"] or 0),
                     "text": f"{fmt.num(r['received'])} · đúng hạn {fmt.pct(r['on_time_rate'], 0)}"})
    types = []
    for r in data.unit_types.iter_rows(named=True):
        vi, _ = _unit_type(r["unit_type"])
        types.append({"label": f"{vi} ({fmt.num(r['units'])} đơn vị)", "value": r["on_time_rate"] or 0.0,
                      "text": f"{fmt.pct(r['on_time_rate'])} · {fmt.num(r['processed'])} đã xử lý"})
    return {"trend_received": trend_received, "trend_on_time": trend_on_time, "categories": cats,
            "unit_types": types}


# received, processed and on time are printed as counts so that the ranking can be checked against the
# headline (its totals equal it) and against the screen and the XLSX
RANK_COLS = ["rank", "unit_name", "unit_type", "received", "processed", "on_time", "on_time_rate",
             "satisfaction_rate", "score", "score_on_time", "score_satisfaction", "score_processed", "score_speed"]
KIND_EN = {"month": "monthly", "quarter": "quarterly", "year": "yearly", "range": "period"}
TOP_COLS = ["rank", "unit_name", "score", "score_on_time", "score_satisfaction", "score_processed", "score_speed",
            "received", "strict_on_time_rate", "overdue", "open_overdue"]
OVERDUE_COLS = ["report_id", "category_vi", "received_at", "deadline_at", "resolved_at", "overdue_kind",
                "days_overdue"]


def ranking_json(data: ReportData) -> dict:
    frame = data.ranking
    if data.unit:
        frame = frame.with_columns(
            pl.when(pl.col("unit_id") == data.unit["unit_id"]).then("► " + pl.col("unit_name"))
            .otherwise(pl.col("unit_name")).alias("unit_name"))
    ranked = frame.filter(pl.col("rank").is_not_null())
    idle = frame.filter(pl.col("rank").is_null())
    n, unranked = ranked.height, idle.height
    note = (f"{fmt.num(n)} đơn vị được xếp hạng theo điểm (cao xuống thấp)"
            + (f"; {fmt.num(unranked)} đơn vị không có phản ánh trong kỳ được liệt kê sau bảng, "
               "không xếp hạng" if unranked else "")
            + ". Điểm là tổng của bốn phần bên cạnh. "
            + f"{n} units ranked by score; the four parts beside it add up to the score"
            + (f"; the {unranked} units without reports in the period are listed after the table, unranked."
               if unranked else "."))
    # units without reports take one paragraph, not a page of empty rows
    idle_names = "; ".join(sorted(idle["unit_name"].to_list(), key=str.casefold))
    return {"table": table(ranked, RANK_COLS), "note": note,
            "idle": {"count": fmt.num(unranked), "names": idle_names} if unranked else None}


def top_json(data: ReportData) -> tuple[dict, dict, dict | None]:
    od = data.overdue
    best = table(data.best, TOP_COLS)
    worst = table(data.worst, TOP_COLS)
    worst_od = (od.join(data.worst.select("unit_id", "rank", "unit_name"), on="unit_id", how="inner")
                .sort(["rank", "days_overdue"], descending=[True, True]))
    shown = worst_od.group_by("unit_id", maintain_order=True).head(OVERDUE_ROWS_PER_UNIT)
    best_ids = data.best["unit_id"].to_list()
    best_od = od.filter(pl.col("unit_id").is_in(best_ids)).join(
        data.best.select("unit_id", "unit_name"), on="unit_id", how="left")
    best_json = {"table": best, "overdue": table(best_od, ["unit_name", *OVERDUE_COLS]),
                 "overdue_total": best_od.height}
    worst_json = {"table": worst, "overdue": table(shown, ["rank", "unit_name", *OVERDUE_COLS]),
                  "overdue_total": worst_od.height, "overdue_more": worst_od.height - shown.height}
    unit_json = None
    if data.unit:
        me = data.ranking.filter(pl.col("unit_id") == data.unit["unit_id"])
        unit_json = {
            "row": table(me, TOP_COLS),
            "overdue": table(od.head(UNIT_OVERDUE_ROWS), OVERDUE_COLS),
            "overdue_count": fmt.num(od.height),
            "overdue_more": max(od.height - UNIT_OVERDUE_ROWS, 0),
            "rank": _cell("rank", me["rank"][0]) if me.height else fmt.DASH,
            "ranked": fmt.num(data.ranking.filter(pl.col("rank").is_not_null()).height),
        }
    return best_json, worst_json, unit_json


def sections_json(data: ReportData) -> tuple[dict, dict]:
    v = data.violations
    violations = {"available": v.available, "note": f"{v.note_vi} {v.note_en}".strip(),
                  "table": table(v.frame, list(v.frame.columns), fixed=False) if v.frame is not None else None}
    tables = []
    for s in data.disasters:
        entry = {"title_vi": s.title_vi, "title_en": s.title_en, "available": s.available,
                 "note": f"{s.note_vi} {s.note_en}".strip(),
                 "table": table(s.frame, list(s.frame.columns), fixed=False) if s.frame is not None and s.frame.height else None}
        tables.append(entry)
    any_loaded = any(s.available for s in data.disasters)
    disasters = {"available": any_loaded, "tables": tables,
                 "note": "" if any_loaded else "Chưa nạp dữ liệu thiên tai, cảnh báo, cứu hộ. "
                                              "No disaster, warning or SOS data was loaded."}
    return violations, disasters


def provenance_json(data: ReportData) -> dict:
    rows = [[name, fmt.DASH if ver is None else str(ver)] for name, ver in data.versions.items()]
    moment = stamp(data.moment)
    unit = f" --unit {data.unit['unit_id']}" if data.unit else ""
    sources = ", ".join(f"{k}: {fmt.num(v)}" for k, v in data.sources.items()) or fmt.DASH
    return {
        "note_vi": f"Báo cáo được lập từ kho dữ liệu tại thời điểm {fmt.datetime(data.moment)} (giờ Việt Nam), "
                   f"với các phiên bản bảng dưới đây. Lập lại với cùng --as-of cho cùng số liệu, kể cả khi đã có "
                   f"dữ liệu mới. Phản ánh quá hạn đang mở được tính tại {fmt.datetime(data.reference_time)}. "
                   f"Nguồn phản ánh: {sources}.",
        "note_en": f"Built from the lake as of {moment} with the table versions below; rebuilding with the same "
                   f"--as-of gives the same numbers even after new data arrived. Open overdue judged at "
                   f"{stamp(data.reference_time)}. Report sources: {sources}.",
        "table": {"columns": [{"vi": "Bảng dữ liệu", "en": "Lake table", "align": "left"},
                              {"vi": "Phiên bản", "en": "Delta version", "align": "right"}], "rows": rows},
        "command": f"hue-ioc report --period {data.period.label}{unit} --as-of {moment} --format pdf --out report.pdf",
    }


def to_json(data: ReportData) -> dict:
    p = data.period
    unit = None
    if data.unit:
        vi, en = _unit_type(data.unit.get("unit_type"))
        unit = {"unit_id": data.unit["unit_id"], "name": data.unit["name"], "type_vi": vi, "type_en": en}
    title_vi = "Báo cáo kết quả xử lý phản ánh hiện trường"
    title_en = ("Citizen field reports — " + KIND_EN[p.kind] + " report"
                + (" for a handling unit" if unit else " for leaders"))
    best, worst, unit_part = top_json(data)
    violations, disasters = sections_json(data)
    return {
        "meta": {
            "title_vi": title_vi, "title_en": title_en, "issuer_vi": ISSUER_VI, "issuer_en": ISSUER_EN,
            "issuer_short": "IOC Huế", "period_vi": p.label_vi, "period_en": p.label_en, "period": p.label,
            "start": p.start.isoformat(), "end": p.end.isoformat(), "start_vi": fmt.date(p.start),
            "end_vi": fmt.date(p.end), "previous_vi": p.previous().label_vi,
            "year_ago_vi": p.same_period_last_year().label_vi,
            "unit": unit, "simulated": data.simulated,
            # the newest event the data reflect (the gold tables' stamp), never the build time
            "as_of_vi": f"Dữ liệu đến {fmt.datetime(data.reference_time)} · data up to "
                        f"{stamp(data.reference_time)}",
        },
        "headline": headline_json(data),
        "charts": charts_json(data),
        "ranking": ranking_json(data),
        "best": best,
        "worst": worst,
        "unit_part": unit_part,
        "violations": violations,
        "disasters": disasters,
        "definitions": definitions(),
        "provenance": provenance_json(data),
    }


def render_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes (deterministic for the same data: the PDF's date is the data moment)."""
    payload = json.dumps(to_json(data), ensure_ascii=False, default=str)
    out = typst.compile(str(TEMPLATE), sys_inputs={"data": payload},
                        timestamp=int(data.moment.timestamp()), **FONTS)
    assert isinstance(out, bytes)
    return out

