"""Cameras: simulated violation history, real detections over registered video files, an inbox sensor,
and the daily violations roll-up. Asset logic lives in plain functions (tested directly)."""

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from core.settings import assets_dir, repo_root
from hue_ioc.defs.catalog import SOURCE_RETRY, lake_asset, lake_spec, materialized, table_metadata
from hue_ioc.defs.resources import LakeResource
from lake import Lake
from lake.recompute import violations_daily as violations_daily_rows
from pipelines.sources.camera_simulator import CameraSimConfig, load_camera_history

if TYPE_CHECKING:
    from detectors.model_cache import ModelCache

GROUP = "cameras"
VIDEO_EXTS = {".mp4", ".avi", ".mkv", ".mov", ".gif", ".ts"}
DEFAULT_CONFIG = "configs/cameras.example.yaml"


def default_config_path() -> Path:
    return Path(os.environ.get("HUE_IOC_CAMERAS") or repo_root() / DEFAULT_CONFIG)


def inbox_dir() -> Path:
    """Where new video files arrive: ``<inbox>/<camera_id>/<file>`` (HUE_IOC_CAMERA_INBOX, default
    ./data/camera_inbox)."""
    return Path(os.environ.get("HUE_IOC_CAMERA_INBOX") or "data/camera_inbox")


# ------------------------------------------------------------------ plain functions
def process_videos(lake: Lake, config_path: str | Path, files: list[str] | None = None,
                   max_frames: int | None = None, inference_precision: str | None = None,
                   log: Any = None, models: "ModelCache | None" = None) -> dict[str, Any]:
    """Run the detector over registered videos. ``files`` = ``["<camera_id>=<path>", ...]``; empty =
    every enabled camera of the config whose source is a file. A camera that fails gets a row in
    silver.rejects with the reason; the others go on."""
    from detectors.config import camera_by_id, load_cameras
    from detectors.model_cache import ModelCache
    from detectors.runner import run_cameras

    cams = load_cameras(config_path)
    base = Path(config_path).parent
    models = models or ModelCache(assets_dir(), inference_precision=inference_precision)
    results = []
    if files:
        for item in files:
            cam_id, sep, path = item.partition("=")
            if not sep:
                raise ValueError(f"expected <camera_id>=<path>, got {item!r}")
            cam = camera_by_id(cams, cam_id)
            results += run_cameras([cam], lake, models, source=path, max_frames=max_frames, base=base)
    else:
        file_cams = [c for c in cams if "://" not in c.source]
        results = run_cameras(file_cams, lake, models, max_frames=max_frames, base=base)
    for r in results:
        if log is not None:
            log.info(r.summary())
    return {"cameras": len(results), "ok": sum(r.status == "ok" for r in results),
            "failed": [r.camera_id for r in results if r.status == "error"],
            "events": sum(len(r.events) for r in results),
            "violations": sum(r.written.get("violations", 0) for r in results)}


def build_violations_daily(lake: Lake) -> int:
    df = violations_daily_rows(lake)  # the same rows the live ingest advances per (day, camera)
    lake.overwrite("gold.violations_daily", df)
    return df.height


def build_demo_cameras(lake: Lake, assets_available: bool, config_path: str | Path | None = None,
                       max_frames: int | None = None, history: CameraSimConfig | None = None,
                       models: "ModelCache | None" = None) -> dict[str, Any]:
    """For ``hue-ioc demo``: the simulated three-year history and, when the assets are there, the real
    pipeline over car-detection.mp4 with the example camera config; then the daily roll-up."""
    out: dict[str, Any] = {"history": load_camera_history(lake, history)}
    print(f"cameras: lịch sử vi phạm mô phỏng / simulated violation history: {out['history']['violations']} rows")
    if assets_available:
        cfg = Path(config_path or default_config_path())
        from detectors.config import load_cameras

        cam = next(c for c in load_cameras(cfg) if "car-detection.mp4" in c.source)
        out["detections"] = process_videos(lake, cfg, files=[f"{cam.id}={cam.source}"], max_frames=max_frames,
                                           models=models)
        print(f"cameras: {cam.id} phát hiện / detected: {out['detections']['events']} events, "
              f"{out['detections']['violations']} violations")
    else:
        print("cameras: không có mô hình/video mẫu — bỏ qua phát hiện thật / no models or sample video, "
              "skipping real detection. Get them with `hue-ioc assets fetch` (models) and set HUE_IOC_ASSETS "
              "to a folder holding videos/intel-sample-videos/car-detection.mp4 "
              "(https://github.com/intel-iot-devkit/sample-videos).")
    out["daily_rows"] = build_violations_daily(lake)
    return out


def new_inbox_files(folder: Path, seen: dict[str, float]) -> list[tuple[str, Path, float]]:
    """(camera_id, path, mtime) of video files under ``<folder>/<camera_id>/`` not yet seen (by mtime)."""
    out = []
    if not folder.is_dir():
        return out
    for cam_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for f in sorted(cam_dir.iterdir()):
            if f.suffix.lower() in VIDEO_EXTS and f.is_file():
                m = f.stat().st_mtime
                if seen.get(str(f)) != m:
                    out.append((cam_dir.name, f, m))
    return out


# ------------------------------------------------------------------ assets
class CameraHistoryConfig(dg.Config):
    seed: int = 2019
    until: str = ""  # last day of the timeline, YYYY-MM-DD; empty: the reports' timeline (their build parameters)


@dg.asset(**lake_asset("silver.violations", GROUP,
                       description="Traffic violations and incidents, one row per (camera, rule, track) event, with "
                                   "plate (operators only), evidence crop and the officer's review: the simulated "
                                   "2019-05..2022-05 history (source='simulated') plus the rows the detector "
                                   "writes (camera_detections)."))
def camera_violation_history(context: dg.AssetExecutionContext, config: CameraHistoryConfig,
                             lake: LakeResource) -> dg.MaterializeResult:
    lk = lake.lake()
    from pipelines.disasters.demo import timeline_end

    until = dt.date.fromisoformat(config.until) if config.until else timeline_end(lk)
    counts = load_camera_history(lk, CameraSimConfig(seed=config.seed, until=until))
    return dg.MaterializeResult(metadata=table_metadata(
        lk, "silver.violations", {f"written/{k}": dg.MetadataValue.int(v) for k, v in counts.items()}))


class CameraVideoConfig(dg.Config):
    config_path: str = ""  # empty: HUE_IOC_CAMERAS or configs/cameras.example.yaml
    files: list[str] = []  # "<camera_id>=<path>"; empty: every file source in the config
    max_frames: int = 0
    inference_precision: str = ""  # OpenVINO INFERENCE_PRECISION_HINT (f32 for reproducible runs); empty: device's


@dg.multi_asset(
    specs=[lake_spec("bronze.camera_events_raw", GROUP,
                     description="Every rule event the detector emitted over registered video files, as emitted "
                                 "(it also inserts the detector's rows into silver.violations, review pending)."),
           lake_spec("silver.traffic_counts", GROUP)],
    retry_policy=SOURCE_RETRY,
)
def camera_detections(context: dg.AssetExecutionContext, config: CameraVideoConfig, lake: LakeResource):
    out = process_videos(lake.lake(), config.config_path or default_config_path(), config.files or None,
                         config.max_frames or None, inference_precision=config.inference_precision or None,
                         log=context.log)
    meta = {"cameras": out["cameras"], "ok": out["ok"], "events": out["events"], "violations": out["violations"],
            "failed": ", ".join(out["failed"])}
    yield materialized(lake.lake(), "bronze.camera_events_raw", meta)
    yield materialized(lake.lake(), "silver.traffic_counts")


@dg.asset(**lake_asset("gold.violations_daily", GROUP, deps=["silver.violations", "bronze.camera_events_raw"]))
def violations_daily(lake: LakeResource) -> dg.MaterializeResult:
    lk = lake.lake()
    build_violations_daily(lk)
    return dg.MaterializeResult(metadata=table_metadata(lk, "gold.violations_daily"))


@dg.asset_check(asset=["silver", "violations"], description="review status known, fines not negative, "
                "end not before start")
def violations_valid(lake: LakeResource) -> dg.AssetCheckResult:
    bad = lake.lake().sql("""select count(*) filter (where review_status not in ('pending','confirmed','dismissed'))
        as bad_status, count(*) filter (where fine_vnd < 0) as bad_fine,
        count(*) filter (where end_at < start_at) as bad_time from silver.violations""").row(0, named=True)
    return dg.AssetCheckResult(passed=not any(bad.values()), metadata=bad)


camera_videos_job = dg.define_asset_job(
    "camera_videos_job", selection=dg.AssetSelection.assets(["bronze", "camera_events_raw"],
                                                            ["silver", "traffic_counts"],
                                                            ["gold", "violations_daily"]),
    description="Process registered video files (or the inbox files a sensor names) and roll up the day.")


build_cameras = dg.define_asset_job(
    "build_cameras", selection=dg.AssetSelection.groups(GROUP),
    description="Build the camera tables: the simulated violation history, the detector over registered videos "
                "and the daily roll-up (hue-ioc demo runs it, without the detector when the models are absent).")


@dg.sensor(job=camera_videos_job, minimum_interval_seconds=30,
           description="New video files in <inbox>/<camera_id>/ (HUE_IOC_CAMERA_INBOX) → one run each.")
def camera_inbox_sensor(context: dg.SensorEvaluationContext):
    seen: dict[str, float] = json.loads(context.cursor) if context.cursor else {}
    found = new_inbox_files(inbox_dir(), seen)
    for cam_id, path, mtime in found:
        seen[str(path)] = mtime
        yield dg.RunRequest(
            run_key=f"{path}:{mtime}",
            run_config={"ops": {"camera_detections": {"config": {"files": [f"{cam_id}={path}"]}}}},
            tags={"camera_id": cam_id})
    if found:
        context.update_cursor(json.dumps(seen))


# ------------------------------------------------------------------ the camera fleet: one step per camera
# A camera is one step: on the default executor the steps run as processes of one machine; on the celery
# executor each step is a task on a broker that any number of worker processes (on any number of
# machines) take. A worker that dies mid-step leaves its task unacknowledged (acks_late), so the broker
# hands it to another worker, which runs the camera again from the start: every row the writer puts in
# the lake is keyed by a stable event id (insert-only merges) or by (camera, minute, line, class,
# direction) with the minute's full count, so a step run twice writes each event once.
_MODELS: dict[tuple[str, str], "ModelCache"] = {}  # compiled models per worker process, kept across steps


def worker_models(inference_precision: str | None) -> "ModelCache":
    from detectors.model_cache import ModelCache

    key = (str(assets_dir()), inference_precision or "")
    if key not in _MODELS:
        _MODELS[key] = ModelCache(assets_dir(), inference_precision=inference_precision)
    return _MODELS[key]


def celery_settings() -> dict[str, Any]:
    """Celery settings shared by the executor (the run's side) and the workers
    (``deploy/celery/dagster_celery_config.py``). The broker is HUE_IOC_CELERY_BROKER (default RabbitMQ
    on 127.0.0.1:5672; ``redis://127.0.0.1:6379/0`` works too), results go back over the broker (rpc://)
    or HUE_IOC_CELERY_BACKEND."""
    return {
        "broker_url": os.environ.get("HUE_IOC_CELERY_BROKER", "pyamqp://guest:guest@127.0.0.1:5672//"),
        "result_backend": os.environ.get("HUE_IOC_CELERY_BACKEND", "rpc://"),
        # a task is acknowledged when it ends, not when a worker takes it: a worker killed mid-step
        # leaves it on the broker, which gives it to another worker
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,  # a pool child killed: requeue, do not fail the task
        "worker_prefetch_multiplier": 1,  # a worker holds one camera at a time; the rest wait for any worker
        "broker_connection_retry_on_startup": True,
        # the queue the steps go to and the workers listen on (-Q): one per fleet sharing a broker
        "task_default_queue": os.environ.get("HUE_IOC_CELERY_QUEUE", "dagster"),
    }


def celery_executor_config() -> dict[str, Any]:
    settings = celery_settings()
    return {"broker": settings["broker_url"], "backend": settings["result_backend"],
            "config_source": {k: v for k, v in settings.items() if k not in ("broker_url", "result_backend")}}


class CameraFleetConfig(dg.Config):
    config_path: str = ""  # empty: HUE_IOC_CAMERAS or configs/cameras.example.yaml
    cameras: list[str] = []  # camera ids; empty: every enabled camera whose source is a file
    max_frames: int = 0
    inference_precision: str = ""


@dg.op(out=dg.DynamicOut(dict), description="Registers the cameras and yields one step per camera.")
def plan_cameras(context: dg.OpExecutionContext, config: CameraFleetConfig, lake: LakeResource):
    from detectors.config import load_cameras
    from detectors.writer import register_cameras

    path = str(config.config_path or default_config_path())
    cams = [c for c in load_cameras(path) if c.enabled and "://" not in c.source
            and (not config.cameras or c.id in config.cameras)]
    register_cameras(lake.lake(), cams)
    for i, cam in enumerate(cams):
        yield dg.DynamicOutput({"camera_id": cam.id, "source": cam.source, "config_path": path,
                                "max_frames": config.max_frames,
                                "inference_precision": config.inference_precision},
                               mapping_key=f"c{i}_{''.join(ch if ch.isalnum() else '_' for ch in cam.id)}")


@dg.op(retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
       description="One camera's video through the detector into the lake (idempotent: a rerun writes "
                   "the same keys).")
def process_camera(context: dg.OpExecutionContext, camera: dict, lake: LakeResource) -> dict:
    import socket

    context.log.info(f"camera {camera['camera_id']} on {socket.gethostname()} pid {os.getpid()}")
    out = process_videos(lake.lake(), camera["config_path"], files=[f"{camera['camera_id']}={camera['source']}"],
                         max_frames=camera["max_frames"] or None,
                         inference_precision=camera["inference_precision"] or None, log=context.log,
                         models=worker_models(camera["inference_precision"] or None))
    if out["failed"]:  # the reason is in silver.rejects; the other cameras and the roll-up go on
        context.log.warning(f"camera {camera['camera_id']} failed (reason in silver.rejects)")
    return out


@dg.op(description="The daily violations roll-up once every camera is done.")
def roll_up_cameras(context: dg.OpExecutionContext, results: list[dict], lake: LakeResource) -> dict:
    rows = build_violations_daily(lake.lake())
    total = {"cameras": len(results), "events": sum(r["events"] for r in results),
             "violations": sum(r["violations"] for r in results), "daily_rows": rows}
    context.add_output_metadata({k: dg.MetadataValue.int(v) for k, v in total.items()})
    return total


@dg.graph(description="Every file camera as its own step, then the daily roll-up.")
def camera_fleet():
    return roll_up_cameras(plan_cameras().map(process_camera).collect())


# one machine: the steps as processes beside each other
camera_fleet_job = camera_fleet.to_job(name="camera_fleet_job", resource_defs={"lake": LakeResource()})


def _celery_job() -> dg.JobDefinition:
    from dagster_celery import celery_executor

    return camera_fleet.to_job(
        name="camera_fleet_celery_job", resource_defs={"lake": LakeResource()},
        executor_def=celery_executor.configured(lambda _: celery_executor_config(), config_schema={}),
        description="The camera fleet on the celery executor: start workers with "
                    "`celery -A dagster_celery.app worker -Q dagster` (deploy/celery/README).")


# many machines: the same steps as celery tasks (needs the broker and workers; see deploy/celery)
camera_fleet_celery_job = _celery_job()


defs = dg.Definitions(
    assets=[camera_violation_history, camera_detections, violations_daily],
    asset_checks=[violations_valid],
    jobs=[camera_videos_job, build_cameras, camera_fleet_job, camera_fleet_celery_job],
    sensors=[camera_inbox_sensor],
)
