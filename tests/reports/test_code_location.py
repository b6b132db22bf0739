"""`dagster dev` loads the code location with no errors (validated, then served for real on loopback)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGSTER = Path(sys.executable).with_name("dagster")


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO / "dagster.yaml").read_text())
    return {**os.environ, "DAGSTER_HOME": str(home), "HUE_IOC_LAKE": str(tmp_path / "lake")}


def test_definitions_validate(tmp_path):
    out = subprocess.run([str(DAGSTER), "definitions", "validate", "-m", "hue_ioc.definitions"], cwd=REPO,
                         env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Validation successful" in out.stdout + out.stderr


@pytest.mark.slow
def test_dagster_dev_serves_the_code_location(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # its own process group: `dagster dev` ignores SIGTERM sent only to itself
    proc = subprocess.Popen([str(DAGSTER), "dev", "-m", "hue_ioc.definitions", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=tmp_path / "dagster_home", env=_env(tmp_path), stdout=(tmp_path / "dev.log").open("wb"),
                            stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        query = b'{"query": "{ workspaceOrError { ... on Workspace { locationEntries { name ' \
                b'locationOrLoadError { __typename ... on PythonError { message } } } } } }"}'
        body = ""
        for _ in range(240):
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=query,
                                             headers={"Content-Type": "application/json"})
                body = urllib.request.urlopen(req, timeout=2).read().decode()
                if "RepositoryLocation" in body or "PythonError" in body:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert "RepositoryLocation" in body and "PythonError" not in body, body
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    # started as `make dev` starts it, from DAGSTER_HOME: no "Found a dagster instance configuration ... in the
    # current folder" warning
    log = (tmp_path / "dev.log").read_text(errors="replace")
    assert "dagster instance configuration" not in log, log
