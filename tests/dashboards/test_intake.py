"""The Open311 intake on the overview: requests not mapped yet are counted on screen, not lost."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from hue_ioc.cli import main
from lake import Lake
from tests.dashboards.conftest import metrics, no_errors


def test_unmapped_open311_requests_are_counted_on_the_overview(reports_lake: Lake, data_dir: Path, tmp_path: Path,
                                                               make_app) -> None:
    root = tmp_path / "lake"
    shutil.copytree(reports_lake.root, root)
    sample = data_dir / "open311" / "nyc_311_sample_199rows_2013.csv"
    # the expected figures straight from the file: nothing is mapped by the shipped (empty) table, every
    # request is kept as unmapped, and those with a point are outside Huế
    with sample.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with_point = sum(1 for r in rows if (r.get("Latitude") or "").strip())
    assert main(["--lake", str(root), "open311", "import", str(sample), "--jurisdiction", "nyc",
                 "--tz", "America/New_York"]) in (0, 1)

    at = make_app(Lake.open(root)).run()
    no_errors(at)
    m = metrics(at)
    assert m["Chưa ánh xạ"] == f"{len(rows):,}".replace(",", ".")
    assert m["Đã ánh xạ"] == "0"
    assert m["Ngoài địa bàn Huế"] == f"{with_point:,}".replace(",", ".")
