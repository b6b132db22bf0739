"""Hiệu quả đơn vị against gold.unit_performance: ranking, unit-type filter, export = table, drill-down."""

from __future__ import annotations

import io

import openpyxl
import polars as pl

from dashboards.export import to_csv_bytes, to_xlsx_bytes
from lake import Lake
from tests.dashboards.conftest import last_day, no_errors, table_with


def _expected(lake: Lake, unit_type: str | None = None) -> pl.DataFrame:
    """Received and on-time reports per handling unit over all the data, in plain SQL over silver
    (independent of gold and of the ranking view), with every unit in the network on the data's last day (idle
    ones at 0; units of a later era, or of an earlier one gone by then, are not in it)."""
    return lake.sql("""
        SELECT u.unit_id, u.name AS unit_name, count(r.report_id) AS received,
               count(*) FILTER (WHERE r.on_time) AS on_time
        FROM silver.units u LEFT JOIN silver.reports r ON r.current_unit_id = u.unit_id AND r.is_valid
        WHERE $type IS NULL OR u.unit_type = $type
        GROUP BY ALL
        HAVING count(r.report_id) > 0
            OR (coalesce(any_value(u.joined_on) <= $end, TRUE) AND coalesce(any_value(u.valid_to) >= $end, TRUE))""",
                    {"type": unit_type, "end": last_day(lake)})


def test_ranking_matches_gold_and_exports_the_table(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/units.py").run()
    no_errors(at)
    table = table_with(at, "Hạng", "Điểm")
    want = _expected(reports_lake)
    got = dict(zip(table["Đơn vị"], table["Tiếp nhận"], strict=True))
    assert len(table) == want.height  # every unit, idle ones included (unranked, last)
    assert got == {r["unit_name"]: r["received"] for r in want.iter_rows(named=True)}
    assert table["Tiếp nhận"].dtype.kind in "iu"  # numbers stay numbers: the column sorts 9 < 92
    out: pl.DataFrame = at.session_state["units_export"]
    # ranked by score, best first; units without reports follow without rank or score
    ranked = out.filter(pl.col("Hạng").is_not_null())
    assert ranked["Hạng"].to_list() == list(range(1, ranked.height + 1))
    assert ranked["Điểm"].is_sorted(descending=True)
    assert ranked.height == want.filter(pl.col("received") > 0).height
    assert out.filter(pl.col("Hạng").is_null())["Tiếp nhận"].sum() == 0
    # the score's parts add up to the score (explainable)
    parts = ranked.select(pl.sum_horizontal("Điểm đúng hạn", "Điểm hài lòng", "Điểm xử lý", "Điểm tốc độ"))
    assert (parts.to_series() - ranked["Điểm"]).abs().max() < 1e-6
    # CSV and XLSX hold exactly the rows and columns on screen
    rates = ["Tỷ lệ xử lý", "Tỷ lệ đúng hạn", "Tỷ lệ hài lòng"]
    csv = pl.read_csv(io.BytesIO(to_csv_bytes(out, rates)))
    assert csv.height == len(table)
    assert csv.columns == [c + " (%)" if c in rates else c for c in table.columns]
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
    busiest = want.sort(["received", "unit_id"], descending=[True, False])["unit_id"][0]
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


def test_area_filter_ranks_the_units_that_handled_the_area(reports_lake: Lake, make_app) -> None:
    """With an area picked, the ranking holds the units that handled reports from its 2025 communes,
    and its received column adds up to the area's reports (plain SQL over silver)."""
    area = reports_lake.sql("""SELECT admin_unit_code_2025 a FROM silver.reports WHERE is_valid
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""")["a"][0]
    want = reports_lake.sql("""SELECT u.name, count(*) n FROM silver.reports r
        JOIN silver.units u ON u.unit_id = r.current_unit_id
        WHERE r.is_valid AND r.admin_unit_code_2025 = $a GROUP BY 1""", {"a": area})
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.switch_page("app_pages/units.py").run()
    everyone = len(table_with(at, "Hạng", "Điểm"))
    at.multiselect(key="areas").set_value([area]).run()
    no_errors(at)
    shown = table_with(at, "Hạng", "Điểm")
    assert 0 < len(shown) < everyone
    assert dict(zip(shown["Đơn vị"], shown["Tiếp nhận"], strict=True)) == {
        r["name"]: r["n"] for r in want.iter_rows(named=True)}  # numbers, not texts: they sort
