"""The PDF report of a small simulated lake: pages render, headings are in Vietnamese with diacritics,
and the headline figures are those of kpis.headline / `hue-ioc kpis`."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from core.fmt import num, pct
from core.labels import KPIS

from .conftest import PERIOD
from .helpers import cli, kpis_json, pdf_pages, pdf_text, pdf_to_png

HEADINGS = [
    "Báo cáo kết quả xử lý phản ánh hiện trường",
    "Chỉ tiêu chính",
    "Diễn biến và cơ cấu",
    "Số phản ánh tiếp nhận theo tháng",
    "Tỷ lệ đúng hạn theo loại đơn vị",
    "Xếp hạng đơn vị xử lý",
    "10 đơn vị dẫn đầu",
    "10 đơn vị thấp nhất",
    "Phản ánh quá hạn của 10 đơn vị thấp nhất",
    "Vi phạm giao thông qua camera",
    "Thiên tai, cảnh báo và cứu hộ",
    "Định nghĩa chỉ tiêu",
    "Nguồn dữ liệu và khả năng tái lập",
    "Dữ liệu mô phỏng",
]


@pytest.fixture(scope="module")
def moment(report_lake_root: Path) -> str:
    """A moment after the lake was built."""
    return dt.datetime.now(dt.UTC).isoformat()


@pytest.fixture
def built(report_lake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str], moment: str) -> tuple[Path, dict]:
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "bao-cao.pdf"
    cli(capsys, "report", "--period", PERIOD, "--format", "pdf", "--out", str(out), "--as-of", moment)
    kpis = kpis_json(capsys, "2022-04-01", "2022-04-30", moment)
    return out, kpis


def test_pdf_pages_render_to_png(built: tuple[Path, dict], tmp_path: Path) -> None:
    pdf, _ = built
    assert pdf.read_bytes()[:5] == b"%PDF-"
    pages = pdf_pages(pdf)
    assert pages >= 6  # title, charts, ranking, best/worst, other domains, definitions
    pngs = pdf_to_png(pdf, tmp_path / "png")
    assert len(pngs) == pages
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000 for p in pngs)


def test_pdf_headings_in_vietnamese(built: tuple[Path, dict]) -> None:
    text = unicodedata.normalize("NFC", pdf_text(built[0]))
    flat = " ".join(text.split())
    missing = [h for h in HEADINGS if h not in flat]
    assert not missing, missing


def _kpi_line(page1: str, label_vi: str) -> str:
    lines = page1.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(label_vi + " /") or line.strip().startswith(label_vi + " "):
            return " ".join(lines[max(i - 1, 0): i + 2])
    raise AssertionError(f"row {label_vi!r} not found on page 1")


def test_pdf_headline_equals_kpis_command(built: tuple[Path, dict]) -> None:
    pdf, kpis = built
    page1 = pdf_text(pdf, 1, 1)
    checked = 0
    for k in KPIS:
        value = kpis[k.key]
        shown = pct(value) if k.kind == "rate" else num(value)
        row = _kpi_line(page1, k.vi)
        # the row shows this period first: the first figure after the label is the KPI itself
        after = row.split(k.en, 1)[-1] if k.en in row else row
        assert shown.replace("\u00a0", " ") in after, (k.key, shown, row)
        checked += 1
    assert checked == len(KPIS)
    assert kpis["received"] > 0 and kpis["on_time_rate"] is not None


def test_pdf_states_table_versions(built: tuple[Path, dict], report_lake) -> None:
    text = pdf_text(built[0])
    versions = report_lake.versions(["gold.kpi_daily", "gold.unit_performance", "silver.reports"])
    for name, ver in versions.items():
        assert any(name in line and line.split()[-1] == str(ver) for line in text.splitlines()), name
    assert "--as-of" in text


def test_pdf_ranks_every_scored_unit(built: tuple[Path, dict], report_lake) -> None:
    up = report_lake.sql("SELECT * FROM gold.unit_performance WHERE month = $m", {"m": PERIOD})
    n = up.filter(pl.col("score").is_not_null()).height
    flat = " ".join(pdf_text(built[0]).split())
    assert f"{num(n)} đơn vị được xếp hạng" in flat
    best = up.sort(["score", "received", "unit_id"], descending=[True, True, False], nulls_last=True).row(0, named=True)
    assert best["unit_name"] in flat


def test_no_violation_or_disaster_data_is_stated(built: tuple[Path, dict]) -> None:
    flat = " ".join(pdf_text(built[0]).split())
    assert "Chưa nạp dữ liệu vi phạm từ camera" in flat
    assert "Chưa nạp dữ liệu thiên tai" in flat


def test_typst_compiles_without_warnings(report_lake) -> None:
    """No unknown font, no missing glyph: the template and the data agree."""
    import json

    import typst

    from publications.pdf import FONTS, TEMPLATE, to_json
    from publications.report_data import build_report_data

    data = build_report_data(report_lake, PERIOD)
    pdf, warnings = typst.compile_with_warnings(
        str(TEMPLATE), sys_inputs={"data": json.dumps(to_json(data), ensure_ascii=False, default=str)}, **FONTS)
    assert pdf[:5] == b"%PDF-" and warnings == []
