"""Exports: exactly the table on screen, as CSV (UTF-8 with BOM, opens in Excel) and XLSX (xlsxwriter).

Units, so nobody meets a raw fraction or a float tail: the columns named in ``percent`` hold fractions
(0.857); CSV writes them as percentages with one decimal and " (%)" appended to the header (85.7), XLSX keeps
the fraction with a percent number format (85.7%). Other decimals: one decimal in CSV, "#,##0.0" in XLSX;
whole numbers: "#,##0" in XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

PERCENT_SUFFIX = " (%)"
DECIMALS = 1


def to_csv_bytes(frame: pl.DataFrame, percent: Sequence[str] = ()) -> bytes:
    floats = [c for c, d in frame.schema.items() if d.is_float() and c not in percent]
    out = frame.with_columns([(pl.col(c) * 100).round(DECIMALS) for c in percent]
                             + [pl.col(c).round(DECIMALS) for c in floats])
    out = out.rename({c: c + PERCENT_SUFFIX for c in percent})
    return out.write_csv().encode("utf-8-sig")


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = "du_lieu", percent: Sequence[str] = ()) -> bytes:
    buf = io.BytesIO()
    ints = {c: "#,##0" for c, d in frame.schema.items() if d.is_integer()}
    floats = {c: "#,##0.0" for c, d in frame.schema.items() if d.is_float()}
    frame.write_excel(buf, worksheet=sheet, autofit=True,  # polars writes through xlsxwriter
                      column_formats={**ints, **floats, **{c: "0.0%" for c in percent}})
    return buf.getvalue()
