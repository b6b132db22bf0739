"""Plant issue 17's nine one-line bugs again, one at a time, and show which tests now fail on each.

Each bug is planted alone in a throwaway worktree of HEAD (``git worktree add --detach``), the tests that guard
it run there, and the file is put back; the worktree is removed at the end. The bugs are the ones that survived
the suite before issue 17. Exit 1 when a planted bug fails no test.

Usage: ``make planted-bugs`` (or ``python scripts/planted_bugs.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]


class Bug(NamedTuple):
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS = (
    Bug("shrinkage prior 10 → 1", "core/kpis.py", "SCORE_PRIOR_REPORTS = 10", "SCORE_PRIOR_REPORTS = 1",
        ("tests/core/test_kpis_score.py", "tests/figures")),
    Bug("on-time / satisfaction weights swapped", "core/settings.py",
        'DEFAULT_WEIGHTS = {"on_time": 0.4, "satisfaction": 0.3,', 'DEFAULT_WEIGHTS = {"on_time": 0.3, "satisfaction": 0.4,',
        ("tests/core/test_kpis_score.py", "tests/figures")),
    Bug("PDF ranking cut to its first 10 rows", "publications/pdf.py", "    frame = data.ranking\n",
        "    frame = data.ranking.head(10)\n", ("tests/publications/test_report_pdf.py", "tests/figures")),
    Bug("same period last year = the previous month", "publications/report_data.py",
        '"year_ago": _headline(pinned, period.same_period_last_year(), unit_id)',
        '"year_ago": _headline(pinned, period.previous(), unit_id)',
        ("tests/figures", "tests/publications/test_report_pdf.py", "tests/publications/test_report_xlsx.py")),
    Bug("zone anchor bottom-centre → centre", "detectors/rules.py", "triggering_anchors=(sv.Position.BOTTOM_CENTER,)",
        "triggering_anchors=(sv.Position.CENTER,)", ("tests/detectors/test_rules_unit.py",)),
    Bug("'unknown admin unit' reject removed", "pipelines/reports/conform.py",
        'pl.when(pl.col("admin_unit_code").is_not_null() & ~pl.col("admin_unit_code").is_in(list(admin_codes)))',
        "pl.when(pl.lit(False))", ("tests/reports/test_reject_reasons.py",)),
    Bug("reports map ignores the area filter", "views/map_index.py", "(statuses, categories, channels, f.areas)",
        "(statuses, categories, channels, ())",
        ("tests/views/test_reports_map_filters.py", "tests/views/test_reports_map_kept.py")),
    Bug("plate parser accepts province codes 01–10", "core/vn_plates.py", "\nSERIES_LETTERS = ",
        '\nPROVINCES.update({f"{i:02d}": "Hà Nội" for i in range(1, 11)})\nSERIES_LETTERS = ',
        ("tests/core/test_plates_vn.py",)),
    Bug("simulator deadlines 7 hours late (17:00 UTC)", "pipelines/sources/hues/lifecycle.py",
        'np.timedelta64(END_OF_DAY.hour, "h") - VN_OFFSET', 'np.timedelta64(END_OF_DAY.hour, "h")',
        ("tests/reports/test_simulator_deadlines.py",)),
)


def folders() -> dict[str, str]:
    """HUE_IOC_ASSETS and HUE_IOC_DATA as this checkout resolves them: the worktree lives elsewhere, where a
    repo-relative ``../shared/assets`` would name nothing."""
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    from core.settings import assets_dir, data_dir

    found = {"HUE_IOC_ASSETS": assets_dir(), "HUE_IOC_DATA": data_dir()}
    return {k: str(v) for k, v in found.items() if v is not None}


def plant_and_run(tree: Path, bug: Bug, env: dict[str, str]) -> list[str]:
    """The tests that fail with ``bug`` planted in ``tree`` (the file is restored after)."""
    target = tree / bug.path
    source = target.read_text(encoding="utf-8")
    if bug.old not in source:
        raise SystemExit(f"{bug.path}: the line to plant {bug.name!r} in is gone; update scripts/planted_bugs.py")
    target.write_text(source.replace(bug.old, bug.new), encoding="utf-8")
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:randomly", "-p", "no:cacheprovider",
                              *bug.tests], cwd=tree, capture_output=True, text=True, check=False,
                             env={**os.environ, **env, "PYTHONPATH": str(tree)})
    finally:
        target.write_text(source, encoding="utf-8")
    return sorted(set(re.findall(r"^FAILED (\S+)", run.stdout, re.M)))


def main() -> int:
    env = folders()
    with tempfile.TemporaryDirectory(prefix="planted-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), "HEAD"], cwd=REPO, check=True)
        try:
            caught = 0
            for bug in BUGS:
                failed = plant_and_run(tree, bug, env)
                caught += bool(failed)
                print(f"## {bug.name} ({bug.path}): {len(failed)} failing test(s)", flush=True)
                for test in failed:
                    print(f"   {test}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
    print(f"{caught} of {len(BUGS)} planted bugs fail at least one test")
    return 0 if caught == len(BUGS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
