"""The camera fleet on Dagster's celery executor, with the real broker (RabbitMQ on 127.0.0.1:5672) and two
worker processes, one of which is SIGKILLed mid-step: the run completes, no event is written twice, and the
lake holds exactly what the same cameras give when run in this process without any broker.

The worker that dies kills itself with a real SIGKILL right after its first commit to
``bronze.camera_events_raw`` (``HUE_IOC_TEST_KILL_AT``, the crash suite's kill points), so the death lands
at the same point on every run: mid-step, after part of the camera's rows are committed and before the
rest are. Its task was not acknowledged (acks_late), so the broker gives it to the other worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import yaml

from lake import Lake

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "configs" / "cameras.example.yaml"
MAX_FRAMES = 60

pytestmark = [pytest.mark.celery, pytest.mark.assets, pytest.mark.slow]


def fleet_config(tmp: Path) -> Path:
    """Four file cameras: the example's two, and each again under another id (the same video)."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    files = [c for c in data["cameras"] if "://" not in c["source"]][:2]
    assert len(files) == 2
    cams = [*files, *({**c, "id": f"{c['id']}-b"} for c in files)]
    path = tmp / "cameras.yaml"
    path.write_text(yaml.safe_dump({"defaults": data.get("defaults", {}), "cameras": cams}, allow_unicode=True),
                    encoding="utf-8")
    return path


def start_worker(name: str, env: dict[str, str], log: Path, kill_at: str | None = None) -> subprocess.Popen:
    env = dict(env)
    env.pop("HUE_IOC_TEST_KILL_AT", None)
    if kill_at:
        env["HUE_IOC_TEST_KILL_AT"] = kill_at
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dagster_celery.app", "worker", "-Q", env["HUE_IOC_CELERY_QUEUE"],
         "-P", "solo", "-c", "1", "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"], env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT)


def wait_ready(workers: dict[str, subprocess.Popen], logs: dict[str, Path], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in workers.items():
            assert proc.poll() is None, f"worker {name} exited early:\n{logs[name].read_text()[-3000:]}"
        if all(" ready." in logs[n].read_text() for n in workers):
            return
        time.sleep(0.2)
    raise AssertionError("celery workers did not come up:\n" + "\n".join(p.read_text()[-2000:] for p in logs.values()))


def test_fleet_on_celery_survives_a_worker_killed_mid_step(tmp_path, monkeypatch, assets_dir):
    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableJob

    from hue_ioc.defs.cameras import camera_fleet_celery_job, process_videos, worker_models

    cfg = fleet_config(tmp_path)
    home = tmp_path / "dagster"
    home.mkdir()
    queue = f"hue-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "deploy" / "celery")]),
           "DAGSTER_HOME": str(home), "HUE_IOC_CELERY_QUEUE": queue, "HUE_IOC_ASSETS": str(assets_dir),
           "PYTHONDONTWRITEBYTECODE": "1"}
    monkeypatch.setenv("HUE_IOC_CELERY_QUEUE", queue)
    logs = {n: tmp_path / f"{n}.log" for n in ("doomed", "steady")}
    workers = {"doomed": start_worker("doomed", env, logs["doomed"], kill_at="bronze.camera_events_raw"),
               "steady": start_worker("steady", env, logs["steady"])}
    root = tmp_path / "lake"
    # a lost task would leave the run waiting for ever: after 10 minutes, interrupt it (it then fails)
    watchdog = threading.Timer(600, os.kill, (os.getpid(), signal.SIGINT))
    try:
        wait_ready(workers, logs)
        run_config = {"ops": {"plan_cameras": {"config": {"config_path": str(cfg), "max_frames": MAX_FRAMES,
                                                          "inference_precision": "f32"}}},
                      "resources": {"lake": {"config": {"root": str(root)}}}}
        watchdog.start()
        with dg.DagsterInstance.from_config(str(home)) as instance:
            result = dg.execute_job(ReconstructableJob.for_module("hue_ioc.defs.cameras", "camera_fleet_celery_job"), instance=instance, run_config=run_config,
                                    raise_on_error=False)
            watchdog.cancel()
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            hosts = [meta["Celery worker"] for e in instance.all_logs(result.run_id)
                     if e.dagster_event and e.dagster_event.is_engine_event
                     and "Celery worker" in (meta := e.dagster_event.event_specific_data.metadata or {})]
        # the doomed worker took a step and died in it; the steady one ran the rest, the requeued step too
        assert workers["doomed"].wait(timeout=30) == -signal.SIGKILL, logs["doomed"].read_text()[-3000:]
        assert workers["steady"].poll() is None
        names = {str(getattr(h, 'value', h)).split("@")[0] for h in hosts}
        assert names == {"doomed", "steady"}, hosts
    finally:
        watchdog.cancel()
        for proc in workers.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert camera_fleet_celery_job.name == "camera_fleet_celery_job"

    lake = Lake.open(root)
    # plain SQL: no event id twice in bronze or silver, no counting key twice
    raw = lake.sql("SELECT count(*) n, count(DISTINCT raw_id) d FROM bronze.camera_events_raw").row(0, named=True)
    assert raw["n"] == raw["d"] > 0
    vio = lake.sql("SELECT count(*) n, count(DISTINCT event_id) d FROM silver.violations").row(0, named=True)
    assert vio["n"] == vio["d"] > 0
    assert lake.sql("""SELECT count(*) FROM (SELECT camera_id, minute, line_id, class_name, direction
                       FROM silver.traffic_counts GROUP BY ALL HAVING count(*) > 1)""").item() == 0

    # the same four cameras run here, one after the other, into a lake of their own: the same rows
    ref = Lake.open(tmp_path / "reference")
    models = worker_models("f32")
    from detectors.config import load_cameras

    for cam in load_cameras(cfg):
        process_videos(ref, cfg, files=[f"{cam.id}={cam.source}"], max_frames=MAX_FRAMES, models=models)
    ids = "SELECT raw_id FROM bronze.camera_events_raw ORDER BY 1"
    assert lake.sql(ids)["raw_id"].to_list() == ref.sql(ids)["raw_id"].to_list()
    vids = "SELECT event_id, camera_id, violation_type FROM silver.violations ORDER BY 1"
    assert lake.sql(vids).rows() == ref.sql(vids).rows()
    counts = ("SELECT camera_id, minute, line_id, class_name, direction, count FROM silver.traffic_counts "
              "ORDER BY ALL")
    assert lake.sql(counts).rows() == ref.sql(counts).rows()
    per_camera = lake.sql("SELECT camera_id, count(*) n FROM bronze.camera_events_raw GROUP BY 1 ORDER BY 1")
    assert per_camera.height == 4
