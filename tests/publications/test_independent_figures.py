"""The report's comparison columns and its whole ranking, checked against plain SQL over silver written
here — never against the gold tables the report itself reads (issue 17: a "same period last year" column
computed from the previous month, and a PDF ranking cut to its first rows, both passed the older tests)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from lake import Lake
from publications.xlsx import HEADER_ROWS, SHEETS

from .conftest import PERIOD
from .helpers import cli, pdf_text

# April 2022 (PERIOD), the month before it, and April 2021: each a Vietnam-time month.
MONTHS = {"current": ("2022-04-01", "2022-05-01"), "previous": ("2022-03-01", "2022-04-01"),
          "year_ago": ("2021-04-01", "2021-05-01")}
COLUMN = {"current": 3, "previous": 4, "year_ago": 5}  # 0-based columns of the headline sheet

# Received = valid reports by Vietnam receipt day; invalid apart; processed = of those, resolved.
COUNTS_SQL = """
SELECT count(*) FILTER (WHERE is_valid)                             AS received,
       count(*) FILTER (WHERE NOT is_valid)                         AS invalid,
       count(*) FILTER (WHERE is_valid AND resolved_at IS NOT NULL) AS processed
FROM silver.reports
WHERE (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') >= CAST($start AS TIMESTAMP)
  AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') <  CAST($end AS TIMESTAMP)
"""


@pytest.fixture(scope="module")
def moment() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@pytest.fixture
def headline_rows(report_lake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                  capsys: pytest.CaptureFixture[str], moment: str) -> dict[str, tuple]:
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "bao-cao.xlsx"
    cli(capsys, "report", "--period", PERIOD, "--out", str(out), "--as-of", moment)
    ws = openpyxl.load_workbook(out)[SHEETS["headline"]]
    return {row[0]: row for row in ws.iter_rows(min_row=HEADER_ROWS + 1, values_only=True) if row[0]}


@pytest.mark.parametrize("column", ["current", "previous", "year_ago"])
def test_headline_columns_equal_silver_counts_of_their_own_month(headline_rows, report_lake: Lake,
                                                                  column: str) -> None:
    start, end = MONTHS[column]
    want = report_lake.sql(COUNTS_SQL, {"start": start, "end": end}).row(0, named=True)
    assert want["received"] > 0, "the small lake has reports in each compared month"
    got = {key: headline_rows[key][COLUMN[column]] for key in want}
    assert got == want


def test_year_ago_differs_from_previous_month(report_lake: Lake) -> None:
    """The check above can tell the two apart only if the months differ in the lake."""
    counts = [report_lake.sql(COUNTS_SQL, {"start": MONTHS[c][0], "end": MONTHS[c][1]}).row(0)
              for c in ("previous", "year_ago")]
    assert counts[0] != counts[1]


def test_pdf_ranking_lists_every_unit_that_received_reports(report_lake_root: Path, report_lake: Lake,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str],
                                                            moment: str) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "bao-cao.pdf"
    cli(capsys, "report", "--period", PERIOD, "--format", "pdf", "--out", str(out), "--as-of", moment)
    flat = " ".join(pdf_text(out).split())
    start, end = MONTHS["current"]
    units = report_lake.sql(
        "SELECT DISTINCT u.name FROM silver.reports r JOIN silver.units u ON u.unit_id = r.current_unit_id "
        "WHERE r.is_valid AND (r.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') >= CAST($start AS TIMESTAMP) "
        "AND (r.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh') < CAST($end AS TIMESTAMP)",
        {"start": start, "end": end})["name"].to_list()
    assert len(units) > 10, "more units than a top-10 cut would keep"
    missing = [name for name in units if " ".join(name.split()) not in flat]
    assert missing == []
