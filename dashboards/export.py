"""Exports: exactly the table on screen, as CSV (UTF-8 with BOM, opens in Excel) and XLSX (xlsxwriter)."""

from __future__ import annotations

import io

import polars as pl


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    return frame.write_csv().encode("utf-8-sig")


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = "du_lieu") -> bytes:
    buf = io.BytesIO()
    frame.write_excel(buf, worksheet=sheet, autofit=True)  # polars writes through xlsxwriter
    return buf.getvalue()
