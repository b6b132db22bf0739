"""Scale bench: the dashboards' traffic-count queries on ≥ 100 M simulated count rows, partitioned by month
versus not, with and without the month filter; S3 (moto_server) versus a local folder; compaction; whether
violations pay for partitioning; and the camera fleet on 1 and 2 celery workers.

Parts (``--parts``, each adds its section to bench/results/scale.json and keeps the others):

- ``counts``: simulated per-minute counts (``pipelines.sources.counts_generator``, ``source =
  'simulated'``) of ``--fleet`` cameras, day after day until ``--rows`` rows, written chunk by chunk (a day
  of the fleet, ~2 M rows: never the whole table in memory) into a table partitioned by month
  (``Lake.append``) and an unpartitioned one (the same chunks). Then p95 of the view functions the screens
  call over counts: ``views.violations.traffic_flow`` (violations page: hourly flow of all cameras, 7 and 30
  days) and ``views.freshness.freshness`` (every page's "Camera: … ago"), on: the partitioned table, the
  partitioned table read by the views' previous SQL (no month filter / a full max), and the flat table.
  Tables larger than the engine keeps resident are views over their files: this one is. Then a live
  upsert (one minute of the fleet merged by key) on both, and compaction of the partitioned table
  (files, seconds, p95 after).
- ``s3``: the same views on ``--s3-rows`` rows in a local folder and on moto_server (an S3 *emulator* on
  loopback). A remote table is held resident (DuckDB here reads no s3://): the first call pays the load,
  reported apart.
- ``violations``: the camera violation history simulated ``--violations-scale`` times Huế's published rate
  (``CameraSimConfig.recorded``): its size on disk, whether the engine keeps it resident, p95 of the
  violations page's month (``views.violations.slices``) resident and read from files.
- ``fleet``: camera-hours per hour of ``hue_ioc.defs.cameras.camera_fleet_celery_job`` over ``--cameras``
  file cameras on RabbitMQ with 1 worker process, then 2; efficiency = the 2-worker rate / (2 × the
  1-worker rate). Run it last, on the quietest machine you can: the load average is recorded.

Run: .venv/bin/python bench/bench_scale.py --parts counts,s3,violations [--fleet 500 --rows 100000000]
     .venv/bin/python bench/bench_scale.py --parts fleet --cameras 4
     → table on stdout, JSON in bench/results/scale.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
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

from bench.common import RESULTS, percentiles_ms, timed, write  # noqa: E402

START = dt.date(2025, 1, 1)
TABLE = "silver.traffic_counts"


def peak_rss_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2)


def load_now() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ------------------------------------------------------------------ the fleet on celery workers
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
    out = {"cameras": cameras, "video_seconds": round(video_s, 1), "load_avg_before": load_now()}
    for workers in (1, 2):
        wall = fleet_run(workers, cfg, folder)
        out[f"wall_s_{workers}"] = round(wall, 1)
        out[f"camera_hours_per_hour_{workers}"] = round(video_s / wall, 3)
        out[f"load_avg_after_{workers}"] = load_now()
    out["efficiency"] = round(out["camera_hours_per_hour_2"] / (2 * out["camera_hours_per_hour_1"]), 2)
    return out


# ------------------------------------------------------------------ the count tables
def write_counts(lakes: dict, fleet: int, rows_target: int) -> dict:
    """The same generated day chunks into each lake until ``rows_target`` rows: ``{"partitioned": Lake,
    "flat": Lake, ...}``; a lake named ``flat`` gets them unpartitioned (as a lake written before the
    partitioning, with the month column in the files)."""
    from deltalake import write_deltalake

    from lake.catalog import spec
    from lake.schema import conform
    from pipelines.sources.counts_generator import generate

    s = spec(TABLE)
    rows = days = 0
    seconds = dict.fromkeys(lakes, 0.0)
    for frame in generate(fleet, START, 10_000, seed=2025):
        for name, lake in lakes.items():
            t0 = time.perf_counter()
            if name == "flat":
                write_deltalake(lake.uri(s.name), conform(s, frame), mode="append",
                                storage_options=dict(lake.storage_options) or None)
            else:
                lake.append(s.name, frame)
            seconds[name] += time.perf_counter() - t0
        rows += frame.height
        days += 1
        if days % 5 == 0:
            print(f"  counts: day {days}, {rows:,} rows, peak RSS {peak_rss_gb()} GB", flush=True)
        if rows >= rows_target:
            break
    return {"rows": rows, "days": days, "fleet": fleet, "write_s": {n: round(v, 1) for n, v in seconds.items()}}


def old_flow(lake, start: dt.date, end: dt.date):
    """The violations page's hourly flow as the view read it before the month filter (its SQL unchanged)."""
    from core.tz import VN_TZ_NAME, day_window

    t0, t1 = day_window(start, end)
    return lake.sql(f"""
        SELECT date_trunc('hour', timezone('{VN_TZ_NAME}', t.minute)) AS "hour", t.camera_id,
               coalesce(any_value(c.name), t.camera_id) name, sum(t.count)::BIGINT vehicles
        FROM silver.traffic_counts t LEFT JOIN silver.cameras c USING (camera_id)
        WHERE t.minute >= $t0 AND t.minute < $t1 AND ($all_cams OR list_contains($cams::VARCHAR[], t.camera_id))
        GROUP BY 1, 2 ORDER BY 1, 2""", {"t0": t0, "t1": t1, "all_cams": True, "cams": []})


def old_freshness(lake):
    """The camera source's count moment as freshness read it before: the whole column's max."""
    return lake.sql("SELECT max(updated_at) FROM silver.traffic_counts").item()


def queries(days: int, lakes: dict, old: tuple[str, ...] = (), spans: tuple[int, ...] = (7, 30)) -> dict[str, dict]:
    """``{query: {variant: callable}}``: the views on each lake, and on the lakes named in ``old`` also the
    views' previous SQL (variant ``<lake>, before``)."""
    from views.freshness import freshness
    from views.violations import traffic_flow

    last = START + dt.timedelta(days=days - 1)
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 10), dt.UTC)  # 10 min after the newest
    out: dict[str, dict] = {}
    for span in sorted({min(s, days) for s in spans}):  # a shorter table: its whole period
        first = last - dt.timedelta(days=span - 1)
        q = out[f"hourly flow · {span} days"] = {n: (lambda lk=lk, a=first: traffic_flow(lk, a, last))
                                                  for n, lk in lakes.items()}
        for n in old:
            q[f"{n}, before"] = lambda lk=lakes[n], a=first: old_flow(lk, a, last)
    q = out["freshness (every page)"] = {n: (lambda lk=lk: freshness(lk, now)) for n, lk in lakes.items()}
    for n in old:
        q[f"{n}, before"] = lambda lk=lakes[n]: old_freshness(lk)
    return out


def answer(value) -> object:
    import polars as pl

    if isinstance(value, pl.DataFrame):
        if "newest_at" in value.columns:  # freshness: the camera source's moment is what the variants share
            return value.filter(pl.col("source") == "camera")["newest_at"].item()
        return value.sort(value.columns[:2]).rows()
    return value


def p95s(qs: dict[str, dict], samples: int) -> dict[str, dict[str, dict]]:
    """Alternating samples of each variant of each query, after one warm-up call each (reported apart);
    the variants' answers must agree."""
    out: dict[str, dict[str, dict]] = {}
    for qname, variants in qs.items():
        first, answers = {}, {}
        for n, fn in variants.items():
            t0 = time.perf_counter()
            answers[n] = answer(fn())
            first[n] = time.perf_counter() - t0
        ref = next(iter(answers.values()))
        for n, a in answers.items():
            assert a == ref, (qname, n)
        times: dict[str, list[float]] = {n: [] for n in variants}
        for _ in range(samples):
            for n, fn in variants.items():
                times[n].append(timed(fn))
        out[qname] = {n: {**percentiles_ms(t), "first_ms": round(first[n] * 1000, 1)} for n, t in times.items()}
        print(f"  {qname}: " + ", ".join(f"{n} {v['p95_ms']} ms" for n, v in out[qname].items()), flush=True)
    return out


def files(lake, name: str = TABLE) -> int:
    return len(lake._delta(name).file_uris())  # noqa: SLF001 - the bench counts files


def bench_counts(args, tmp: Path, rows_out: list[dict]) -> dict:
    from lake import Lake, engine
    from pipelines.sources.counts_generator import generate

    engine.SqlEngine.RESIDENT_BYTES = 0  # read from the files at any size, as past 48 MB (100 M rows: ~170 MB)
    where = Path(args.reuse) if args.reuse else tmp
    big = {"partitioned": Lake.open(where / "part", role="service"),
           "flat": Lake.open(where / "flat", role="service")}
    if args.reuse:  # the tables an earlier run wrote (and left uncompacted): only the measurements again
        rows, newest = big["partitioned"].sql("SELECT count(*), max(minute) FROM silver.traffic_counts").row(0)
        made = {"rows": rows, "days": (newest.date() - START).days + 1, "fleet": args.fleet, "reused": str(where)}
        print(f"counts: {rows:,} rows reused from {where}", flush=True)
    else:
        print(f"counts: {args.fleet} cameras until {args.rows:,} rows, partitioned and flat", flush=True)
        made = write_counts(big, args.fleet, args.rows)
    out: dict = {**made, "files": {n: files(lk) for n, lk in big.items()}, "peak_rss_gb_after_write": peak_rss_gb(),
                 "load_avg_after_write": load_now()}
    qs = queries(made["days"], big, old=("partitioned", "flat"), spans=args.spans)
    out["queries"] = part = p95s(qs, args.samples)
    m = made["rows"] / 1e6
    for q, r in part.items():
        rows_out.append({"what": f"{q}, {m:.1f} M rows: partitioned / part. before / flat / flat before, p95 ms",
                         "value": f"{r['partitioned']['p95_ms']} / {r['partitioned, before']['p95_ms']} / "
                                  f"{r['flat']['p95_ms']} / {r['flat, before']['p95_ms']}",
                         "note": f"{out['files']['partitioned']} files each"})

    # a live write: one minute of the whole fleet merged (upsert by key), as the live ingest does
    minute_rows = next(generate(args.fleet, START + dt.timedelta(days=made["days"] - 1), 1, seed=99))
    minutes = sorted(set(minute_rows["minute"].to_list()))
    merges: dict[str, list[float]] = {n: [] for n in big}
    for i in range(args.merge_samples):
        batch = minute_rows.filter(minute_rows["minute"] == minutes[600 + i])
        for n, lk in big.items():
            # the flat table keeps its stored layout: the merge predicate has no partition to prune by
            merges[n].append(timed(lambda lk=lk, batch=batch: lk.merge(TABLE, batch)))
    out["merge_one_minute"] = {n: percentiles_ms(t) for n, t in merges.items()}
    rows_out.append({"what": f"merge one minute of {args.fleet} cameras: partitioned / flat, p95 ms",
                     "value": f"{out['merge_one_minute']['partitioned']['p95_ms']} / "
                              f"{out['merge_one_minute']['flat']['p95_ms']}", "note": f"{args.merge_samples} samples"})

    before = files(big["partitioned"])
    t0 = time.perf_counter()
    big["partitioned"].compact(TABLE)
    compact_s = time.perf_counter() - t0
    after = files(big["partitioned"])
    comp = p95s({q: {"compacted": v["partitioned"]} for q, v in qs.items()}, args.samples)
    out["compaction"] = {"files_before": before, "files_after": after, "seconds": round(compact_s, 1),
                         "p95_after": comp, "peak_rss_gb": peak_rss_gb()}
    for q, r in comp.items():
        rows_out.append({"what": f"{q}: p95 ms after compaction ({before} → {after} files, {compact_s:.0f} s)",
                         "value": f"{r['compacted']['p95_ms']}", "note": f"before {part[q]['partitioned']['p95_ms']}"})
    out["load_avg_at_end"] = load_now()
    for lk in big.values():
        lk.close()
    shutil.rmtree(where / "part", ignore_errors=True)
    shutil.rmtree(where / "flat", ignore_errors=True)
    return out


def bench_s3(args, tmp: Path, rows_out: list[dict]) -> dict:
    from lake import Lake
    from tests.faults.harness import s3_client, start_moto

    print(f"S3 (moto) vs local: {args.fleet} cameras until {args.s3_rows:,} rows", flush=True)
    proc, env = start_moto()
    try:
        os.environ.update(env)
        s3_client(env).create_bucket(Bucket="bench-scale")
        small = {"local": Lake.open(tmp / "small", role="service"),
                 "s3": Lake.open("s3://bench-scale/lake", role="service")}
        made = write_counts(small, args.fleet, args.s3_rows)
        res = p95s(queries(made["days"], small), args.samples)
        out = {**made, "queries": res, "peak_rss_gb": peak_rss_gb(), "load_avg_at_end": load_now()}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    for q, r in res.items():
        rows_out.append({"what": f"{q}, {made['rows'] / 1e6:.1f} M rows: S3 / local p95 ms",
                         "value": f"{r['s3']['p95_ms']} / {r['local']['p95_ms']}",
                         "note": f"first call {r['s3']['first_ms']} / {r['local']['first_ms']} ms"})
    shutil.rmtree(tmp / "small", ignore_errors=True)
    return out


def bench_violations(args, tmp: Path, rows_out: list[dict]) -> dict:
    from lake import Lake, engine
    from pipelines.sources.camera_simulator import CameraSimConfig, load_camera_history
    from views.violations import slices

    base = CameraSimConfig()
    lake = Lake.open(tmp / "viol", role="service")
    made = load_camera_history(lake, CameraSimConfig(recorded=base.recorded * args.violations_scale,
                                                     fines_target_vnd=base.fines_target_vnd * args.violations_scale))
    table = lake._delta("silver.violations")  # noqa: SLF001 - the bench sizes the table
    size = sum(Path(f.removeprefix("file://")).stat().st_size for f in table.file_uris())
    month = (dt.date(2021, 10, 1), dt.date(2021, 10, 31))
    times: dict[str, list[float]] = {}
    default = engine.SqlEngine.RESIDENT_BYTES
    for label, resident_bytes in (("resident", default), ("files", 0)):
        engine.SqlEngine.RESIDENT_BYTES = resident_bytes
        reader = Lake.open(tmp / "viol", role="service")
        slices(reader, *month)  # warm-up (loads the resident copy)
        times[label] = [timed(lambda r=reader: slices(r, *month)) for _ in range(args.samples)]
        reader.close()
    engine.SqlEngine.RESIDENT_BYTES = default
    out = {"rows": made["violations"], "bytes": size, "files": len(table.file_uris()), "resident": size < default,
           "slices_one_month": {k: percentiles_ms(v) for k, v in times.items()}}
    rows_out.append({"what": f"violations ×{args.violations_scale} ({made['violations']:,} rows, "
                             f"{size / 1e6:.1f} MB): one month's slices, resident / from files, p95 ms",
                     "value": f"{out['slices_one_month']['resident']['p95_ms']} / "
                              f"{out['slices_one_month']['files']['p95_ms']}",
                     "note": "resident" if out["resident"] else "past the resident size"})
    lake.close()
    shutil.rmtree(tmp / "viol", ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parts", default="counts,s3,violations")
    ap.add_argument("--cameras", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_CAMERAS", 4)))
    ap.add_argument("--fleet", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_FLEET", 500)))
    ap.add_argument("--rows", type=int, default=int(os.environ.get("HUE_IOC_BENCH_SCALE_ROWS", 100_000_000)))
    ap.add_argument("--s3-rows", type=int, default=10_000_000)
    ap.add_argument("--violations-scale", type=int, default=100)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--spans", type=lambda v: tuple(int(x) for x in v.split(",")), default=(7, 30),
                    help="the hourly flow's periods, days")
    ap.add_argument("--merge-samples", type=int, default=3)
    ap.add_argument("--reuse", default=None, help="a folder holding part/ and flat/ of an earlier run, uncompacted")
    ap.add_argument("--tmp", default=None, help="folder for the tables (default: a new temporary folder)")
    args = ap.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    parts = args.parts.split(",")

    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.tmp))
    payload: dict = {}
    run = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg_at_start": load_now()},
           "args": vars(args), "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    rows_out: list[dict] = []
    try:
        if "violations" in parts:
            payload["violations"] = {**bench_violations(args, tmp, rows_out), "run": run}
        if "counts" in parts:
            payload["counts"] = {**bench_counts(args, tmp, rows_out), "run": run}
        if "s3" in parts:
            payload["s3_vs_local"] = {**bench_s3(args, tmp, rows_out), "run": run}
        if "fleet" in parts:
            print("fleet on celery: 1 then 2 workers", flush=True)
            fleet = payload["fleet"] = {**bench_fleet(args.cameras, tmp), "run": run}
            rows_out.append({"what": f"camera-hours/hour, {fleet['cameras']} cameras, 1 worker",
                             "value": fleet["camera_hours_per_hour_1"],
                             "note": f"{fleet['wall_s_1']} s wall, load {fleet['load_avg_before']}"})
            rows_out.append({"what": "camera-hours/hour, 2 workers", "value": fleet["camera_hours_per_hour_2"],
                             "note": f"{fleet['wall_s_2']} s wall, efficiency {fleet['efficiency']}, "
                                     f"load after {fleet['load_avg_after_2']}"})
        run["load_avg_at_end"] = load_now()
        # the sections of other runs of this bench are kept (each records its own run and load)
        path = RESULTS / "scale.json"
        old = json.loads(path.read_text()) if path.exists() else {}
        kept = {k: v for k, v in old.items() if isinstance(v, dict) and "run" in v and k not in payload}
        write("scale", {**kept, **payload}, rows_out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
