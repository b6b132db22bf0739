"""`hue-ioc report`: the monthly / quarterly leadership report (PDF or XLSX), reproducible with --as-of."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="báo cáo tháng/quý cho lãnh đạo (PDF/XLSX) · monthly/quarterly leadership report",
        description="Báo cáo kết quả xử lý phản ánh hiện trường · leadership report of citizen field reports. "
                    "Every report states the lake table versions it used; --as-of the same moment rebuilds it "
                    "with the same numbers.",
    )
    p.add_argument("--period", required=True, help="kỳ báo cáo / period: YYYY-MM, YYYY-Qn, YYYY or YYYY-MM-DD..YYYY-MM-DD "
                                                  "(e.g. 2022-05, 2022-Q2, 2022, 2022-05-01..2022-05-07)")
    p.add_argument("--unit", help="mã đơn vị xử lý / handling unit id: a report for the unit's head")
    p.add_argument("--format", choices=("pdf", "xlsx"), default=None,
                   help="định dạng / format (default: from --out's suffix, else pdf)")
    p.add_argument("--out", required=True, help="tệp kết quả / output file")
    p.add_argument("--as-of", dest="as_of",
                   help="thời điểm dữ liệu / read the lake as of this moment (ISO time or date); default now")
    p.add_argument("--json", action="store_true",
                   help="in ra phiên bản bảng và chỉ tiêu chính / print table versions and headline figures as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.fmt import num, pct
    from lake import SERVICE, Lake
    from publications.provenance import stamp
    from publications.publish import render

    if not args.out.strip():
        raise ValueError("--out is empty: name the output file, e.g. --out bao-cao-2022-05.pdf")
    out = Path(args.out)
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder: name a file inside it, e.g. {out / 'bao-cao.pdf'}")
    fmt = args.format or (out.suffix.lstrip(".").lower() if out.suffix.lower() in (".pdf", ".xlsx") else "pdf")
    lake = Lake.open(role=SERVICE)
    data, blob = render(lake, args.period, fmt, unit_id=args.unit, as_of=args.as_of)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(blob)
    except OSError as exc:  # no space (/dev/full), no permission, a file where a folder should be
        raise ValueError(f"cannot write {out}: {exc.strerror or exc}") from None
    summary = {
        "out": str(out),
        "format": fmt,
        "period": data.period.label,
        "unit": data.unit["unit_id"] if data.unit else None,
        "as_of": stamp(data.moment),
        "versions": data.versions,
        "headline": data.headline["current"],
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str, indent=2))
    else:
        h = data.headline["current"]
        print(f"Đã lập báo cáo / wrote {out} ({len(blob):,} bytes) — {data.period.label_vi}, "
              f"dữ liệu tính đến / as of {summary['as_of']}", file=sys.stdout)
        print("  phiên bản bảng / table versions: "
              + ", ".join(f"{k}@{v}" for k, v in data.versions.items()))
        print(f"  tiếp nhận / received {num(h['received'])}, đúng hạn / on time {pct(h['on_time_rate'])}, "
              f"hài lòng / satisfied {pct(h['satisfaction_rate'])}")
    return 0
