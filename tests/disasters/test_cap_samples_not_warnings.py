"""The CAP specification's example alerts (California, the US...) are samples, never Huế's warnings.

Loaded the way the demo and the Dagster asset load them, they are stored as samples (their own source,
direction and status) and no view counts them; a copy stored earlier as "received" is reclassified."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lake import Lake
from pipelines.disasters.cap_ingest import SAMPLE_SOURCE, ingest_documents
from pipelines.disasters.feeds import file_documents
from views import warnings
from views.floods_period import disaster_summary

ALL_TIME = (dt.datetime(1990, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC))


def _counts(lake: Lake) -> dict:
    return lake.sql("""SELECT count(*) n, count(*) FILTER (WHERE direction = 'received') received,
                              count(*) FILTER (WHERE status = 'Actual') actual,
                              count(*) FILTER (WHERE direction = 'sample' AND status = 'Sample'
                                               AND source = 'sample') samples
                       FROM silver.warnings""").row(0, named=True)


def _sent_times(lake: Lake) -> list[dt.datetime]:
    return lake.sql("SELECT sent FROM silver.warnings ORDER BY sent")["sent"].to_list()


def test_specification_examples_are_samples_and_never_counted(tmp_path: Path, cap_dir: Path):
    files = sorted(cap_dir.glob("*.xml"))
    assert len(files) == 3 and all("cap12_spec" in f.name for f in files)
    lake = Lake.open(tmp_path / "lake")
    res = ingest_documents(lake, file_documents(files, source=SAMPLE_SOURCE))
    assert res.inserted == 3
    assert _counts(lake) == {"n": 3, "received": 0, "actual": 0, "samples": 3}
    # the views: no warning in any period, none newest, none in force at the moment each was sent
    assert warnings.of_period(lake, *ALL_TIME).is_empty()
    assert warnings.newest(lake).is_empty()
    for sent in _sent_times(lake):
        assert warnings.in_force(lake, sent + dt.timedelta(minutes=1)).is_empty()
    summary = disaster_summary(lake, dt.date(1990, 1, 1), dt.date(2099, 12, 31))
    assert summary["warnings"]["received"] == 0 and summary["warnings"]["issued"] == 0
    assert warnings.samples(lake).height == 3


def test_a_sample_stored_before_as_received_is_reclassified(tmp_path: Path, cap_dir: Path):
    files = sorted(cap_dir.glob("*.xml"))
    lake = Lake.open(tmp_path / "lake")
    ingest_documents(lake, file_documents(files))  # as the demo loaded them before
    before = _counts(lake)
    assert before["received"] == 3 and before["actual"] == 3
    assert warnings.of_period(lake, *ALL_TIME)["warnings"].sum() == 3  # counted as warnings: the defect
    ingest_documents(lake, file_documents(files, source=SAMPLE_SOURCE))
    assert _counts(lake) == {"n": 3, "received": 0, "actual": 0, "samples": 3}
    assert warnings.of_period(lake, *ALL_TIME).is_empty()
    v = lake.version("silver.warnings")  # a rerun writes nothing more
    ingest_documents(lake, file_documents(files, source=SAMPLE_SOURCE))
    assert lake.version("silver.warnings") == v
