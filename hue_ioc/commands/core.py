"""Core commands: demo, build, kpis, lake."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import threading

from hue_ioc.dagster_home import ensure_dagster_home

HEADLINE_KEYS = ("received", "invalid", "processed", "processed_rate", "on_time_rate", "late_with_extension_rate",
                 "strict_on_time_rate", "satisfaction_rate", "participation_rate", "open_overdue", "units")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build the demo lake through the real Dagster assets, then serve the dashboard")
    p.add_argument("--no-serve", action="store_true", help="build only")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-live", action="store_true", help="serve the history only (no simulated live traffic)")
    _simulator_args(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("build", help="run a Dagster job in process (default: rebuild_reports)")
    p.add_argument("job", nargs="?", default="rebuild_reports")
    _simulator_args(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("kpis", help="headline figures (and the unit ranking) of a period, from gold")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", help="read the lake as it was at this moment (date or ISO time)")
    p.add_argument("--period", help="2022-05, 2022-Q2, 2022 or 2022-05-01..2022-05-07 (default: all data)")
    p.add_argument("--start", type=dt.date.fromisoformat, help="first day (instead of --period)")
    p.add_argument("--end", type=dt.date.fromisoformat, help="last day (instead of --period)")
    p.add_argument("--ranking", action="store_true", help="also the ranking of the handling units (views.ranking)")
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("lake", help="look after the lake: tables, history, compact, vacuum")
    p.add_argument("action", choices=["tables", "history", "compact", "vacuum", "upkeep"])
    p.add_argument("table", nargs="?")
    p.add_argument("--retention-hours", type=int, default=168)
    p.set_defaults(func=cmd_lake)
    _register_ingest(sub)


def _simulator_args(p: argparse.ArgumentParser) -> None:
    """Simulator parameters; unset ones reuse what the lake was built with (pipelines.reports.build_params)."""
    p.add_argument("--scale", type=float, help="simulator scale (1.0 = the 3-year set; default: as built)")
    p.add_argument("--seed", type=int, help="simulator seed (default: as built, else 7)")
    p.add_argument("--start", help="first simulated day, YYYY-MM-DD (default: as built)")
    p.add_argument("--end", help="last day of the seed window, YYYY-MM-DD (default: as built)")
    p.add_argument("--until", help="last day of the timeline, YYYY-MM-DD (default: as built, else today)")


def _simulator_config(args: argparse.Namespace) -> dict:
    """Run config for the simulator resource: the lake's recorded build parameters, overridden by flags."""
    from lake import SERVICE, Lake
    from pipelines.reports.build_params import resolve

    params, message = resolve(Lake.open(role=SERVICE),
                              {k: getattr(args, k, None) for k in ("scale", "seed", "start", "end", "until")})
    if message:
        print(f"  {message}")
    return {"resources": {"simulator": {"config": params}}} if params else {}


RUN_PID, RUN_HOST = "hue_ioc/pid", "hue_ioc/host"


def mark_dead_runs_failed(instance) -> int:
    """Runs this CLI started on this machine whose process is gone are marked failed (a killed
    ``hue-ioc build`` would otherwise stay STARTED for ever); returns how many."""
    import os
    import socket

    import dagster as dg

    host = socket.gethostname()
    dead = 0
    for run in instance.get_runs(filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.QUEUED],
            tags={RUN_HOST: host})):
        try:
            os.kill(int(run.tags[RUN_PID]), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except (KeyError, ValueError, PermissionError):
            continue
        instance.report_run_failed(run, message=f"process {run.tags.get(RUN_PID)} ended without finishing the run")
        dead += 1
    return dead


def run_job(name: str, run_config: dict | None = None, asset_selection: list | None = None) -> bool:
    """Run a job of the code location in this process, on the Dagster instance in DAGSTER_HOME (so the UI
    shows the run and what it materialized); ``asset_selection`` runs part of an asset job."""
    ensure_dagster_home()
    import os
    import socket

    import dagster as dg

    from hue_ioc.definitions import defs

    job = defs.resolve_job_def(name)
    config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}, **(run_config or {})}
    with dg.DagsterInstance.get() as instance:
        dead = mark_dead_runs_failed(instance)
        if dead:
            print(f"  {dead} run(s) whose process died were marked failed")
        result = job.execute_in_process(instance=instance, run_config=config, raise_on_error=False,
                                        asset_selection=asset_selection,
                                        tags={RUN_PID: str(os.getpid()), RUN_HOST: socket.gethostname()})
    print(f"  dagster run {result.run_id} of {name}: {'success' if result.success else 'FAILED'}")
    if not result.success:
        _record_failed_run(result, name, asset_selection or list(job.asset_layer.executable_asset_keys))
    for ev in result.all_events:
        if ev.event_type_value == "ASSET_CHECK_EVALUATION":
            data = ev.event_specific_data
            mark = "ok " if data.passed else "FAIL"
            why = f": {data.description}" if not data.passed and getattr(data, "description", None) else ""
            print(f"  check {mark} {data.asset_key.to_user_string()}:{data.check_name}{why}")
    return result.success


def _record_failed_run(result, name: str, keys: list) -> None:
    """A failed run of this CLI is recorded where the screens' freshness marks show it, as the run-failure
    sensor does for runs the daemon sees (insert-only by run id: both recording it changes nothing)."""
    from hue_ioc.defs.catalog import table_of
    from hue_ioc.defs.operations import record_failure
    from lake import SERVICE, Lake

    events = result.all_events
    tables = {table_of(k) for k in keys}  # what the run was to write
    steps = [e.step_key for e in events if e.event_type_value == "STEP_FAILURE" and e.step_key]
    message = next((e.message for e in events if e.event_type_value in ("STEP_FAILURE", "RUN_FAILURE")), "") or ""
    record_failure(Lake.open(role=SERVICE), result.run_id, name, [t for t in tables if t], steps, message,
                   dt.datetime.now(dt.UTC))


def cmd_demo(args: argparse.Namespace) -> int:
    from core.settings import assets_dir, data_dir

    if data_dir() is None:
        print("hue-ioc demo: reference data not found (boundaries of Huế). Set HUE_IOC_ASSETS to the shared "
              "assets folder (the data folder beside it is used) or HUE_IOC_DATA.", file=sys.stderr)
        return 2
    print("1/4 citizen reports: simulator → bronze → silver → gold (Dagster job rebuild_reports)")
    if not run_job("rebuild_reports", _simulator_config(args)):
        print("hue-ioc demo: the reports job failed; see the Dagster logs above", file=sys.stderr)
        return 1
    from lake import SERVICE, Lake

    lake = Lake.open(role=SERVICE)
    print("2/4 cameras (Dagster job build_cameras)")
    config, selection = _camera_demo_run(assets_dir() is not None)
    if not run_job("build_cameras", config, selection):
        print("hue-ioc demo: the cameras job failed; see the Dagster logs above", file=sys.stderr)
        return 1
    print("3/4 disasters and floods (Dagster job build_disasters)")
    if not run_job("build_disasters"):
        print("hue-ioc demo: the disasters job failed; see the Dagster logs above", file=sys.stderr)
        return 1
    print("   headline:", json.dumps(_headline(None, None, None), ensure_ascii=False, default=str))
    if args.no_serve:
        return 0
    print("4/4 dashboard" + ("" if args.no_live else ", with live traffic simulated beside it (hue-ioc simulate "
                             "live --scenario flood-2025: labelled simulated)"))
    from dashboards.serve import serve

    stop = None if args.no_live else _simulate_live(lake)
    try:
        return int(serve(port=args.port) or 0)
    finally:
        if stop is not None:
            stop.set()


def _camera_demo_run(assets_available: bool) -> tuple[dict, list | None]:
    """Run config and asset selection of ``build_cameras`` for the demo: the simulated history, the real
    detector over car-detection.mp4 with the example camera config when the models and the video are there,
    and the daily roll-up."""
    import dagster as dg

    from hue_ioc.defs.cameras import default_config_path

    if not assets_available:
        print("   không có mô hình/video mẫu — bỏ qua phát hiện thật / no models or sample video, skipping real "
              "detection. Get them with `hue-ioc assets fetch` (models) and set HUE_IOC_ASSETS to a folder "
              "holding videos/intel-sample-videos/car-detection.mp4 (https://github.com/intel-iot-devkit/sample-videos).")
        return {}, [dg.AssetKey(["silver", "violations"]), dg.AssetKey(["gold", "violations_daily"])]
    from detectors.config import load_cameras

    cfg = default_config_path()
    cam = next(c for c in load_cameras(cfg) if "car-detection.mp4" in c.source)
    return {"ops": {"camera_detections": {"config": {"config_path": str(cfg),
                                                     "files": [f"{cam.id}={cam.source}"]}}}}, None


def _simulate_live(lake: object) -> threading.Event:
    """`hue-ioc simulate live` in a thread of this process: the dashboard runs in its own process."""
    from pathlib import Path

    from core.settings import repo_root, settings
    from detectors.config import load_cameras
    from hue_ioc.commands.live import DEFAULT_CAMERAS, camera_zones
    from pipelines.live.simulator_run import run_simulation

    cams = camera_zones(load_cameras(Path(settings().cameras or repo_root() / DEFAULT_CAMERAS)))
    stop = threading.Event()
    threading.Thread(target=run_simulation, args=(lake, cams, stop), daemon=True, name="simulate-live",
                     kwargs={"scenario": "flood-2025", "speed": 120.0, "broker": settings().mqtt_url}).start()
    return stop


def cmd_build(args: argparse.Namespace) -> int:
    return 0 if run_job(args.job, _simulator_config(args)) else 1


def _headline(as_of: str | None, start: dt.date | None, end: dt.date | None) -> dict:
    from lake import SERVICE, Lake
    from views.headline import headline

    lake = Lake.open(role=SERVICE, consistent=True)
    if as_of:
        lake = lake.as_of(as_of)
    out = headline(lake, start=start, end=end)
    out["as_of"] = as_of
    out["table_versions"] = lake.versions(["gold.kpi_daily", "silver.units"])
    return out


def _ranking_rows(as_of: str | None, period_text: str) -> list[dict]:
    from lake import SERVICE, Lake
    from views.period import Period
    from views.ranking import ranking

    lake = Lake.open(role=SERVICE, consistent=True)
    if as_of:
        lake = lake.as_of(as_of)
    return ranking(lake, Period.parse(period_text)).to_dicts()


def _print_ranking(rows: list[dict]) -> None:
    def num(v: float | int | None, digits: int = 0) -> str:
        return "—" if v is None else f"{v:,.{digits}f}"

    print(f"\n{'rank':>4}  {'unit':<44}{'received':>9}{'processed':>10}{'on time':>8}{'score':>7}"
          f"{'on time':>8}{'satisf.':>8}{'process.':>9}{'speed':>6}")
    for r in rows:
        print(f"{num(r['rank']):>4}  {(r['unit_name'] or r['unit_id'])[:43]:<44}{num(r['received']):>9}"
              f"{num(r['processed']):>10}{num(r['on_time']):>8}{num(r['score'], 1):>7}{num(r['score_on_time'], 1):>8}"
              f"{num(r['score_satisfaction'], 1):>8}{num(r['score_processed'], 1):>9}{num(r['score_speed'], 1):>6}")


def cmd_kpis(args: argparse.Namespace) -> int:
    from views.period import Period

    if args.period and (args.start or args.end):
        print("hue-ioc kpis: give --period or --start/--end, not both", file=sys.stderr)
        return 2
    if args.ranking and not (args.period or (args.start and args.end)):
        print("hue-ioc kpis: --ranking needs a period (--period, or --start and --end)", file=sys.stderr)
        return 2
    try:
        period = Period.parse(args.period) if args.period else (
            Period.range(args.start, args.end) if args.start and args.end else None)
    except ValueError as exc:
        print(f"hue-ioc kpis: {exc}", file=sys.stderr)
        return 2
    start, end = (period.start, period.end) if period else (args.start, args.end)
    out = _headline(args.as_of, start, end)
    if period:
        out["period"] = period.label
    rows = _ranking_rows(args.as_of, period.label) if args.ranking and period else None
    if args.json:
        print(json.dumps(out if rows is None else {**out, "ranking": rows}, ensure_ascii=False, indent=2,
                         default=str))
        return 0
    for k in HEADLINE_KEYS:
        v = out.get(k)
        shown = "—" if v is None else (f"{v * 100:.1f} %" if k.endswith("_rate") else f"{v:,}")
        print(f"{k:<28}{shown:>14}")
    if rows is not None:
        _print_ranking(rows)
    return 0


def cmd_lake(args: argparse.Namespace) -> int:
    from lake import SERVICE, Lake

    lake = Lake.open(role=SERVICE)
    if args.action == "tables":
        import polars as pl

        with pl.Config(tbl_rows=100, fmt_str_lengths=60):
            print(lake.tables().select("table", "version", "description"))
        return 0
    if args.action == "upkeep":  # what the weekly schedule runs (hue_ioc/defs/maintenance.py); all tables by default
        for name, out in lake.upkeep([args.table] if args.table else None).items():
            print(name, json.dumps(out))
        return 0
    if not args.table:
        print("hue-ioc lake: name a table (e.g. silver.reports)", file=sys.stderr)
        return 2
    if args.action == "history":
        for h in lake.history(args.table):
            print(h.get("version"), dt.datetime.fromtimestamp(h["timestamp"] / 1000, dt.UTC).isoformat(),
                  h.get("operation"))
    elif args.action == "compact":
        print(json.dumps(lake.compact(args.table), default=str))
    else:
        print("\n".join(lake.vacuum(args.table, retention_hours=args.retention_hours)) or "nothing to remove")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """A file of canonical records → bronze → silver (incremental) → gold."""
    from lake import SERVICE, Lake
    from pipelines.reports import build
    from pipelines.reports.bronze import ingest_batch
    from pipelines.sources.jsonl_file import JsonLinesReportSource

    lake = Lake.open(role=SERVICE)
    batch = JsonLinesReportSource(args.file, source=args.source).fetch()
    ingested = ingest_batch(lake, batch, prefix=args.source)
    # silver applies every bronze row after its watermark (this file's, and any a killed run left)
    silver, _ = build.catch_up(lake)
    md = silver.metadata()
    print(json.dumps({"batch_id": ingested.batch_id, **ingested.counts(), **md,
                      "reports_rejected": md["reports_rejected"], "unreadable_lines": len(batch.rejects)}))
    return 0


def _register_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load a JSON-lines file of report/event records (bad rows → rejects)")
    p.add_argument("file")
    p.add_argument("--source", default="file")
    p.set_defaults(func=cmd_ingest)
