"""One ranking everywhere: for every month and quarter of a small lake and three random day ranges, the
ranking page (AppTest), the PDF (its text), the XLSX ranking sheet and ``hue-ioc kpis --ranking --json``
show the same received, processed, on-time and score for every unit, and the ranking's totals equal the
headline of the same period."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re

import openpyxl
import pypdfium2 as pdfium
import pytest

from core import fmt
from hue_ioc.cli import main
from lake import Lake
from publications.publish import render
from publications.xlsx import SHEETS
from tests.dashboards.conftest import no_errors, table_with
from tests.publications.test_report_xlsx import sheet_rows
from views.period import Period

from .conftest import END, START

COUNTS = ("received", "processed", "on_time")
MONTHS = [Period.month(2022, m) for m in range(1, 6)]
QUARTERS = [Period.quarter(2022, 1), Period.quarter(2022, 2)]


def _random_ranges(n: int = 3, seed: int = 20220) -> list[Period]:
    """Day ranges inside the lake's span; the first always cuts a month."""
    rng = random.Random(seed)
    span = (END - START).days
    out = [Period.range(dt.date(2022, 3, 28), dt.date(2022, 4, 3))]
    while len(out) < n:
        start = START + dt.timedelta(days=rng.randrange(span - 3))
        length = rng.randrange(2, 45)
        out.append(Period.range(start, min(END, start + dt.timedelta(days=length - 1))))
    return out


PERIODS = MONTHS + QUARTERS + _random_ranges()


def _num(text: str | float | None) -> float | None:
    """A number as printed the Vietnamese way ("1.234", "88,7"), None for "—"; a sortable table cell
    already holds the number itself."""
    if text is None or isinstance(text, int | float):
        return None if text is None or text != text else float(text)
    text = text.strip()
    return None if text in ("—", "") else float(text.replace(".", "").replace(",", "."))


Row = tuple[int, int, int, float | None]  # received, processed, on time, score


# ---------------------------------------------------------------- the four outputs
def _screen(lake: Lake, period: Period, make_app) -> dict[str, Row]:
    at = make_app(lake).run()
    preset = period.kind if period.kind != "range" else "custom"
    at.selectbox(key="period_preset").set_value(preset).run()
    if period.kind == "range":
        at.date_input(key="period_custom").set_value((period.start, period.end)).run()
    else:
        at.selectbox(key=f"period_{period.kind}").set_value(period.label).run()
    at.switch_page("app_pages/units.py").run()
    no_errors(at)
    table = table_with(at, "Hạng", "Điểm")
    # a sortable table holds the score itself; the page draws it with one decimal, as the PDF prints it
    return {r["Đơn vị"]: (int(_num(r["Tiếp nhận"])), int(_num(r["Đã xử lý"])), int(_num(r["Đúng hạn"])),
                          _num(fmt.num(_num(r["Điểm"]), 1))) for r in table.to_dict("records")}


_ROW = re.compile(r"(?P<rank>\d+|—) {name} (?:Nhà nước|Tổ chức, DN) (?P<received>[\d.]+) (?P<processed>[\d.]+) "
                  r"(?P<on_time>[\d.]+) (?:[\d,]+ %|—) (?:[\d,]+ %|—) (?P<score>[\d,]+|—)")


def _pdf(pdf: bytes, names: list[str]) -> dict[str, Row]:
    doc = pdfium.PdfDocument(pdf)
    flat = " ".join(" ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).split())
    out = {}
    for name in names:
        m = re.search(_ROW.pattern.replace("{name}", re.escape(name)), flat)
        assert m, f"{name} not in the PDF ranking"
        out[name] = (int(_num(m["received"])), int(_num(m["processed"])), int(_num(m["on_time"])), _num(m["score"]))
    return out


def _idle_paragraph(pdf: bytes) -> str:
    """The PDF's paragraph naming the units without a score (after the ranking table), whitespace-flattened."""
    doc = pdfium.PdfDocument(pdf)
    flat = " ".join(" ".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))).split())
    start = flat.find("Đơn vị không có phản ánh trong kỳ (")
    end = flat.find("10 đơn vị tốt nhất", start)  # the next section
    text = "" if start < 0 else flat[start:end if end > 0 else None]
    # a paragraph running onto the next page has the footer and the next page's header inside it
    return re.sub(r"Dữ liệu đến .*? Trang \d+ / \d+ Báo cáo kết quả xử lý phản ánh hiện trường — .*? IOC Huế ", "",
                  text)


def _xlsx(blob: bytes) -> tuple[dict[str, Row], dict[str, float]]:
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    rows = {r["unit_name"]: (r["received"], r["processed"], r["on_time"], r["score"])
            for r in sheet_rows(wb[SHEETS["ranking"]])}
    head = {r[0]: r[3] for r in wb[SHEETS["headline"]].iter_rows(min_row=3, values_only=True) if r[0]}
    return rows, head


def _cli(lake: Lake, period: Period, capsys, monkeypatch) -> dict:
    monkeypatch.setenv("HUE_IOC_LAKE", lake.root)
    capsys.readouterr()
    assert main(["kpis", "--period", period.label, "--ranking", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------- the test
@pytest.mark.parametrize("period", PERIODS, ids=[p.label for p in PERIODS])
def test_screen_pdf_xlsx_and_cli_agree(views_lake: Lake, period: Period, make_app, capsys, monkeypatch) -> None:
    got = _cli(views_lake, period, capsys, monkeypatch)
    cli = {r["unit_name"]: (r["received"], r["processed"], r["on_time"], r["score"]) for r in got["ranking"]}
    assert sum(r[0] for r in cli.values()) > 0, "a period without reports proves nothing"

    # the ranking's totals equal the headline of the same period (the CLI prints both)
    for i, key in enumerate(COUNTS):
        assert sum(r[i] for r in cli.values()) == got[key], key

    _, xlsx_blob = render(views_lake, period, "xlsx")
    xlsx, head = _xlsx(xlsx_blob)
    _, pdf_blob = render(views_lake, period, "pdf")
    # the PDF ranks the units with a score in its table and names the others in one paragraph after it
    pdf = _pdf(pdf_blob, [n for n, r in cli.items() if r[3] is not None])
    idle_text = _idle_paragraph(pdf_blob)
    screen = _screen(views_lake, period, make_app)

    assert set(xlsx) == set(screen) == set(cli)
    for i, key in enumerate(COUNTS):
        assert sum(r[i] for r in xlsx.values()) == head[key], key  # XLSX ranking totals = its headline sheet
    for name, (received, processed, on_time, score) in cli.items():
        counts = (received, processed, on_time)
        if score is None:
            assert xlsx[name][:3] == screen[name][:3] == counts, name
            assert xlsx[name][3] is None and screen[name][3] is None, name
            assert name in idle_text and name not in pdf, name
            continue
        assert xlsx[name][:3] == screen[name][:3] == pdf[name][:3] == counts, name
        assert xlsx[name][3] == pytest.approx(score, abs=1e-9), name
        # the screen and the PDF print one decimal (the same rounding: core.fmt)
        assert screen[name][3] == pdf[name][3], name
        assert abs(screen[name][3] - score) <= 0.05 + 1e-9, name
