"""`hue-ioc open311 import FILE|URL`: service requests of an Open311 system into the lake.

hue-ioc open311 import FILE|URL [--jurisdiction J] [--tz Area/City] [--mapping TABLE.csv] [--json]

FILE: a GeoReport v2 requests/services document (JSON or XML), a 311 CSV export, or a folder of them.
URL: such a document (…/requests.json) or a GeoReport v2 endpoint (…/open311/v2). Defaults come from the
settings open311_jurisdiction, open311_tz and open311_mapping. Exit 0 when every request was kept, mapped or
not; 1 when some were rejected (the reasons are printed and stored in silver.rejects); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("open311", help="Open311 GeoReport v2 / 311 CSV in (nhập phản ánh từ hệ thống Open311)")
    ps = p.add_subparsers(dest="open311_command", required=True)
    q = ps.add_parser("import", help="import service requests (and service lists) from a file or URL")
    q.add_argument("target", metavar="FILE|URL")
    q.add_argument("--jurisdiction", help="whose feed this is: hue, or another city (default: setting "
                                          "open311_jurisdiction, hue)")
    q.add_argument("--tz", help="time zone of the source's times without an offset, e.g. America/New_York "
                                "(default: setting open311_tz)")
    q.add_argument("--mapping", help="CSV mapping table (default: setting open311_mapping, else the packaged one)")
    q.add_argument("--json", action="store_true", help="print the counts as JSON")
    q.set_defaults(func=cmd_import)


def _into_reports(lake, batch) -> int:  # noqa: ANN001 - Lake, SourceBatch (imported lazily)
    """Huế's mapped requests through the reports pipeline: bronze → silver (incremental) → gold."""
    from pipelines.reports import build
    from pipelines.reports.bronze import ingest_batch

    if not lake.exists("silver.units"):
        return 0  # reference tables not loaded yet (hue-ioc demo / build): the requests wait in the intake
    ingest_batch(lake, batch, prefix="open311")
    build.catch_up(lake)  # silver from its watermark, then gold
    return len(batch.reports())


def cmd_import(args: argparse.Namespace) -> int:
    import requests

    from core.settings import settings
    from lake import SERVICE, Lake
    from pipelines.sources.open311.documents import Open311Error
    from pipelines.sources.open311.intake import import_open311
    from pipelines.sources.open311.mapping import mapping_for

    s = settings()
    jurisdiction = (args.jurisdiction or s.open311_jurisdiction).strip().lower()
    if not jurisdiction or not jurisdiction.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"--jurisdiction {args.jurisdiction!r}: use letters, digits, - or _ (e.g. hue, nyc)")
    tz = args.tz or s.open311_tz
    mapping = mapping_for(args.mapping or s.open311_mapping, tz, jurisdiction=jurisdiction)
    lake = Lake.open(role=SERVICE)
    try:
        res = import_open311(lake, args.target, mapping, tz_name=tz, hand_over=lambda b: _into_reports(lake, b))
    except (requests.RequestException, Open311Error) as exc:
        print(f"hue-ioc open311 import: không tải được / cannot fetch {args.target}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(res.as_dict(), ensure_ascii=False))
    else:
        print(f"{args.target} ({jurisdiction}, {tz}): {res.read} yêu cầu / requests — "
              f"đã ánh xạ / mapped {res.mapped}, chưa ánh xạ / unmapped {res.unmapped}, "
              f"từ chối / rejected {res.rejected}, trùng / duplicates {res.duplicates}; "
              f"ngoài Huế / outside Huế {res.outside_hue}; dịch vụ / services {res.services}; "
              f"vào báo cáo / into reports {res.to_reports}")
        for reason, n in res.reject_reasons.most_common(10):
            print(f"  {n} × {reason}")
    return 1 if res.rejected else 0
