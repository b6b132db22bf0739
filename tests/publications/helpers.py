"""Helpers for the publication tests: run the CLI in process, read and render PDFs with pypdfium2
(a wheel with its own PDFium: no poppler or other system package)."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from hue_ioc.cli import main


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    code = main(list(argv))
    got = capsys.readouterr()
    out = got.out
    assert code == 0, got.err
    return out


def kpis_json(capsys: pytest.CaptureFixture[str], start: str, end: str, as_of: str) -> dict:
    return json.loads(cli(capsys, "kpis", "--json", "--start", start, "--end", end, "--as-of", as_of))


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of pages first..last (1-based, inclusive, as a reader numbers them), one line per line of
    the page, pages separated by a form feed."""
    doc = pdfium.PdfDocument(pdf)
    try:
        pages = range((first or 1) - 1, last or len(doc))
        texts = []
        for index in pages:
            page = doc[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        doc.close()
    return "\f".join(texts).replace("\r\n", "\n").replace("\u00a0", " ")


def pdf_pages(pdf: Path) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def pdf_to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(doc)):
            page = doc[index]
            page.render(scale=dpi / 72).to_pil().save(out_dir / f"page-{index + 1:02d}.png")
            page.close()
    finally:
        doc.close()
    return sorted(out_dir.glob("page-*.png"))
