"""CLI path errors are one clear line and a non-zero exit: `ingest` of a file that is not JSON lines,
a folder or a missing file; `report --out` given a folder, '' or /dev/full. A year-0001 row is refused at
the door, so the overview still computes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hue_ioc.cli import main
from lake import Lake


@pytest.fixture(scope="module")
def tiny_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.reports.build import build_reports_lake

    root = tmp_path_factory.mktemp("tiny") / "lake"
    build_reports_lake(Lake.open(root), seed=3, start=dt.date(2022, 3, 1), end=dt.date(2022, 5, 1), scale=0.05)
    return root


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1, (out, err)
    assert "Traceback" not in err
    return lines[0]


def test_ingest_of_an_open311_json_document_is_refused(data_dir: Path, tmp_path: Path, capsys) -> None:
    code = main(["--lake", str(tmp_path / "lake"), "ingest", str(data_dir / "open311" / "chicago_requests_2014.json")])
    line = _one_line_error(capsys)
    assert code == 2
    assert line.startswith("hue-ioc ingest: chicago_requests_2014.json is one JSON document, not JSON lines")
    assert "unreadable" not in line and "hue-ioc open311 import" in line
    assert not (tmp_path / "lake" / "bronze").exists()  # nothing written


@pytest.mark.parametrize("target", ["folder", "missing.jsonl"])
def test_ingest_of_a_folder_or_a_missing_file(tmp_path: Path, capsys, target: str) -> None:
    (tmp_path / "folder").mkdir()
    code = main(["--lake", str(tmp_path / "lake"), "ingest", str(tmp_path / target)])
    line = _one_line_error(capsys)
    assert code == 2 and line.startswith("hue-ioc ingest: ") and target in line


@pytest.mark.parametrize(("out", "message"), [
    ("", "--out is empty"),
    ("{tmp}", "is a folder"),
    ("/dev/full", "cannot write /dev/full: No space left on device"),
])
def test_report_out_errors(tiny_lake: Path, tmp_path: Path, capsys, out: str, message: str) -> None:
    code = main(["--lake", str(tiny_lake), "report", "--period", "2022-04", "--out",
                 out.format(tmp=tmp_path)])
    line = _one_line_error(capsys)
    assert code == 2 and line.startswith("hue-ioc report: ") and message in line


def test_a_year_0001_row_is_refused_and_the_overview_still_computes(tiny_lake: Path, tmp_path: Path,
                                                                    capsys) -> None:
    lake = Lake.open(tiny_lake)
    row = lake.sql("SELECT category_code, lat, lon FROM silver.reports WHERE lat IS NOT NULL LIMIT 1").row(0)
    record = {"kind": "report", "report_id": "ANCIENT-1", "source": "file", "channel": "app",
              "category_code": row[0], "lat": row[1], "lon": row[2], "is_valid": True,
              "received_at": "0001-01-01T00:00:00+00:00", "updated_at": "0001-01-01T00:00:00+00:00"}
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert main(["--lake", str(tiny_lake), "ingest", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["unreadable_lines"] == 1 and summary["reports_read"] == 0
    reason = lake.sql("SELECT reason FROM silver.rejects WHERE record_ref = 'ANCIENT-1'").item()
    assert reason == ("old.jsonl:1: implausible time: received_at 0001-01-01T00:00:00+00:00 is before "
                      "2000-01-01 (setting earliest_plausible)")
    assert main(["--lake", str(tiny_lake), "kpis", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["received"] > 0
