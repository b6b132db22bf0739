"""The XLSX report read back with openpyxl equals the lake's tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from core.labels import COLUMNS, KPIS, VALUE_LABELS, value_label
from lake import Lake
from publications.provenance import tables_used
from publications.xlsx import HEADER_ROWS, SHEETS
from views.headline import headline

from .conftest import PERIOD
from .helpers import cli

EN_TO_KEY = {en: key for key, (_, en) in COLUMNS.items()}


def sheet_rows(ws) -> list[dict]:
    """Data rows keyed by column name (from the English header row)."""
    header = [c.value for c in ws[HEADER_ROWS]]
    keys = [EN_TO_KEY.get(h.removesuffix(" (Vietnam time)"), h) if h else None for h in header]
    out = []
    for row in ws.iter_rows(min_row=HEADER_ROWS + 1, values_only=True):
        if all(v is None for v in row):
            break
        out.append(dict(zip(keys, row, strict=False)))
    return out


@pytest.fixture(scope="module")
def moment(report_lake_root: Path) -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def workbook(report_lake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str], moment: dt.datetime):
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "bao-cao.xlsx"
    cli(capsys, "report", "--period", PERIOD, "--out", str(out), "--as-of", moment.isoformat())
    return openpyxl.load_workbook(out)


def test_sheets(workbook) -> None:
    for name in SHEETS.values():
        assert name in workbook.sheetnames


def test_ranking_sheet_equals_unit_performance(workbook, report_lake: Lake) -> None:
    rows = {r["unit_id"]: r for r in sheet_rows(workbook[SHEETS["ranking"]])}
    up = report_lake.sql("SELECT * FROM gold.unit_performance WHERE month = $m", {"m": PERIOD})
    assert up.height > 20
    units = report_lake.sql("SELECT unit_id FROM silver.units WHERE joined_on <= DATE '2022-04-30'")
    assert set(rows) == set(units["unit_id"]) | set(up["unit_id"])  # every unit, ranked or not
    for r in up.iter_rows(named=True):
        got = rows[r["unit_id"]]
        for col in ("unit_name", "unit_type", "received", "processed", "on_time", "late_with_extension",
                    "overdue", "open_overdue", "rated", "satisfied"):
            want = value_label(col, r[col]) if col in VALUE_LABELS else r[col]  # codes written in words
            assert got[col] == want, (r["unit_id"], col)
        for col in ("score", "score_on_time", "score_satisfaction", "score_processed", "score_speed",
                    "on_time_rate", "satisfaction_rate", "strict_on_time_rate"):
            assert got[col] == pytest.approx(r[col], rel=1e-12, abs=1e-12, nan_ok=False) if r[col] is not None \
                else got[col] is None, (r["unit_id"], col)
    ranked = sorted((r for r in rows.values() if r["rank"] is not None), key=lambda r: r["rank"])
    assert [r["rank"] for r in ranked] == list(range(1, up.filter(pl.col("score").is_not_null()).height + 1))
    scores = [r["score"] for r in ranked]
    assert scores == sorted(scores, reverse=True)


def test_headline_sheet_equals_headline(workbook, report_lake: Lake, moment: dt.datetime) -> None:
    expected = headline(report_lake.as_of(moment), start=dt.date(2022, 4, 1), end=dt.date(2022, 4, 30))
    previous = headline(report_lake.as_of(moment), start=dt.date(2022, 3, 1), end=dt.date(2022, 3, 31))
    ws = workbook[SHEETS["headline"]]
    got = {row[0]: row for row in ws.iter_rows(min_row=HEADER_ROWS + 1, values_only=True) if row[0]}
    assert [k.key for k in KPIS] == list(got)
    for k in KPIS:
        assert got[k.key][3] == pytest.approx(expected[k.key]), k.key
        assert got[k.key][4] == pytest.approx(previous[k.key]), k.key
    assert ws.cell(row=HEADER_ROWS + 1 + [k.key for k in KPIS].index("on_time_rate"), column=4).number_format == "0.0%"


def test_trend_and_categories_sheets_equal_kpi_daily(workbook, report_lake: Lake) -> None:
    trend = {r["month"]: r for r in sheet_rows(workbook[SHEETS["trend"]])}
    assert len(trend) == 12 and max(trend) == PERIOD
    by_month = report_lake.sql(
        "SELECT strftime(date, '%Y-%m') AS month, sum(received)::BIGINT AS received, sum(on_time)::BIGINT AS on_time "
        "FROM gold.kpi_daily GROUP BY 1")
    for r in by_month.filter(pl.col("month").is_in(list(trend))).iter_rows(named=True):
        assert (trend[r["month"]]["received"], trend[r["month"]]["on_time"]) == (r["received"], r["on_time"])
    cats = {r["category_code"]: r["received"] for r in sheet_rows(workbook[SHEETS["categories"]])}
    expected = report_lake.sql(
        "SELECT category_code, sum(received)::BIGINT AS n FROM gold.kpi_daily WHERE strftime(date, '%Y-%m') = $m "
        "GROUP BY 1 HAVING sum(received) > 0", {"m": PERIOD})
    assert cats == dict(expected.iter_rows())


def test_overdue_sheet_matches_unit_counts(workbook) -> None:
    overdue = sheet_rows(workbook[SHEETS["overdue"]])
    listed = {r["unit_id"] for r in sheet_rows(workbook[SHEETS["best"]])} | {
        r["unit_id"]: r for r in sheet_rows(workbook[SHEETS["worst"]])}.keys()
    counts = {r["unit_id"]: r["overdue"] for r in sheet_rows(workbook[SHEETS["ranking"]]) if r["unit_id"] in listed}
    for unit, n in counts.items():
        assert sum(1 for r in overdue if r["unit_id"] == unit) == n, unit
    assert all(r["days_overdue"] > 0 for r in overdue)


def test_versions_sheet(workbook, report_lake: Lake, moment: dt.datetime) -> None:
    got = {r["table"]: r["version"] for r in sheet_rows(workbook[SHEETS["versions"]]) if r["table"]}
    assert got == report_lake.as_of(moment).versions(tables_used())
    assert got["gold.unit_performance"] is not None
