"""Fixtures of the fault-injection suite: a small template lake built once, storages to copy it into."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from tests.faults.harness import Storage, copy_lake, moto_running
from tests.faults.inputs import HOSTILE_UNIT, template_fields


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``faults`` (the whole matrix) run under ``make faults`` (HUE_IOC_TEST_FAULTS=all);
    ``make test`` runs the unmarked representative subset."""
    if os.environ.get("HUE_IOC_TEST_FAULTS") == "all":
        return
    skip = pytest.mark.skip(reason="the whole fault matrix runs under `make faults`")
    for item in items:
        if item.get_closest_marker("faults") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reports lake of the simulator (seed 3, scale 0.005: 342 reports, 1,689 events) built once, with
    one more handling unit whose id is an SQL fragment (the inputs assign their reports to it)."""
    from pipelines.reports.build import build_gold, build_reports_lake

    root = tmp_path_factory.mktemp("template") / "lake"
    lake = Lake.open(root)
    build_reports_lake(lake, seed=3, scale=0.005)
    lake.merge("silver.units", pl.DataFrame({"unit_id": [HOSTILE_UNIT], "name": ["Đơn vị thử"],
                                             "unit_type": ["state"], "joined_on": [dt.date(2019, 5, 1)]}))
    build_gold(lake)
    return root


@pytest.fixture(scope="session")
def template_report(template: Path) -> tuple[dict, str]:
    return template_fields(Lake.open(template))


@pytest.fixture(scope="session")
def moto_env():
    with moto_running() as env:
        yield env


@pytest.fixture
def make_storage(tmp_path: Path, template: Path, request: pytest.FixtureRequest):
    """``make_storage("local"|"s3")``: a copy of the template lake on that storage, for this test alone."""
    def make(kind: str) -> Storage:
        if kind == "local":
            storage = Storage("local", str(tmp_path / "lake"))
        else:
            env = request.getfixturevalue("moto_env")
            bucket = f"faults-{abs(hash(request.node.nodeid)) % 10**10}"
            storage = Storage("s3", f"s3://{bucket}/lake", dict(env))
        copy_lake(template, storage)
        return storage
    return make
