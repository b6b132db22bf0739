"""A small simulated lake (reports + the IOC's flood warnings) and a throwaway signing key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from lake import Lake
from tests.api.helpers import (
    CONTROL_ID,
    CONTROL_TEXT,
    LEAKY_EMAIL,
    LEAKY_ID,
    LEAKY_NAME,
    LEAKY_PHONE,
    SigningKey,
)


@pytest.fixture(scope="session")
def api_lake_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.disasters import gauges
    from pipelines.disasters.warnings_issuer import issue_flood_warnings
    from pipelines.reports.build import build_reports_lake

    root = tmp_path_factory.mktemp("api") / "lake"
    lake = Lake.open(root)
    build_reports_lake(lake, seed=7, scale=0.005)
    gauges.load_stations(lake)
    gauges.load_vndms_file(lake)
    issue_flood_warnings(lake)
    # two hand-made open reports (the simulator's few open ones are only the tail at its window's end)
    base = lake.read("silver.reports").filter(pl.col("is_valid") & pl.col("extension_granted_at").is_null()).head(1) \
        .with_columns(
        pl.lit("open").alias("status"), pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("resolved_at"),
        pl.lit(None, dtype=pl.String).alias("rating"))
    leaky = base.with_columns(
        pl.lit(LEAKY_ID).alias("report_id"),
        pl.lit(f"Ổ gà lớn trước nhà tôi. Tôi là {LEAKY_NAME}, gọi {LEAKY_PHONE} hoặc {LEAKY_EMAIL}.")
        .alias("description"),
        pl.lit(LEAKY_NAME).alias("reporter_name"),
        pl.lit(LEAKY_PHONE.replace(" ", "")).alias("reporter_phone"),
        pl.lit(dt.datetime(2022, 5, 26, 3, 0, tzinfo=dt.UTC)).alias("received_at"),
        pl.lit(dt.datetime(2022, 5, 26, 4, 0, tzinfo=dt.UTC)).alias("updated_at"),
    )
    control = base.with_columns(pl.lit(CONTROL_ID).alias("report_id"), pl.lit(CONTROL_TEXT).alias("description"))
    lake.merge("silver.reports", pl.concat([leaky, control]))
    return root


@pytest.fixture(scope="session")
def api_lake(api_lake_root: Path) -> Lake:
    return Lake.open(api_lake_root)


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    """A throwaway RSA key and self-signed certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.ioc.hue.gov.vn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("keys")
    key_path, cert_path = folder / "ioc.key", folder / "ioc.crt"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_path.write_bytes(cert_pem)
    return SigningKey(key_path, cert_path, cert_pem)
