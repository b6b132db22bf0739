"""`make bench`: run every bench/bench_*.py (or those named on the command line)."""

import importlib
import pkgutil
import sys
import traceback

import bench


def main() -> int:
    wanted = set(sys.argv[1:])
    failed = []
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_") or (wanted and info.name.removeprefix("bench_") not in wanted):
            continue
        print(f"\n=== {info.name} ===", flush=True)
        try:
            importlib.import_module(f"bench.{info.name}").main()
        except Exception:  # noqa: BLE001 - one failing bench must not hide the others
            traceback.print_exc()
            failed.append(info.name)
    if failed:
        print(f"failed: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
