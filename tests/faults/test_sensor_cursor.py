"""The disasters sensor skips no file when a run it asked for dies (issue 10): a file counts as seen only
once the run that loaded it succeeded; the sensor asks again for the files of a run that failed or died
(marked failed by the CLI's bookkeeping or Dagster's run monitoring), under a new run key.

Real Dagster instance (sqlite in a temporary DAGSTER_HOME), the real sensor, the real ``disasters_update``
job in a subprocess SIGKILLed right after its CAP bronze commit. On the old code the sensor had moved its
cursor when it asked, so the next tick skipped: the three warnings never reached silver.
"""

from __future__ import annotations

import json
import shutil

import dagster as dg
import pytest

from tests.faults.harness import run
from tests.faults.inputs import cap_paths, check_cap


def _tick(instance, cursor):
    from hue_ioc.defs.disasters import disasters_inbox_sensor

    ctx = dg.build_sensor_context(instance=instance, cursor=cursor)
    return disasters_inbox_sensor(ctx), ctx.cursor


@pytest.mark.parametrize("point", ["bronze.cap_alerts_raw",
                                   pytest.param("silver.warnings", marks=pytest.mark.faults)])
def test_a_dead_run_s_files_are_asked_for_again(point, make_storage, tmp_path, monkeypatch):
    from hue_ioc.commands.core import mark_dead_runs_failed

    storage = make_storage("local")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in cap_paths(str(tmp_path)):
        shutil.copy(path, inbox / path.name)
    monkeypatch.setenv("HUE_IOC_CAP_INBOX", str(inbox))
    monkeypatch.delenv("HUE_IOC_CAP_FEEDS", raising=False)
    monkeypatch.delenv("HUE_IOC_GAUGE_INBOX", raising=False)
    (tmp_path / "dagster").mkdir()
    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster"))

    req, cursor = _tick(instance, None)
    assert isinstance(req, dg.RunRequest)
    assert len(req.run_config["ops"]["cap_warnings"]["config"]["files"]) == 4
    first = run("disasters_run", json.dumps({"run_key": req.run_key, "run_config": req.run_config}),
                storage, tmp_path, kill_at=point)
    assert first.killed, first.stderr[-3000:]

    waiting, cursor = _tick(instance, cursor)
    assert isinstance(waiting, dg.SkipReason)  # the run is still STARTED: its files are not asked twice
    assert mark_dead_runs_failed(instance) == 1
    again, cursor = _tick(instance, cursor)
    assert isinstance(again, dg.RunRequest) and again.run_key != req.run_key
    assert sorted(again.run_config["ops"]["cap_warnings"]["config"]["files"]) == sorted(
        req.run_config["ops"]["cap_warnings"]["config"]["files"])
    done = run("disasters_run", json.dumps({"run_key": again.run_key, "run_config": again.run_config}),
               storage, tmp_path)
    assert done.code == 0, done.stderr[-3000:]

    after, cursor = _tick(instance, cursor)
    assert isinstance(after, dg.SkipReason)  # done: seen, asked for no more
    assert sorted(json.loads(cursor)["files"]) == sorted(str(p) for p in inbox.iterdir())
    check_cap(storage.lake())
