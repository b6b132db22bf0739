"""The lake API suite runs twice: on a local folder and on S3 (moto_server on loopback, an S3 emulator).

Each S3 test gets a bucket of its own on one moto_server per session, with the same storage options a
deployment takes from the AWS_* variables (conditional_put=etag: concurrent writers safe)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from lake import Lake


@pytest.fixture(scope="session")
def moto_server():
    from tests.faults.harness import moto_running

    with moto_running() as env:
        yield env


@pytest.fixture(params=["local", "s3"])
def lake(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Lake:
    if request.param == "local":
        return Lake.open(tmp_path / "lake")
    env = request.getfixturevalue("moto_server")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    import boto3

    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1").create_bucket(Bucket=bucket)
    lake = Lake.open(f"s3://{bucket}/ioc")
    assert lake.storage_options.get("conditional_put") == "etag", lake.storage_options
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    return lake
