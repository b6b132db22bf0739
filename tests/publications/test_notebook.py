"""notebooks/analyst_tour.ipynb runs end to end (nbclient, kernel python3 from this venv) against a lake."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "analyst_tour.ipynb"


def run_notebook(lake_root: str, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("HUE_IOC_LAKE", lake_root)
    # the kernel spec "python3" starts `python`: make it this venv's interpreter
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def outputs(nb: nbformat.NotebookNode) -> str:
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            text.append(str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(text)


def test_notebook_on_the_reports_lake(report_lake_root: Path, report_lake, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only citizen reports are loaded: the gauge and camera questions say so instead of inventing numbers."""
    nb = run_notebook(str(report_lake_root), monkeypatch)
    text = outputs(nb)
    assert "simulated" in text
    assert "No gauge readings were loaded" in text
    assert "No camera data was loaded" in text
    assert "x_category_median" in text  # the slowest-units table was computed
    # the tour reads as an analyst: reporter identity masked, columns described, versions compared
    assert "reporter_name" in text and "***" in text
    names = report_lake.sql("SELECT reporter_name FROM silver.reports WHERE reporter_name IS NOT NULL LIMIT 50")
    assert not any(n in text for n in names["reporter_name"])
    assert "meaning" in text and "masked" in text and "changed_columns" in text and "bare version number" in text
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_with_cameras_and_gauges(lake_copy, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the camera history and the November 2025 gauge readings loaded, every question gets an answer
    computed from the tables (or a plain statement that the periods do not overlap)."""
    from hue_ioc.defs.cameras import build_violations_daily, load_camera_history
    from pipelines.disasters import gauges

    load_camera_history(lake_copy)
    build_violations_daily(lake_copy)
    gauges.load_stations(lake_copy)
    gauges.load_vndms_file(lake_copy)
    nb = run_notebook(lake_copy.root, monkeypatch)
    text = outputs(nb)
    assert "No gauge readings were loaded" not in text and "No camera data was loaded" not in text
    assert "traffic_reports_nearby" in text
    assert ("Spearman" in text) or ("do not overlap in time" in text)
