"""Per-module mutation score from a finished `mutmut run` (the `mutants/*.meta` files it leaves).

Usage: python scripts/mutation_report.py [--root mutants] [--root other/mutants ...] [--survivors] [--min 85]
Prints killed/total per mutated module; with several roots (runs of parts of the set in separate checkouts),
a later root's verdict on a mutant replaces an earlier one's, and a mutant a root did not run keeps the
verdict it has. a mutant counts as killed when a test failed on it or it ran past
mutmut's time limit (an endless loop is caught too). "no tests" and errored workers count as not killed. With --min,
exits 1 when a module scores below that percentage or has mutants not yet run.
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


def load(roots: list[Path]) -> dict[str, dict[str, int | None]]:
    out: dict[str, dict[str, int | None]] = {}
    for root in roots:
        for meta in sorted(root.glob("**/*.py.meta")):
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            if not codes:
                continue
            have = out.setdefault(str(meta.relative_to(root))[: -len(".meta")], {})
            for key, code in codes.items():
                if code is not None or key not in have:
                    have[key] = code
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, action="append", help="a mutmut mutants/ folder (repeatable; "
                    "default mutants)")
    ap.add_argument("--survivors", action="store_true", help="list every mutant not killed")
    ap.add_argument("--min", type=float, default=None, help="fail below this percentage killed in any module")
    args = ap.parse_args(argv)
    roots = args.root or [Path("mutants")]
    data = load(roots)
    if not data:
        print(f"no mutmut results under {', '.join(map(str, roots))}: run `mutmut run` first", file=sys.stderr)
        return 2
    low = []
    print(f"{'module':34} {'killed':>6} {'of':>5} {'score':>7}  survived  no tests  timeout  errored  not run")
    for path, codes in data.items():
        c = Counter(codes.values())
        measured = sum(n for code, n in c.items() if code is not None and code not in SKIPPED)
        killed = sum(n for code, n in c.items() if code in KILLED)
        score = 100.0 * killed / measured if measured else 0.0
        print(f"{path:34} {killed:6d} {measured:5d} {score:6.1f}%  {c[0]:8d}  {sum(c[k] for k in NO_TESTS):8d}"
              f"  {sum(c[k] for k in TIMEOUT):7d}  {sum(c[k] for k in ERRORED):7d}  {c[None]:7d}")
        # a module with mutants not yet run has no score yet
        if args.min is not None and (score < args.min or c[None]):
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
        print(f"\nbelow {args.min:.0f} % or not fully run: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
