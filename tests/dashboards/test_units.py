"""Hiệu quả đơn vị against gold.unit_performance: ranking, unit-type filter, export = table, drill-down."""

from __future__ import annotations

import io

import openpyxl
import polars as pl

from core import fmt
from dashboards.export import to_csv_bytes, to_xlsx_bytes
from lake import Lake
from tests.dashboards.conftest import first_day, last_day, no_errors, table_with


def _expected(lake: Lake, unit_type: str | None = None) -> pl.DataFrame:
    """Units of the whole period from gold, summed and ordered like the page (independent of its SQL)."""
    lo, hi = first_day(lake), last_day(lake)
    up = lake.read("gold.unit_performance").filter(
        pl.col("month").is_between(pl.lit(lo.strftime("%Y-%m")), pl.lit(hi.strftime("%Y-%m"))))
    if unit_type:
        up = up.filter(pl.col("unit_type") == unit_type)
    return (up.group_by("unit_id").agg(
        pl.col("unit_name").first(), pl.col("received").sum(), pl.col("on_time").sum(),
        ((pl.col("score") * pl.col("received")).sum() / pl.col("received").sum()).alias("score"))
        .with_columns(pl.col("score").round(6).alias("order"))
        .sort(["order", "received", "unit_id"], descending=[True, True, False], nulls_last=True))


def test_ranking_matches_gold_and_exports_the_table(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/units.py").run()
    no_errors(at)
    table = table_with(at, "Hạng", "Điểm")
    want = _expected(reports_lake)
    assert len(table) == want.height == reports_lake.sql(
        "SELECT count(DISTINCT unit_id) n FROM gold.unit_performance")["n"][0]
    assert table["Đơn vị"].tolist() == want["unit_name"].to_list()
    assert table["Tiếp nhận"].tolist() == [fmt.num(v) for v in want["received"]]
    assert table["Điểm"].tolist() == [fmt.num(v, 1) for v in want["score"]]
    # the score's parts add up to the score (explainable)
    out: pl.DataFrame = at.session_state["units_export"]
    parts = out.select(pl.sum_horizontal("Điểm đúng hạn", "Điểm hài lòng", "Điểm xử lý", "Điểm tốc độ"))
    assert (parts.to_series() - out["Điểm"]).abs().max() < 1e-6
    # CSV and XLSX hold exactly the rows and columns on screen
    csv = pl.read_csv(io.BytesIO(to_csv_bytes(out)))
    assert csv.height == len(table) and csv.columns == list(table.columns)
    assert csv["Đơn vị"].to_list() == table["Đơn vị"].tolist()
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(out))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(table.columns) and len(rows) - 1 == len(table)
    assert [r[1] for r in rows[1:]] == table["Đơn vị"].tolist()
    assert at.get("download_button")  # both buttons rendered


def test_unit_type_filter_and_drill_down(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/units.py").run()
    at.segmented_control(key="unit_types").set_value(["enterprise"]).run()
    no_errors(at)
    table = table_with(at, "Hạng", "Điểm")
    want = _expected(reports_lake, "enterprise")
    assert len(table) == want.height > 0
    assert set(table["Loại"]) == {"Tổ chức, doanh nghiệp"}

    # drill into the busiest enterprise: its transfers come from silver.report_events
    busiest = want.sort("received", descending=True)["unit_id"][0]
    at.selectbox(key="unit_pick").set_value(busiest).run()
    no_errors(at)
    outs = reports_lake.sql("""SELECT count(*) n FROM silver.report_events
        WHERE event_type = 'transferred' AND unit_id = $u AND to_unit_id IS NOT NULL""", {"u": busiest})["n"][0]
    if outs:
        assert sum(int(x.replace(".", "")) for x in table_with(at, "Đến đơn vị")["Số lần chuyển"]) == outs
    opened = reports_lake.sql("""SELECT count(*) n FROM silver.reports WHERE current_unit_id = $u AND is_valid
        AND resolved_at IS NULL""", {"u": busiest})["n"][0]
    if opened:
        assert len(table_with(at, "Hạn xử lý")) == min(opened, 500)


def test_area_filter_maps_units_to_2025_communes(reports_lake: Lake, make_app) -> None:
    """Units carry pre-2025 codes; the sidebar's 2025 communes reach them through successor codes."""
    unit = reports_lake.sql("""SELECT u.unit_id, u.name, a.successor_code || '@2025' area
        FROM silver.units u JOIN silver.admin_units a ON a.code = u.admin_unit_code
        WHERE a.level = 'commune' AND a.successor_code IS NOT NULL
          AND u.unit_id IN (SELECT unit_id FROM gold.unit_performance)
        ORDER BY u.unit_id LIMIT 1""").row(0, named=True)
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/units.py").run()
    everyone = len(table_with(at, "Hạng", "Điểm"))
    at.multiselect(key="areas").set_value([unit["area"]]).run()
    no_errors(at)
    shown = table_with(at, "Hạng", "Điểm")
    assert 0 < len(shown) < everyone
    assert unit["name"] in shown["Đơn vị"].tolist()
    city_wide = reports_lake.sql("""SELECT name FROM silver.units WHERE admin_unit_code IS NULL
        AND unit_id IN (SELECT unit_id FROM gold.unit_performance) LIMIT 1""")["name"]
    if city_wide.len():
        assert city_wide[0] not in shown["Đơn vị"].tolist()
