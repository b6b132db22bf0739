"""The API sits beside dashboards and publications: it reads through views (and core), never through
pipelines, detectors, dashboards, publications or the CLI; its views read the lake only."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OURS = {"api", "views", "core", "lake", "pipelines", "detectors", "dashboards", "publications", "hue_ioc"}


def first_party_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots & OURS


def test_api_imports_only_views_core_and_the_lake_handle() -> None:
    files = sorted((REPO / "api").glob("*.py"))
    assert len(files) >= 8
    for f in files:
        assert first_party_imports(f) <= {"api", "views", "core", "lake"}, f.name


def test_api_views_read_only_the_lake_and_core() -> None:
    for name in ("open311.py", "issued_warnings.py"):
        assert first_party_imports(REPO / "views" / name) <= {"core", "lake"}, name
