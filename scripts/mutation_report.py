"""Per-module mutation score from a finished `mutmut run` (the `mutants/*.meta` files it leaves).

Usage: python scripts/mutation_report.py [--survivors] [--min 85]
Prints killed/total per mutated module; a mutant counts as killed when a test failed on it or it ran past
mutmut's time limit (an endless loop is caught too). "no tests" and errored workers count as not killed. With --min,
exits 1 when a module scores below that percentage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

# mutmut 3 exit codes (mutmut/stats.py): what happened to each mutant
KILLED = {1, 3, 36, 24, -24, 152, 37}  # test failure, pytest internal error, CPU/wall time limit, type check
TIMEOUT = {36, 24, -24, 152}
# 255: the worker raised instead of reporting (mutmut shows it as a timeout); not counted as killed, since
# it also happens when pytest cannot find the selected tests
ERRORED = {255}
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34}


def load(root: Path) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted(root.glob("**/*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            out[str(meta.relative_to(root))[: -len(".meta")]] = codes
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path("mutants"))
    ap.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    ap.add_argument("--min", type=float, default=None, help="fail below this percentage killed in any module")
    args = ap.parse_args(argv)
    data = load(args.root)
    if not data:
        print(f"no mutmut results under {args.root}/: run `mutmut run` first", file=sys.stderr)
        return 2
    low = []
    print(f"{'module':28} {'killed':>7} {'total':>6} {'score':>7}  survived  no tests  timeout  errored")
    for path, codes in data.items():
        c = Counter(codes.values())
        total = sum(n for code, n in c.items() if code not in SKIPPED)
        killed = sum(n for code, n in c.items() if code in KILLED)
        unchecked = sum(n for code, n in c.items() if code is None)
        score = 100.0 * killed / total if total else 0.0
        print(f"{path:28} {killed:7d} {total:6d} {score:6.1f}%  {c[0]:8d}  {sum(c[k] for k in NO_TESTS):8d}"
              f"  {sum(c[k] for k in TIMEOUT):7d}  {sum(c[k] for k in ERRORED):7d}"
              + (f"  ({unchecked} not run)" if unchecked else ""))
        if args.min is not None and score < args.min:
            low.append(path)
    if args.survivors:
        print()
        for codes in data.values():
            for key, code in codes.items():
                if code is not None and code not in KILLED and code not in SKIPPED:
                    state = ("survived" if code in SURVIVED else "no tests" if code in NO_TESTS
                             else "errored" if code in ERRORED else f"exit {code}")
                    print(f"{state:9} {key}")
    if low:
        print(f"\nbelow {args.min:.0f} %: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
