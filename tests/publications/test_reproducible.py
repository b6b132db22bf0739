"""--as-of a moment gives the same report after new data arrived; without it the new data shows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from lake import Lake
from pipelines.reports.bronze import ingest_batch
from pipelines.reports.build import build_gold, build_silver, load_reference
from pipelines.sources.simulator import SimulatorConfig, simulate
from publications.report_data import build_report_data

from .conftest import PERIOD
from .helpers import cli, pdf_text


def late_batch(lake: Lake) -> None:
    """New data arrives: another simulated batch of April 2022 reports (own ids), through the pipeline."""
    sim = simulate(SimulatorConfig(seed=8, start=dt.date(2022, 4, 1), end=dt.date(2022, 4, 30), scale=0.002))
    rename = pl.col("report_id").str.replace("HUES-", "HUES-LATE-")
    sim = dataclasses.replace(
        sim,
        reports=sim.reports.with_columns(rename),
        events=sim.events.with_columns(rename, pl.col("event_id").str.replace("HUES-", "HUES-LATE-")),
    )
    load_reference(lake, sim.units)
    ingest_batch(lake, sim.batch(batch_id="late-april"), prefix="sim")
    build_silver(lake)
    build_gold(lake)


def frames(data) -> dict[str, pl.DataFrame]:
    return {"ranking": data.ranking, "overdue": data.overdue, "trend": data.trend,
            "categories": data.categories, "unit_types": data.unit_types}


def test_as_of_gives_identical_numbers_after_an_append(lake_copy: Lake, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUE_IOC_LAKE", lake_copy.root)
    moment = dt.datetime.now(dt.UTC).isoformat()
    before = build_report_data(lake_copy, PERIOD, as_of=moment)
    cli(capsys, "report", "--period", PERIOD, "--out", str(tmp_path / "before.pdf"), "--as-of", moment)

    late_batch(Lake.open(lake_copy.root))

    after = build_report_data(Lake.open(lake_copy.root), PERIOD, as_of=moment)
    cli(capsys, "report", "--period", PERIOD, "--out", str(tmp_path / "after.pdf"), "--as-of", moment)
    now = build_report_data(Lake.open(lake_copy.root), PERIOD)

    assert after.versions == before.versions
    assert after.headline == before.headline
    for name, frame in frames(before).items():
        assert_frame_equal(frames(after)[name], frame, check_exact=True)
    assert pdf_text(tmp_path / "after.pdf") == pdf_text(tmp_path / "before.pdf")
    # typst is deterministic and the PDF's date is the data moment: the very same bytes
    assert (tmp_path / "after.pdf").read_bytes() == (tmp_path / "before.pdf").read_bytes()

    # the new data is there for a report built now: the numbers move, the versions move
    assert now.headline["current"]["received"] > before.headline["current"]["received"]
    assert now.versions["silver.reports"] > before.versions["silver.reports"]
    assert now.versions["gold.kpi_daily"] > before.versions["gold.kpi_daily"]
