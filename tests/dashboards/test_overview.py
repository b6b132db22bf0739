"""Tổng quan against the lake: headline figures, filters, language switch, empty states."""

from __future__ import annotations

import datetime as dt

from core import fmt
from lake import Lake
from tests.dashboards.conftest import PAGES, first_day, last_day, metrics, no_errors
from views.headline import headline


def _valid_received(lake: Lake, start: dt.date, end: dt.date, areas: list[str] | None = None) -> int:
    """Valid reports received in [start, end] (Vietnam dates), counted from silver, not gold."""
    return int(lake.sql("""
        SELECT count(*) n FROM silver.reports
        WHERE is_valid AND CAST(timezone('Asia/Ho_Chi_Minh', received_at) AS DATE) BETWEEN $s AND $e
          AND ($no OR list_contains($a::VARCHAR[], admin_unit_code_2025))""",
        {"s": start, "e": end, "no": not areas, "a": areas or []})["n"][0])


def test_headline_matches_lake_default_period(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    no_errors(at)
    # the default period is the last complete month of the data (by hand: the data end mid-month)
    last = last_day(reports_lake)
    assert (last + dt.timedelta(days=1)).month == last.month
    end = last.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    h = headline(reports_lake, start=start, end=end)
    m = metrics(at)
    assert m["Tiếp nhận"] == fmt.num(h["received"]) == fmt.num(_valid_received(reports_lake, start, end))
    assert m["Đã xử lý"] == fmt.num(h["processed"])
    assert m["Đúng hạn"] == fmt.pct(h["on_time_rate"])
    assert m["Trễ hạn có gia hạn"] == fmt.pct(h["late_with_extension_rate"])
    assert m["Hài lòng"] == fmt.pct(h["satisfaction_rate"])
    assert m["Quá hạn chưa xử lý"] == fmt.num(h["open_overdue"])
    assert f"Từ {fmt.date(start)} đến {fmt.date(end)}" in [c.value for c in at.caption]
    # "Dữ liệu đến": the newest report event of the lake (plain SQL), never the clock
    newest = reports_lake.sql("SELECT greatest(max(updated_at), max(received_at)) FROM silver.reports").item()
    assert any(f"Dữ liệu đến {fmt.datetime(newest)}" in c.value for c in at.caption)
    # change against the previous month, in the delta of the received metric
    prev_end = start - dt.timedelta(days=1)
    p = headline(reports_lake, start=prev_end.replace(day=1), end=prev_end)
    received = next(x for x in at.metric if x.label == "Tiếp nhận")
    assert received.delta == fmt.signed_pct((h["received"] - p["received"]) / p["received"])


def test_all_data_area_filter_and_english(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    no_errors(at)
    lo, hi = first_day(reports_lake), last_day(reports_lake)
    h = headline(reports_lake, start=lo, end=hi)
    assert h["received"] > 999  # shows the thousands separator
    assert metrics(at)["Tiếp nhận"] == fmt.num(h["received"]) == fmt.num(_valid_received(reports_lake, lo, hi))
    assert "." in metrics(at)["Tiếp nhận"]

    # one commune: the area filter reaches the KPI query
    top = reports_lake.sql("""SELECT admin_unit_code_2025 c, count(*) n FROM silver.reports WHERE is_valid
        AND admin_unit_code_2025 IS NOT NULL GROUP BY 1 ORDER BY n DESC, c LIMIT 1""")["c"][0]
    at.multiselect(key="areas").set_value([top]).run()
    no_errors(at)
    ha = headline(reports_lake, start=lo, end=hi, admin_unit_codes=[top])
    assert 0 < ha["received"] < h["received"]
    assert metrics(at)["Tiếp nhận"] == fmt.num(ha["received"]) == fmt.num(_valid_received(reports_lake, lo, hi, [top]))

    # language switch: English labels and number format
    at.radio(key="lang").set_value("en").run()
    no_errors(at)
    assert at.title[0].value == "Overview"
    assert metrics(at)["Received"] == fmt.num(ha["received"], lang="en")  # the area filter survived the switch
    at.multiselect(key="areas_en").set_value([]).run()  # each language has its own widget (dashboards.filters)
    assert metrics(at)["Received"] == fmt.num(h["received"], lang="en") and "," in metrics(at)["Received"]
    assert metrics(at)["Satisfaction"] == fmt.pct(h["satisfaction_rate"], lang="en")


def test_category_filter(reports_lake: Lake, make_app) -> None:
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("all").run()
    at.multiselect(key="ov_cats").set_value(["flooding", "waste"]).run()
    no_errors(at)
    h = headline(reports_lake, start=first_day(reports_lake), end=last_day(reports_lake),
                 category_codes=["flooding", "waste"])
    assert metrics(at)["Tiếp nhận"] == fmt.num(h["received"])


def test_empty_period_shows_no_error(reports_lake: Lake, make_app) -> None:
    """A single day without any report: figures are zero or '—', nothing fails."""
    day = reports_lake.sql("""
        WITH days AS (SELECT unnest(generate_series(min(date), max(date), INTERVAL 1 DAY))::DATE d
                      FROM gold.kpi_daily)
        SELECT d FROM days WHERE d NOT IN (SELECT date FROM gold.kpi_daily WHERE received + invalid > 0)
        ORDER BY d DESC LIMIT 1""")["d"][0]
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("custom").run()
    at.date_input(key="period_custom").set_value((day, day)).run()
    for page in PAGES:
        at.switch_page(page).run()
        no_errors(at)
    at.switch_page("app_pages/overview.py").run()
    assert metrics(at)["Tiếp nhận"] == "0"
    assert metrics(at)["Đúng hạn"] == fmt.DASH


def test_every_page_on_an_empty_lake(empty_lake: Lake, make_app) -> None:
    at = make_app(empty_lake).run()
    for page in PAGES:
        at.switch_page(page).run()
        no_errors(at)
        assert at.info, page  # a clear "no data yet" state


def test_month_and_quarter_pickers_compare_with_the_previous_month_or_quarter(reports_lake: Lake, make_app) -> None:
    """The leaders' pickers: a month compares with the month before (as the PDF does), a quarter with the
    quarter before; figures counted from silver."""
    at = make_app(reports_lake).run()
    at.selectbox(key="period_preset").set_value("month").run()
    at.selectbox(key="period_month").set_value("2022-03").run()
    no_errors(at)
    march = _valid_received(reports_lake, dt.date(2022, 3, 1), dt.date(2022, 3, 31))
    february = _valid_received(reports_lake, dt.date(2022, 2, 1), dt.date(2022, 2, 28))
    assert metrics(at)["Tiếp nhận"] == fmt.num(march)
    received = next(x for x in at.metric if x.label == "Tiếp nhận")
    assert received.delta == fmt.signed_pct((march - february) / february)
    captions = [c.value for c in at.caption]
    assert "Từ 01/03/2022 đến 31/03/2022" in captions
    assert "So với kỳ trước (01/02/2022 – 28/02/2022)" in captions

    at.selectbox(key="period_preset").set_value("quarter").run()
    at.selectbox(key="period_quarter").set_value("2022-Q1").run()
    no_errors(at)
    assert metrics(at)["Tiếp nhận"] == fmt.num(_valid_received(reports_lake, dt.date(2022, 1, 1), dt.date(2022, 3, 31)))
    assert "So với kỳ trước (01/10/2021 – 31/12/2021)" in [c.value for c in at.caption]
