"""Helpers for the publication tests: run the CLI in process, read PDFs with poppler."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

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


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install -y poppler-utils")
    return path


def pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = [poppler("pdftotext"), "-layout"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")
    return out.replace("\u00a0", " ")


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run([poppler("pdfinfo"), str(pdf)], check=True, capture_output=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_to_png(pdf: Path, out_dir: Path, dpi: int = 60) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(out_dir / "page")], check=True)
    return sorted(out_dir.glob("page-*.png"))
