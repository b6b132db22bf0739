"""Build a report and render it: the one entry point the CLI and the Dagster assets share."""

from __future__ import annotations

import datetime as dt

from lake import Lake
from publications.pdf import render_pdf
from publications.report_data import ReportData, build_report_data
from publications.xlsx import render_xlsx
from views.period import Period

FORMATS = ("pdf", "xlsx")


def render(lake: Lake, period: Period | str, fmt: str, unit_id: str | None = None,
           as_of: str | dt.datetime | dt.date | None = None) -> tuple[ReportData, bytes]:
    if fmt not in FORMATS:
        raise ValueError(f"định dạng không hỗ trợ / unsupported format {fmt!r}: use pdf or xlsx")
    data = build_report_data(lake, period, unit_id=unit_id, as_of=as_of)
    return data, render_pdf(data) if fmt == "pdf" else render_xlsx(data)


def file_name(period: Period, fmt: str, unit_id: str | None = None) -> str:
    """Name under the lake's publications/ folder: bao-cao-2022-05.pdf, bao-cao-2022-Q2-U123.xlsx,
    bao-cao-2022-05-01_2022-05-07.pdf."""
    unit = f"-{unit_id}" if unit_id else ""
    return f"bao-cao-{period.label.replace('..', '_')}{unit}.{fmt}"
