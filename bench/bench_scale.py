"""Scale bench: the camera fleet on 1 and 2 celery workers, and the traffic-count queries of the dashboards
on a partitioned versus an unpartitioned table, on S3 (moto_server) versus a local folder, and before
versus after compaction.

1. Camera-hours per hour: the fleet job (hue_ioc.defs.cameras.camera_fleet_celery_job) over ``--cameras``
   file cameras (the example config's two videos, repeated under other ids), whole videos, on RabbitMQ with
   1 worker process, then 2; video seconds processed / wall seconds of the run. Efficiency = the 2-worker
   rate / (2 × the 1-worker rate).
2. Query p95: ``views.violations.traffic_flow`` (the violations page's hourly flow, all cameras) over 7 and
   30 days, and one camera's minutes of one day, on simulated counts
   (``pipelines.sources.counts_generator``) of ``--fleet`` cameras over ``--days`` days, written once
   partitioned by month and once unpartitioned (the same chunks). The table is read from its files (a
   view over ``read_parquet``), as it is when larger than the engine keeps resident, by setting
   ``SqlEngine.RESIDENT_BYTES`` to 0.
3. S3 vs local: the same queries on ``--s3-days`` days of the same counts on moto_server (an S3 *emulator*
   on loopback) and on a local folder. A remote table is held resident (DuckDB here reads no s3://), so the
   first query pays the whole load: reported apart.
4. A live write: one minute of the whole fleet merged (upsert by key) into each table: the partitioned
   merge reads only the month's files.
5. Compaction: files and p95 of the partitioned table before and after ``lake.compact``.

Run: .venv/bin/python bench/bench_scale.py [--cameras 4 --fleet 100 --days 92 --s3-days 7 --samples 15]
     → table on stdout, JSON in bench/results/scale.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("HUE_IOC_ASSETS", str(REPO.parent / "shared" / "assets"))

import yaml  # noqa: E402

from bench.common import percentiles_ms, timed, write  # noqa: E402

START = dt.date(2025, 1, 1)


# ------------------------------------------------------------------ 1. the fleet on celery workers
def fleet_config(folder: Path, cameras: int) -> tuple[Path, float]:
    """``cameras`` file cameras over the example's videos; returns the config and the video seconds the
    fleet will process (each video's frames / its frame rate)."""
    import cv2

    from core.settings import assets_dir
    from detectors.config import resolve_source

    data = yaml.safe_load((REPO / "configs" / "cameras.example.yaml").read_text(encoding="utf-8"))
    files = [c for c in data["cameras"] if "://" not in c["source"]]
    cams, seconds = [], 0.0
    for i in range(cameras):
        cam = dict(files[i % len(files)], id=f"{files[i % len(files)]['id']}-{i}")
        cams.append(cam)
        cap = cv2.VideoCapture(resolve_source(cam["source"], assets_dir()))
        seconds += cap.get(cv2.CAP_PROP_FRAME_COUNT) / (cap.get(cv2.CAP_PROP_FPS) or 25.0)
        cap.release()
    path = folder / "cameras.yaml"
    path.write_text(yaml.safe_dump({"defaults": data.get("defaults", {}), "cameras": cams}, allow_unicode=True),
                    encoding="utf-8")
    return path, seconds


def fleet_run(workers: int, cfg: Path, folder: Path) -> float:
    """Wall seconds of one fleet run on ``workers`` celery worker processes (started before, ready)."""
    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableJob

    home = folder / f"dagster-{workers}"
    home.mkdir()
    queue = f"hue-bench-{uuid.uuid4().hex[:8]}"
    os.environ["HUE_IOC_CELERY_QUEUE"] = queue
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "deploy" / "celery")]),
           "DAGSTER_HOME": str(home)}
    procs, logs = [], []
    try:
        for i in range(workers):
            log = folder / f"w{workers}-{i}.log"
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "dagster_celery.app", "worker", "-Q", queue, "-P", "solo",
                 "-c", "1", "-n", f"bench{i}-{queue}@%h", "--without-gossip", "--without-mingle",
                 "--loglevel", "INFO"],
                env=env, cwd=REPO, stdout=log.open("w"), stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 180
        while not all(" ready." in p.read_text() for p in logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("celery workers did not start: " + logs[0].read_text()[-2000:])
            time.sleep(0.2)
        run_config = {"ops": {"plan_cameras": {"config": {"config_path": str(cfg)}}},
                      "resources": {"lake": {"config": {"root": str(folder / f"lake-{workers}")}}}}
        with dg.DagsterInstance.from_config(str(home)) as instance:
            t0 = time.perf_counter()
            result = dg.execute_job(ReconstructableJob.for_module("hue_ioc.defs.cameras", "camera_fleet_celery_job"),
                                    instance=instance, run_config=run_config)
            wall = time.perf_counter() - t0
        assert result.success
        return wall
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)


def bench_fleet(cameras: int, folder: Path) -> dict:
    cfg, video_s = fleet_config(folder, cameras)
    out = {"cameras": cameras, "video_seconds": round(video_s, 1)}
    for workers in (1, 2):
        wall = fleet_run(workers, cfg, folder)
        out[f"wall_s_{workers}"] = round(wall, 1)
        out[f"camera_hours_per_hour_{workers}"] = round(video_s / wall, 3)
    out["efficiency"] = round(out["camera_hours_per_hour_2"] / (2 * out["camera_hours_per_hour_1"]), 2)
    return out


# ------------------------------------------------------------------ 2-4. the count queries
def write_counts(lakes: dict, fleet: int, days: int) -> dict[str, int]:
    """The same generated chunks into each lake: ``{"partitioned": Lake, "flat": Lake, ...}``; a lake named
    ``flat`` gets them without partitions (as a lake written before the partitioning)."""
    from deltalake import write_deltalake

    from lake.catalog import spec
    from lake.schema import conform
    from pipelines.sources.counts_generator import generate

    s = spec("silver.traffic_counts")
    rows = 0
    for k, frame in enumerate(generate(fleet, START, days, seed=2025)):
        for name, lake in lakes.items():
            if name == "flat":
                write_deltalake(lake.uri(s.name), conform(s, frame), mode="append",
                                storage_options=dict(lake.storage_options) or None)
            else:
                lake.append(s.name, frame)
        rows += frame.height
        if k % 10 == 0:
            print(f"  counts: day {k + 1}/{days}, {rows:,} rows", flush=True)
    return {"rows": rows}


def queries(days: int) -> dict:
    from views.violations import traffic_flow

    last = START + dt.timedelta(days=days - 1)
    one_day_t0 = dt.datetime.combine(last - dt.timedelta(days=3), dt.time(), dt.UTC)
    return {
        "flow · 7 days": lambda lake: traffic_flow(lake, last - dt.timedelta(days=6), last),
        "flow · 30 days": lambda lake: traffic_flow(lake, last - dt.timedelta(days=29), last),
        "one camera · 1 day": lambda lake: lake.sql(
            "SELECT minute, sum(count)::BIGINT n FROM silver.traffic_counts WHERE camera_id = $c "
            "AND minute >= $t0 AND minute < $t1 GROUP BY 1 ORDER BY 1",
            {"c": "sim-cam-0007", "t0": one_day_t0, "t1": one_day_t0 + dt.timedelta(days=1)}),
    }


def p95s(lakes: dict, qs: dict, samples: int) -> dict[str, dict[str, dict]]:
    """Alternating samples of each query on each lake (after one warm-up call each, reported apart)."""
    out: dict[str, dict[str, dict]] = {}
    for qname, fn in qs.items():
        times: dict[str, list[float]] = {n: [] for n in lakes}
        first = {n: timed(lambda lake=lake, fn=fn: fn(lake)) for n, lake in lakes.items()}
        answers = {n: fn(lake) for n, lake in lakes.items()}
        ref = next(iter(answers.values()))
        for n, a in answers.items():
            assert a.height == ref.height, (qname, n, a.height, ref.height)
        for _ in range(samples):
            for n, lake in lakes.items():
                times[n].append(timed(lambda lake=lake, fn=fn: fn(lake)))
        out[qname] = {n: {**percentiles_ms(t), "first_ms": round(first[n] * 1000, 1)} for n, t in times.items()}
    return out


def files(lake, name: str = "silver.traffic_counts") -> int:
    return len(lake._delta(name).file_uris())  # noqa: SLF001 - the bench counts files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cameras", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_CAMERAS", 4)))
    ap.add_argument("--fleet", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_FLEET", 100)))
    ap.add_argument("--days", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_DAYS", 92)))
    ap.add_argument("--s3-days", type=int, default=7)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--skip-fleet", action="store_true")
    args = ap.parse_args(sys.argv[1:] if __name__ == "__main__" else [])

    from lake import Lake, engine

    engine.SqlEngine.RESIDENT_BYTES = 0  # local tables read from their files, as a table past 48 MB is
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    rows_out: list[dict] = []
    payload: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "load_avg_at_start": os.getloadavg()}, "args": vars(args)}
    try:
        if not args.skip_fleet:
            print("fleet on celery: 1 then 2 workers", flush=True)
            fleet = bench_fleet(args.cameras, tmp)
            payload["fleet"] = fleet
            rows_out.append({"what": f"camera-hours/hour, {fleet['cameras']} cameras, 1 worker",
                             "value": fleet["camera_hours_per_hour_1"], "note": f"{fleet['wall_s_1']} s wall"})
            rows_out.append({"what": "camera-hours/hour, 2 workers", "value": fleet["camera_hours_per_hour_2"],
                             "note": f"{fleet['wall_s_2']} s wall, efficiency {fleet['efficiency']}"})

        print(f"counts: {args.fleet} cameras × {args.days} days, partitioned and flat", flush=True)
        big = {"partitioned": Lake.open(tmp / "part"), "flat": Lake.open(tmp / "flat")}
        t0 = time.perf_counter()
        made = write_counts(big, args.fleet, args.days)
        payload["counts"] = {**made, "fleet": args.fleet, "days": args.days,
                             "write_s_both": round(time.perf_counter() - t0, 1),
                             "files": {n: files(lk) for n, lk in big.items()}}
        qs = queries(args.days)
        part = p95s(big, qs, args.samples)
        payload["partitioned_vs_flat"] = part
        for q, r in part.items():
            rows_out.append({"what": f"{q}, {made['rows'] / 1e6:.1f} M rows: partitioned / flat p95 ms",
                             "value": f"{r['partitioned']['p95_ms']} / {r['flat']['p95_ms']}", "note": ""})

        # a live write: one minute of the whole fleet merged (upsert by key), as the live ingest does
        merges: dict[str, list[float]] = {n: [] for n in big}
        from pipelines.sources.counts_generator import generate

        minute_rows = next(generate(args.fleet, START + dt.timedelta(days=args.days - 1), 1, seed=99))
        minutes = sorted(set(minute_rows["minute"].to_list()))
        for i in range(min(args.samples, 8)):
            batch = minute_rows.filter(minute_rows["minute"] == minutes[600 + i])
            for n, lk in big.items():
                # the flat table keeps its stored layout: the merge predicate has no partition to prune by
                merges[n].append(timed(lambda lk=lk, batch=batch: lk.merge("silver.traffic_counts", batch)))
        payload["merge_one_minute"] = {n: percentiles_ms(t) for n, t in merges.items()}
        rows_out.append({"what": f"merge one minute of {args.fleet} cameras: partitioned / flat p95 ms",
                         "value": f"{payload['merge_one_minute']['partitioned']['p95_ms']} / "
                                  f"{payload['merge_one_minute']['flat']['p95_ms']}", "note": ""})

        before = files(big["partitioned"])
        t0 = time.perf_counter()
        big["partitioned"].compact("silver.traffic_counts")
        compact_s = time.perf_counter() - t0
        after = files(big["partitioned"])
        comp = p95s({"compacted": big["partitioned"]}, qs, args.samples)
        payload["compaction"] = {"files_before": before, "files_after": after, "seconds": round(compact_s, 1),
                                 "p95_after": comp}
        for q, r in comp.items():
            rows_out.append({"what": f"{q}: p95 ms after compaction ({before} → {after} files)",
                             "value": f"{r['compacted']['p95_ms']}",
                             "note": f"before {part[q]['partitioned']['p95_ms']}"})

        print(f"S3 (moto) vs local: {args.fleet} cameras × {args.s3_days} days", flush=True)
        from tests.faults.harness import s3_client, start_moto

        proc, env = start_moto()
        try:
            os.environ.update(env)
            s3_client(env).create_bucket(Bucket="bench-scale")
            small = {"local": Lake.open(tmp / "small"), "s3": Lake.open("s3://bench-scale/lake")}
            made_small = write_counts(small, args.fleet, args.s3_days)
            s3 = p95s(small, queries(args.s3_days), args.samples)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        payload["s3_vs_local"] = {**made_small, "queries": s3}
        for q, r in s3.items():
            rows_out.append({"what": f"{q}, {made_small['rows'] / 1e6:.1f} M rows: S3 / local p95 ms",
                             "value": f"{r['s3']['p95_ms']} / {r['local']['p95_ms']}",
                             "note": f"first call {r['s3']['first_ms']} / {r['local']['first_ms']} ms"})
        payload["machine"]["load_avg_at_end"] = os.getloadavg()
        write("scale", payload, rows_out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
