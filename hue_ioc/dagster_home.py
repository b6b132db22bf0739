"""A local Dagster instance for the CLI: DAGSTER_HOME defaults to the repo's .dagster_home/, and its
dagster.yaml starts as a copy of the repo's dagster.yaml (`make dev` starts `dagster dev` from DAGSTER_HOME, so
that copy is the one in the folder it starts from, and it does not warn)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.settings import repo_root


def ensure_dagster_home() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or (Path.cwd() / ".dagster_home")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    cfg = home / "dagster.yaml"
    src = repo_root() / "dagster.yaml"
    if not cfg.exists() and src.exists():
        shutil.copy(src, cfg)
    elif not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n")
    return home
