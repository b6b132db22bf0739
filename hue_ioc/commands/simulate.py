"""`hue-ioc simulate live`: the traffic of now (camera events, gauge readings, citizen reports and their
lifecycle), all labelled simulated, through the live ingest code.

    hue-ioc simulate live                              # in-process, or to HUE_IOC_MQTT_URL when set
    hue-ioc simulate live --scenario flood-2025 --speed 120 --for 600
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import threading
from pathlib import Path

from core.settings import repo_root, settings
from detectors.config import load_cameras
from hue_ioc.commands.live import DEFAULT_CAMERAS, camera_zones


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("simulate", help="simulate live traffic for the demo")
    sub = p.add_subparsers(dest="what", required=True)
    live = sub.add_parser("live", help="camera events, gauge readings and citizen reports of now, labelled "
                                       "simulated, through the live ingest (no services needed)")
    live.add_argument("--speed", type=float, default=60.0,
                      help="the scenario's clock runs this many times real time (flood replay, report "
                           "lifecycles); street traffic keeps its real pace")
    live.add_argument("--scenario", choices=("normal", "flood-2025"), default="normal",
                      help="flood-2025: replay the November 2025 flood on Huế's river gauges, shifted to today")
    live.add_argument("--for", dest="duration", type=float, help="stop after this many seconds (default: run "
                                                                  "until interrupted)")
    live.add_argument("--mqtt", help="publish to this broker (default HUE_IOC_MQTT_URL; none: in-process)")
    live.add_argument("--cameras", help=f"camera configuration (default HUE_IOC_CAMERAS, then {DEFAULT_CAMERAS})")
    live.set_defaults(func=_live)
    counts = sub.add_parser("counts", help="per-minute line counts of a simulated camera fleet into "
                                           "silver.traffic_counts (sizing the lake; labelled simulated)")
    counts.add_argument("--cameras", type=int, default=500)
    counts.add_argument("--days", type=int, default=365)
    counts.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1))
    counts.add_argument("--seed", type=int, default=2025)
    counts.set_defaults(func=_counts)


def _counts(args: argparse.Namespace) -> int:
    """A day of the fleet per commit, each with its watermark: an interrupted load continues where it was."""
    from lake import Lake
    from pipelines.sources.counts_generator import load_counts

    out = load_counts(Lake.open(), cameras=args.cameras, start=args.start, days=args.days, seed=args.seed)
    print(f"hue-ioc simulate counts: {out['rows']:,} rows in {out['chunks']} days "
          f"({out['skipped_chunks']} days already loaded)")
    return 0


def _live(args: argparse.Namespace) -> int:
    from lake import SERVICE, Lake
    from pipelines.live.simulator_run import run_simulation

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    s = settings()
    cams = camera_zones(load_cameras(Path(args.cameras or s.cameras or repo_root() / DEFAULT_CAMERAS)))
    broker = args.mqtt or s.mqtt_url
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    print(f"hue-ioc simulate live: scenario {args.scenario}, speed {args.speed:g}, cameras {sorted(cams)}, "
          f"{'broker ' + broker if broker else 'in-process ingest'} (all data labelled simulated)", flush=True)
    res = run_simulation(Lake.open(role=SERVICE), cams, stop, speed=args.speed, scenario=args.scenario, broker=broker,
                         duration_s=args.duration)
    print(f"hue-ioc simulate live: stopped; sent {res.sent}, reports {res.reports}, service {res.service}",
          flush=True)
    return 0
