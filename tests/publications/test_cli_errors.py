"""Bad input to `hue-ioc report` gives one clear line and exit code 2; a period without data still renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from hue_ioc.cli import main

from .helpers import cli, pdf_text


@pytest.mark.parametrize("argv, message", [
    (["--period", "2022-13"], "invalid month"),
    (["--period", "May-2022"], "invalid period"),
    (["--period", "2022-04", "--as-of", "2001-01-01"], "did not exist at 2001-01-01"),
    (["--period", "2022-04", "--unit", "no-such-unit"], "unknown unit"),
])
def test_errors(argv: list[str], message: str, report_lake_root: Path, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "r.pdf"
    assert main(["report", *argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_period_without_data(report_lake_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", str(report_lake_root))
    out = tmp_path / "r.pdf"
    cli(capsys, "report", "--period", "2030-01", "--out", str(out))
    flat = " ".join(pdf_text(out).split())
    assert "Tháng 01/2030" in flat and "0 đơn vị được xếp hạng" in flat
