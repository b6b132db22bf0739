"""Defects seen in the browser (issue 13, point 7), each pinned by a test that fails when it comes back."""

from __future__ import annotations

import io
import json

import openpyxl
import polars as pl
import xlsxwriter

from core import fmt
from dashboards.export import to_csv_bytes, to_xlsx_bytes
from lake import Lake
from publications.xlsx import HEADER_ROWS, _Formats, write_frame
from tests.dashboards.conftest import first_day, last_day, no_errors
from tests.dashboards.test_review import DAY, review_lake  # noqa: F401 - the hand-made camera lake

FRAME = pl.DataFrame({"Đơn vị": ["Phường A", "Xã B"], "Tiếp nhận": [1200, 9], "Điểm": [71.23456, 9.06],
                      "Tỷ lệ đúng hạn": [0.85671, 1.0]})


def test_csv_export_has_percentages_and_rounded_decimals() -> None:
    text = to_csv_bytes(FRAME, ["Tỷ lệ đúng hạn"]).decode("utf-8-sig")
    assert text.splitlines() == ["Đơn vị,Tiếp nhận,Điểm,Tỷ lệ đúng hạn (%)",
                                 "Phường A,1200,71.2,85.7", "Xã B,9,9.1,100.0"]


def test_xlsx_export_has_percent_and_number_formats() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(FRAME, "don_vi", ["Tỷ lệ đúng hạn"]))).active
    rate, count, score = sheet["D2"], sheet["B2"], sheet["C2"]
    assert rate.value == 0.85671 and rate.number_format == "0.0%"
    assert count.value == 1200 and count.number_format == "#,##0"
    assert score.number_format == "#,##0.0"


def test_xlsx_report_writes_severity_in_vietnamese() -> None:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    write_frame(wb, _Formats(wb), "w", pl.DataFrame({"event": ["Lũ", "Lũ"], "severity": ["Severe", "Extreme"]}))
    wb.close()
    rows = list(openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[HEADER_ROWS:]] == ["Nghiêm trọng", "Cực kỳ nghiêm trọng"]


def _violations_page(make_app, lake: Lake, lang_en: bool = False):
    at = make_app(lake).run()
    at.selectbox(key="period_preset").set_value("custom").run()
    at.date_input(key="period_custom").set_value((DAY, DAY)).run()
    at.switch_page("app_pages/violations.py").run()
    no_errors(at)
    return at


def test_chart_numbers_use_vietnamese_separators(review_lake: Lake, make_app) -> None:  # noqa: F811
    at = _violations_page(make_app, review_lake)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert specs
    for spec in specs:
        assert spec["config"]["locale"]["number"]["thousands"] == "."
        assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_screens_name_no_lake_table(review_lake: Lake, make_app) -> None:  # noqa: F811
    at = _violations_page(make_app, review_lake)  # no traffic counts in this lake: an empty state
    shown = " ".join(e.value for e in [*at.info, *at.caption, *at.markdown])
    assert "lưu lượng giao thông" in shown
    assert "silver." not in shown and "gold." not in shown


def test_reports_map_says_how_many_reports_it_cannot_place(reports_lake: Lake, make_app) -> None:
    lo, hi = first_day(reports_lake), last_day(reports_lake)
    unlocated = reports_lake.sql("""SELECT count(*) FROM silver.reports WHERE is_valid
        AND (lat IS NULL OR lon IS NULL)
        AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $lo AND $hi""",
                                 {"lo": lo, "hi": hi}).item()
    assert unlocated > 0  # the simulator, like Hue-S, has reports sent without a position
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/reports_map.py").run()
    no_errors(at)
    captions = [c.value for c in at.caption]
    assert f"Thêm {fmt.num(unlocated)} phản ánh không có tọa độ nên không hiện trên bản đồ (vẫn được tính trong " \
           "các chỉ tiêu)." in captions
