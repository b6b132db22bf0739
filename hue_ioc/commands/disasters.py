"""Flood and CAP commands.

hue-ioc floods load [FILE ...]      stations + the Nov-2025 readings (or the given VNDMS/generic files),
                                     issued warnings, flood status
hue-ioc floods demo                  everything the flood page needs (build_demo_disasters)
hue-ioc floods status [--at TIME]    per-gauge status (latest, alarm, trend, peak, time above levels)
hue-ioc floods replay [--speed S] [--start T] [--end T]   play the Nov-2025 hydrograph into the lake
hue-ioc floods sos-import FILE       SOS requests from CSV
hue-ioc cap parse FILE               parse + validate one CAP 1.2 file, print its fields as JSON
hue-ioc cap ingest PATH|URL ...      files, inbox folders, Atom/RSS feed URLs or alert URLs into silver.warnings
                                     (an alert for Huế drafts the IOC's relay, issued once an operator approves it;
                                     exit 1 when a source could not be read, 2 when a path does not exist)
hue-ioc cap issue-approved           issue the approved warning drafts (CAP 1.2, vi + en)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from core.tz import VN_TZ
from pipelines.disasters.common import local_moment


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("floods", help="river gauges, flood warnings, SOS (lũ lụt)")
    fs = p.add_subparsers(dest="floods_command", required=True)
    q = fs.add_parser("load", help="load stations and readings, issue warnings, rebuild flood status")
    q.add_argument("files", nargs="*", help="VNDMS CSV or generic CSV/JSON files (default: the Nov-2025 files)")
    q.set_defaults(func=cmd_load)
    q = fs.add_parser("demo", help="everything the flood page needs (stations, readings, CAP, warnings, SOS)")
    q.set_defaults(func=cmd_demo)
    q = fs.add_parser("status", help="per-gauge flood status")
    q.add_argument("--at", help="as of this moment (ISO; without offset = Vietnam time)")
    q.add_argument("--all", action="store_true", help="every gauge, not only Huế's")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_status)
    q = fs.add_parser("replay", help="play the Nov-2025 hydrograph into the lake")
    q.add_argument("--speed", type=float, default=3600.0, help="data seconds per second (3600 = 1 h/s)")
    q.add_argument("--start", default="2025-11-13T01:00:00+07:00")
    q.add_argument("--end")
    q.add_argument("--no-reset", action="store_true", help="keep the readings already in the window")
    q.set_defaults(func=cmd_replay)
    q = fs.add_parser("sos-import", help="import SOS requests from a CSV file")
    q.add_argument("file")
    q.set_defaults(func=cmd_sos_import)

    p = sub.add_parser("cap", help="CAP 1.2 alerts: parse, ingest")
    cs = p.add_subparsers(dest="cap_command", required=True)
    q = cs.add_parser("parse", help="parse and validate one CAP file; print its fields")
    q.add_argument("file")
    q.add_argument("--max-bytes", type=int, default=None)
    q.set_defaults(func=cmd_cap_parse)
    q = cs.add_parser("ingest", help="ingest CAP files, inbox folders or feed URLs")
    q.add_argument("sources", nargs="+")
    q.add_argument("--fetch-deadline", type=float, default=None, metavar="S",
                   help="seconds one download may take, body included (default 30)")
    q.add_argument("--deadline", type=float, default=None, metavar="S",
                   help="seconds all downloads of this run may take (default 300)")
    q.add_argument("--policy", choices=("record", "refuse_invalid", "require_verified"), default=None,
                   help="which signature outcomes are accepted (default: setting cap_signature_policy)")
    q.add_argument("--trust-store", default=None, help="PEM file or folder (default: setting cap_trust_store)")
    q.set_defaults(func=cmd_cap_ingest)
    q = cs.add_parser("issue-approved", help="issue the warning drafts an operator approved (the live service "
                      "does this every few seconds)")
    q.set_defaults(func=cmd_cap_issue_approved)


def cmd_cap_issue_approved(args: argparse.Namespace) -> int:
    from pipelines.disasters.warning_drafts import issue_approved

    print(json.dumps({"issued": issue_approved(_lake())}))
    return 0


def _lake():
    from lake import SERVICE, Lake

    return Lake.open(role=SERVICE)


def cmd_load(args: argparse.Namespace) -> int:
    from core.settings import data_path
    from pipelines.disasters import gauges
    from pipelines.disasters.flood_status import build_flood_status
    from pipelines.disasters.warnings_issuer import issue_flood_warnings

    lake = _lake()
    print(f"gauge_stations: {gauges.load_stations(lake)} new/changed")
    files = [Path(f) for f in args.files] or [data_path(gauges.HUE_FILE), data_path(gauges.CENTRAL_FILE)]
    for f in files:
        print(f"{f.name}: {json.dumps(gauges.load_file(lake, f).as_dict(), ensure_ascii=False)}")
    print(f"issued warnings: {issue_flood_warnings(lake)} new")
    print(f"flood_status: {build_flood_status(lake)} gauges")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipelines.disasters.demo import build_demo_disasters

    print(json.dumps(build_demo_disasters(_lake()), ensure_ascii=False, indent=1, default=str))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from views.floods import gauge_status

    df = gauge_status(_lake(), at=local_moment(args.at), hue_only=not args.all)
    if args.json:
        print(json.dumps(df.to_dicts(), ensure_ascii=False, default=str, indent=1))
        return 0
    if df.is_empty():
        print("Chưa có số liệu mực nước / no gauge readings (run: hue-ioc floods load)")
        return 1
    print(f"{'Trạm/Station':<12} {'Mực nước/Level':>14}  {'Lúc (GMT+7)':<16} {'BĐ':>2}  {'Bản tin':<26} "
          f"{'3h':>6}  {'Đỉnh/Peak':>9}  {'Lúc đỉnh (GMT+7)':<16}  {'giờ>BĐ1/2/3':<14}")
    for r in df.iter_rows(named=True):
        print(f"{r['name']:<12} {r['latest_level_m']:>12.2f} m  {r['latest_at'].astimezone(VN_TZ):%Y-%m-%d %H:%M} "
              f"{r['alarm_level'] if r['alarm_level'] is not None else '-':>2}  {(r['bulletin_vi'] or ''):<26} "
              f"{(r['trend_3h_m'] if r['trend_3h_m'] is not None else float('nan')):>+6.2f}  "
              f"{r['peak_level_m']:>7.2f} m  {r['peak_at'].astimezone(VN_TZ):%Y-%m-%d %H:%M}  "
              f"{r['hours_above_1']:.0f}/{r['hours_above_2']:.0f}/{r['hours_above_3']:.0f}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from pipelines.disasters.replay import replay

    def show(t: dt.datetime, n: int) -> None:
        if n:
            print(f"  {t.astimezone(VN_TZ):%Y-%m-%d %H:%M} (GMT+7): {n} readings", flush=True)

    res = replay(_lake(), speed=args.speed, start=local_moment(args.start), end=local_moment(args.end),
                 reset=not args.no_reset, on_step=show)
    print(f"replayed {res.steps} steps, {res.readings} readings, {res.warnings} warnings issued")
    return 0


def cmd_sos_import(args: argparse.Namespace) -> int:
    from pipelines.disasters.sos import import_csv

    print(json.dumps(import_csv(_lake(), args.file)))
    return 0


def cmd_cap_parse(args: argparse.Namespace) -> int:
    from pipelines.disasters.cap.parse import DEFAULT_MAX_BYTES, parse_cap, read_limited
    from pipelines.disasters.cap.rules import CapError

    limit = args.max_bytes or DEFAULT_MAX_BYTES
    try:
        alert = parse_cap(read_limited(args.file, limit), max_bytes=limit)
    except CapError as exc:
        print(f"refused / từ chối: {exc.reason}", file=sys.stderr)
        return 1
    print(json.dumps(alert.to_dict(), ensure_ascii=False, indent=1))
    return 0


def cmd_cap_ingest(args: argparse.Namespace) -> int:
    from functools import partial

    from pipelines.disasters.cap_ingest import ingest_documents
    from pipelines.disasters.feeds import (
        FETCH_DEADLINE_S,
        RUN_DEADLINE_S,
        Deadline,
        feed_documents,
        file_documents,
        http_fetch,
        inbox_documents,
    )
    from pipelines.disasters.warning_drafts import draft_relays

    missing = [s for s in args.sources if not s.startswith(("http://", "https://")) and not Path(s).exists()]
    if missing:
        print(f"hue-ioc cap ingest: không có tệp hay thư mục / no such file or folder: {', '.join(missing)}",
              file=sys.stderr)
        return 2
    run = Deadline(args.deadline or RUN_DEADLINE_S)
    fetch = partial(http_fetch, deadline_s=args.fetch_deadline or FETCH_DEADLINE_S, run=run)
    docs = []
    for s in args.sources:
        if s.startswith(("http://", "https://")):
            docs += list(feed_documents(s, fetch=fetch, run=run))
        elif Path(s).is_dir():
            docs += list(inbox_documents(s))
        else:
            docs += list(file_documents([s]))
    lake = _lake()
    res = ingest_documents(lake, docs, policy=args.policy, trust_store=args.trust_store)
    drafted = draft_relays(lake, res.new_ids)  # issued once an operator approves it on the flood page
    print(json.dumps({**res.as_dict(), "relays_drafted_for_hue": drafted}))
    unread = [d for d in docs if d.error is not None]
    for d in unread:
        print(f"hue-ioc cap ingest: không đọc được / not read: {d.origin}: {d.error}", file=sys.stderr)
    return 1 if unread else 0
