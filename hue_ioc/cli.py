"""`hue-ioc`: one entry point for the common jobs (demo, dashboard, detect, report, kpis, bench, ...).

Each module in ``hue_ioc.commands`` registers its own subcommands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from hue_ioc import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hue-ioc", description="Huế IOC data platform")
    parser.add_argument("--lake", help="lake root (folder or s3:// URI); default HUE_IOC_LAKE or ./data/lake")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{commands.__name__}.{info.name}")
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.lake:
        import os

        os.environ["HUE_IOC_LAKE"] = args.lake
    try:
        return int(args.func(args) or 0)
    except (FileNotFoundError, ValueError) as exc:  # user errors: one clear line, no traceback
        print(f"hue-ioc {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
