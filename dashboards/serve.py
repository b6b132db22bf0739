"""Start the dashboard server: ``streamlit run dashboards/app.py`` bound to loopback by default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def command(wall: bool = False, port: int = 8501, address: str = "127.0.0.1") -> list[str]:
    """The streamlit command line (headless, no usage statistics, dark theme on the wall)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP),
           "--server.address", address, "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.toolbarMode", "viewer"]
    if wall:
        cmd += ["--theme.base", "dark", "--client.showSidebarNavigation", "false"]
    return cmd


def environment(wall: bool = False, role: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    repo = str(APP.parent.parent)
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if wall:
        env["HUE_IOC_DASHBOARD_WALL"] = "1"
    if role:
        env["HUE_IOC_ROLE"] = role
    return env


def serve(wall: bool = False, port: int = 8501, address: str = "127.0.0.1", role: str | None = None) -> int:
    """Run the dashboards until interrupted; returns streamlit's exit code."""
    print(f"Hue IOC dashboards: http://{address}:{port}/" + ("wall" if wall else ""), flush=True)
    try:
        return subprocess.call(command(wall, port, address), env=environment(wall, role))
    except KeyboardInterrupt:
        return 0
