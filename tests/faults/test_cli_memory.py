"""What the CLI remembers across processes: how the lake was built, and which of its runs died."""

from __future__ import annotations

from lake import Lake
from pipelines.reports import build_params
from tests.faults.harness import run


def test_build_parameters_are_reused_and_a_change_is_said(tmp_path):
    lake = Lake.open(tmp_path / "lake")
    assert build_params.resolve(lake, {"scale": None}) == ({}, None)
    build_params.record(lake, {"scale": 0.2, "seed": 7, "start": "2019-05-01", "end": "2022-05-27"})
    params, said = build_params.resolve(lake, {"scale": None, "seed": None})
    assert params == {"scale": 0.2, "seed": 7, "start": "2019-05-01", "end": "2022-05-27"}
    assert "reusing" in said and "scale 0.2" in said
    params, said = build_params.resolve(lake, {"scale": 1.0, "seed": 7})
    assert params["scale"] == 1.0 and params["seed"] == 7
    assert "changed" in said and "scale 0.2 → 1.0" in said and "seed" not in said


def test_a_killed_dagster_run_is_marked_failed_by_the_next_build(make_storage, tmp_path, monkeypatch):
    """Issue 10: killed runs stayed STARTED for ever."""
    storage = make_storage("local")
    first = run("build", "sync_reports", storage, tmp_path, kill_at="lease:reports")
    assert first.killed
    assert "reusing" in first.stdout and "scale 0.005" in first.stdout  # the template's own parameters
    second = run("build", "sync_reports", storage, tmp_path)
    assert second.code == 0, second.stderr[-3000:]
    assert "1 run(s) whose process died were marked failed" in second.stdout
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        statuses = sorted(r.status.value for r in instance.get_runs())
    assert statuses == ["FAILURE", "SUCCESS"]
