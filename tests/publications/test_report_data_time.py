"""The PDF says how far its data go ("Dữ liệu đến <the newest event>"), never when it was built; units
without reports take one paragraph, not pages of empty rows; no lake table name reaches a reader's page
outside the provenance table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.tz import VN_TZ
from lake import Lake
from publications.pdf import render_pdf
from publications.report_data import build_report_data

from .conftest import PERIOD
from .helpers import pdf_pages, pdf_text


@pytest.fixture(scope="module")
def report(report_lake: Lake, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dt.datetime, Lake, dt.datetime]:
    data = build_report_data(report_lake, PERIOD, now=dt.datetime.now(dt.UTC))  # long after the data end
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    out.write_bytes(render_pdf(data))
    # the newest event the lake holds, by plain SQL: the latest report update or receipt
    newest = report_lake.sql("SELECT greatest(max(updated_at), max(received_at)) FROM silver.reports").item()
    return out, newest, report_lake, data.generated_at


def test_footer_shows_the_data_time_not_the_build_time(report) -> None:
    pdf, newest, _, built_at = report
    local = newest.astimezone(VN_TZ)
    want = f"Dữ liệu đến {local:%d/%m/%Y %H:%M}"
    text = pdf_text(pdf)
    pages = text.split("\f")
    assert all(want in p for p in pages), [p[-200:] for p in pages if want not in p][:1]
    built = built_at.astimezone(VN_TZ)
    # the build moment is named only where the report says how to rebuild it (the provenance section)
    for page in pages:
        if "Nguồn dữ liệu và khả năng tái lập" not in page:
            assert f"{built:%d/%m/%Y %H:%M}" not in page
    assert "tính đến" not in text.replace("Tính đến", "")


def test_units_without_reports_take_one_paragraph(report) -> None:
    pdf, _, lake, _ = report
    start, end = dt.date(2022, 4, 1), dt.date(2022, 4, 30)
    # by hand: units in the network by the period's end with no valid report received in April 2022
    idle = lake.sql("""SELECT count(*) FROM silver.units u WHERE (u.joined_on IS NULL OR u.joined_on <= $e)
                         AND NOT EXISTS (SELECT 1 FROM gold.kpi_daily k WHERE k.unit_id = u.unit_id
                                         AND k.received > 0 AND k.date BETWEEN $s AND $e)""",
                    {"s": start, "e": end}).item()
    assert idle > 20  # the simulated city has many units without a report in a month
    text = pdf_text(pdf)
    assert f"Đơn vị không có phản ánh trong kỳ ({idle})" in text.replace("\n", " ")
    # the ranking (ranked units, then the idle paragraph) stays within what the ranked rows need: far less
    # than a page per 40 idle units
    ranking_pages = [i for i, p in enumerate(text.split("\f")) if "Xếp hạng đơn vị xử lý" in p
                     or "Đơn vị không có phản ánh trong kỳ" in p]
    assert ranking_pages and ranking_pages[-1] - ranking_pages[0] <= 4
    assert pdf_pages(pdf) >= 6


def test_no_lake_table_name_outside_provenance(report) -> None:
    pdf, _, _, _ = report
    pages = pdf_text(pdf).split("\f")
    body = [p for p in pages if "Nguồn dữ liệu và khả năng tái lập" not in p and "Lake table" not in p]
    for page in body:
        assert "silver." not in page and "gold." not in page and "bronze." not in page, page[:300]
