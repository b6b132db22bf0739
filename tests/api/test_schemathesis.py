"""The OpenAPI document is accurate: schemathesis generates requests for every operation (valid and
schema-violating ones, all its phases and checks) against the API served by uvicorn on 127.0.0.1 and
finds no failure. Its command line is used: its pytest plugin does not load under pytest 9."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.app import create_app
from api.config import ApiConfig
from lake import Lake
from tests.api.helpers import SigningKey, serve

KEY = "schemathesis-key"


def test_schemathesis_finds_no_failure(api_lake: Lake, signing_key: SigningKey, tmp_path: Path) -> None:
    config = ApiConfig(keys={KEY: "Kiểm thử"}, rate_per_minute=1e9, anonymous_rate_per_minute=1e9,
                       signing_key=str(signing_key.key_path), signing_cert=str(signing_key.cert_path))
    st = Path(sys.executable).with_name("schemathesis")
    with serve(create_app(api_lake, config)) as base:
        run = subprocess.run([str(st), "run", f"{base}/openapi.json", "--max-examples", "10", "--seed", "20261129",
                              "-H", f"X-API-Key: {KEY}", "--no-color"],
                             capture_output=True, text=True, timeout=300,
                             cwd=tmp_path)  # schemathesis writes its cache in the working folder
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "Tested: 7" in out, out  # every operation was exercised
    assert " passed" in out and "failure" not in out.lower(), out
