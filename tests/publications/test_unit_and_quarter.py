"""A unit head's report, and a quarterly report built from the monthly gold rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from lake import Lake
from publications.report_data import build_report_data
from publications.xlsx import SHEETS

from .conftest import PERIOD
from .helpers import cli, pdf_text
from .test_report_xlsx import sheet_rows

# May 2022 is the simulation's last month: its reports still open past their deadline are overdue.


def test_unit_report(report_lake: Lake, report_lake_root: Path, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # the unit-month with the most overdue reports, then the busiest (the seed's processed reports are all on time
    # or late with an extension, so a small lake may hold no overdue report at all: the list is then empty)
    up = report_lake.sql("SELECT * FROM gold.unit_performance "
                         "ORDER BY overdue DESC, received DESC, month, unit_id LIMIT 1").row(0, named=True)
    UNIT_PERIOD = up["month"]  # noqa: N806
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    pdf, xlsx = tmp_path / "unit.pdf", tmp_path / "unit.xlsx"
    cli(capsys, "report", "--period", UNIT_PERIOD, "--unit", up["unit_id"], "--out", str(pdf))
    cli(capsys, "report", "--period", UNIT_PERIOD, "--unit", up["unit_id"], "--out", str(xlsx))
    flat = " ".join(pdf_text(pdf).split())
    assert up["unit_name"] in flat
    assert "Vị trí của đơn vị" in flat and "Phản ánh quá hạn của đơn vị" in flat
    wb = openpyxl.load_workbook(xlsx)
    head = {r[0]: r[3] for r in wb[SHEETS["headline"]].iter_rows(min_row=3, values_only=True) if r[0]}
    for col in ("received", "processed", "on_time", "overdue", "rated", "satisfied"):
        assert head[col] == up[col], col
    assert head["on_time_rate"] == pytest.approx(up["on_time_rate"])
    overdue = sheet_rows(wb[SHEETS["overdue"]])
    assert len(overdue) == up["overdue"] and {r["unit_id"] for r in overdue} <= {up["unit_id"]}


def test_unknown_unit_is_a_clear_error(report_lake: Lake) -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        build_report_data(report_lake, PERIOD, unit_id="no-such-unit")


def test_quarter_sums_the_months(report_lake: Lake) -> None:
    data = build_report_data(report_lake, "2022-Q1")
    up = report_lake.sql("SELECT unit_id, sum(received)::BIGINT AS received, sum(on_time)::BIGINT AS on_time "
                         "FROM gold.unit_performance WHERE month IN ('2022-01', '2022-02', '2022-03') GROUP BY 1")
    got = data.ranking.join(up, on="unit_id", suffix="_gold")
    assert got.height == up.height
    assert (got["received"] == got["received_gold"]).all() and (got["on_time"] == got["on_time_gold"]).all()
    parts = got.select(pl.sum_horizontal("score_on_time", "score_satisfaction", "score_processed", "score_speed")
                       - pl.col("score")).drop_nulls()
    assert parts.to_series().abs().max() < 1e-9  # the parts still add up to the score
    head = data.headline["current"]
    kd = report_lake.sql("SELECT sum(received)::BIGINT FROM gold.kpi_daily "
                         "WHERE date BETWEEN DATE '2022-01-01' AND DATE '2022-03-31'").item()
    assert head["received"] == kd
