"""Core commands: demo, build, kpis, lake."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from hue_ioc.dagster_home import ensure_dagster_home

HEADLINE_KEYS = ("received", "invalid", "processed", "processed_rate", "on_time_rate", "late_with_extension_rate",
                 "strict_on_time_rate", "satisfaction_rate", "participation_rate", "open_overdue", "units")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="build the demo lake through the real Dagster assets, then serve the dashboard")
    p.add_argument("--no-serve", action="store_true", help="build only")
    p.add_argument("--port", type=int, default=8501)
    _simulator_args(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("build", help="run a Dagster job in process (default: rebuild_reports)")
    p.add_argument("job", nargs="?", default="rebuild_reports")
    _simulator_args(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("kpis", help="headline figures from gold")
    p.add_argument("--json", action="store_true")
    p.add_argument("--as-of", help="read the lake as it was at this moment (date or ISO time)")
    p.add_argument("--start", type=dt.date.fromisoformat)
    p.add_argument("--end", type=dt.date.fromisoformat)
    p.set_defaults(func=cmd_kpis)

    p = sub.add_parser("lake", help="look after the lake: tables, history, compact, vacuum")
    p.add_argument("action", choices=["tables", "history", "compact", "vacuum"])
    p.add_argument("table", nargs="?")
    p.add_argument("--retention-hours", type=int, default=168)
    p.set_defaults(func=cmd_lake)
    _register_ingest(sub)


def _simulator_args(p: argparse.ArgumentParser) -> None:
    """Simulator parameters; unset ones reuse what the lake was built with (pipelines.reports.build_params)."""
    p.add_argument("--scale", type=float, help="simulator scale (1.0 = the 3-year set; default: as built)")
    p.add_argument("--seed", type=int, help="simulator seed (default: as built, else 7)")
    p.add_argument("--start", help="first simulated day, YYYY-MM-DD (default: as built)")
    p.add_argument("--end", help="last simulated day, YYYY-MM-DD (default: as built)")


def _simulator_config(args: argparse.Namespace) -> dict:
    """Run config for the simulator resource: the lake's recorded build parameters, overridden by flags."""
    from lake import Lake
    from pipelines.reports.build_params import resolve

    params, message = resolve(Lake.open(), {k: getattr(args, k, None) for k in ("scale", "seed", "start", "end")})
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


def run_job(name: str, run_config: dict | None = None) -> bool:
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
                                        tags={RUN_PID: str(os.getpid()), RUN_HOST: socket.gethostname()})
    print(f"  dagster run {result.run_id} of {name}: {'success' if result.success else 'FAILED'}")
    for ev in result.all_events:
        if ev.event_type_value == "ASSET_CHECK_EVALUATION":
            data = ev.event_specific_data
            mark = "ok " if data.passed else "FAIL"
            print(f"  check {mark} {data.asset_key.to_user_string()}:{data.check_name}")
    return result.success


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
    from lake import Lake

    lake = Lake.open()
    print("2/4 cameras")
    try:
        from hue_ioc.defs.cameras import build_demo_cameras

        build_demo_cameras(lake, assets_available=assets_dir() is not None)
    except ImportError as exc:
        print(f"   cameras domain not available: {exc}")
    print("3/4 disasters and floods")
    try:
        from pipelines.disasters.demo import build_demo_disasters

        print('  ', build_demo_disasters(lake))
    except ImportError as exc:
        print(f"   disasters domain not available: {exc}")
    print("   headline:", json.dumps(_headline(None, None, None), ensure_ascii=False, default=str))
    if args.no_serve:
        return 0
    print("4/4 dashboard")
    try:
        from dashboards.serve import serve
    except ImportError as exc:
        print(f"   dashboard not available: {exc}")
        return 0
    return int(serve(port=args.port) or 0)


def cmd_build(args: argparse.Namespace) -> int:
    return 0 if run_job(args.job, _simulator_config(args)) else 1


def _headline(as_of: str | None, start: dt.date | None, end: dt.date | None) -> dict:
    from lake import Lake
    from views.headline import headline

    lake = Lake.open()
    if as_of:
        lake = lake.as_of(as_of)
    out = headline(lake, start=start, end=end)
    out["as_of"] = as_of
    out["table_versions"] = lake.versions(["gold.kpi_daily", "silver.units"])
    return out


def cmd_kpis(args: argparse.Namespace) -> int:
    out = _headline(args.as_of, args.start, args.end)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return 0
    for k in HEADLINE_KEYS:
        v = out.get(k)
        shown = "—" if v is None else (f"{v * 100:.1f} %" if k.endswith("_rate") else f"{v:,}")
        print(f"{k:<28}{shown:>14}")
    return 0


def cmd_lake(args: argparse.Namespace) -> int:
    from lake import Lake

    lake = Lake.open()
    if args.action == "tables":
        import polars as pl

        with pl.Config(tbl_rows=100, fmt_str_lengths=60):
            print(lake.tables().select("table", "version", "description"))
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
    from lake import Lake
    from pipelines.reports import build
    from pipelines.reports.bronze import ingest_batch
    from pipelines.sources.jsonl_file import JsonLinesReportSource

    lake = Lake.open()
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
