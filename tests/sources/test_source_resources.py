"""The sources as Dagster resources: configuration, live/recorded choice, use inside a materialization."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from pipelines.sources.open311.feeds import Open311FileSource, Open311HttpSource
from pipelines.sources.postgres import PostgresReportSource
from pipelines.sources.resources import Open311Resource, PostgresSourceResource


def test_open311_resource_live_or_recorded(tmp_path: Path):
    recorded = Open311Resource(path=str(tmp_path)).source()
    assert isinstance(recorded, Open311FileSource)
    live = Open311Resource(base_url="http://127.0.0.1:9/open311/v2", format="xml", page_size=50,
                           record_dir=str(tmp_path / "rec"), read_timeout_seconds=3).source()
    assert isinstance(live, Open311HttpSource)
    assert (live.fmt, live.page_size, live.timeout, live.record_dir) == ("xml", 50, (5.0, 3.0), str(tmp_path / "rec"))
    with pytest.raises(ValueError, match="base_url"):
        Open311Resource().source()
    with pytest.raises(ValueError, match="not both"):
        Open311Resource(base_url="http://x", path=str(tmp_path)).source()


def test_postgres_resource_builds_source():
    src = PostgresSourceResource(dsn="host=127.0.0.1 dbname=test", db_schema="app").source()
    assert isinstance(src, PostgresReportSource) and (src.dsn, src.schema) == ("host=127.0.0.1 dbname=test", "app")
    with pytest.raises(ValueError, match="no dsn"):
        PostgresSourceResource().source()


def test_open311_resource_in_a_materialization(data_dir: Path):
    @dg.asset
    def open311_batch(open311: Open311Resource) -> dg.MaterializeResult:
        batch = open311.source().fetch()
        return dg.MaterializeResult(metadata={
            "reports": len(batch.reports()), "events": len(batch.events()), "rejects": len(batch.rejects),
            "watermark": batch.watermark or ""})

    result = dg.materialize([open311_batch], resources={
        "open311": Open311Resource(path=str(data_dir / "open311"), timezone="America/New_York",
                                   id_prefix="us:")})
    assert result.success
    meta = result.asset_materializations_for_node("open311_batch")[0].metadata
    # events: 201 received + 83 resolved; the packaged mapping table maps no agency yet, so no assignment
    assert meta["reports"].value == 201 and meta["events"].value == 284 and meta["rejects"].value == 0
    assert meta["watermark"].value == "2014-07-12T16:08:21+00:00"
