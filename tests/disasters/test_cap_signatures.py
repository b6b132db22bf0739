"""Signed CAP alerts (enveloped XML-DSig after the info blocks): accepted, verified against the trust store,
the outcome stored in silver.warnings, and the policy deciding what is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509

from lake import Lake
from pipelines.disasters.cap.parse import parse_cap
from pipelines.disasters.cap.rules import CapError
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import CapDocument
from tests.disasters.cap_samples import A2, make_key, sign, variant


@pytest.fixture(scope="module")
def keys():
    return make_key("Huế IOC test signer"), make_key("somebody else")


@pytest.fixture(scope="module")
def a2(cap_dir: Path) -> bytes:
    return (cap_dir / A2).read_bytes()


def _signatures(lake: Lake) -> dict[str, str]:
    return dict(lake.sql("SELECT identifier, signature FROM silver.warnings").rows())


def _reasons(lake: Lake) -> dict[str, str]:
    return dict(lake.sql("SELECT record_ref, reason FROM silver.rejects").rows())


def test_a_signed_alert_parses_like_the_unsigned_one(a2: bytes, keys) -> None:
    signed = sign(a2, keys[0])
    assert b'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' in signed
    assert signed.rstrip().endswith(b"</Signature></alert>")  # after the info blocks
    assert parse_cap(signed).to_dict() == parse_cap(a2).to_dict()


def test_nothing_of_cap_may_follow_the_signature(a2: bytes, keys) -> None:
    signed = sign(a2, keys[0]).replace(b"</Signature></alert>", b"</Signature><note>late</note></alert>")
    with pytest.raises(CapError, match="after the signature"):
        parse_cap(signed)


def test_outcomes_with_a_trust_store(lake: Lake, a2: bytes, keys, tmp_path: Path) -> None:
    trusted, stranger = keys
    store = trusted.write(tmp_path, "trusted")
    docs = [
        CapDocument("ours.xml", "file", data=sign(variant(a2, "ours"), trusted)),
        CapDocument("theirs.xml", "file", data=sign(variant(a2, "theirs"), stranger)),
        CapDocument("tampered.xml", "file",
                    data=sign(variant(a2, "tampered"), trusted).replace(b"SEVERE THUNDERSTORM", b"MILD", 1)),
        CapDocument("plain.xml", "file", data=variant(a2, "plain")),
    ]
    res = ingest_documents(lake, docs, trust_store=str(store), policy="refuse_invalid")
    assert (res.inserted, res.rejected) == (2, 2)
    assert _signatures(lake) == {"KSTO1055887203-ours": "verified", "KSTO1055887203-plain": "unsigned"}
    reasons = _reasons(lake)
    assert reasons["theirs.xml"].startswith("signature invalid refused by policy refuse_invalid")
    assert reasons["tampered.xml"].startswith("signature invalid refused by policy refuse_invalid")


def test_record_policy_keeps_invalid_and_require_verified_refuses_unsigned(
        tmp_path: Path, a2: bytes, keys) -> None:
    trusted, stranger = keys
    store = x509.load_pem_x509_certificates(trusted.cert_pem)
    docs = [CapDocument("theirs.xml", "file", data=sign(variant(a2, "theirs"), stranger)),
            CapDocument("plain.xml", "file", data=variant(a2, "plain"))]
    kept = Lake.open(tmp_path / "record")
    ingest_documents(kept, docs, trust_store=store, policy="record")
    assert _signatures(kept) == {"KSTO1055887203-theirs": "invalid", "KSTO1055887203-plain": "unsigned"}
    strict = Lake.open(tmp_path / "strict")
    res = ingest_documents(strict, docs, trust_store=store, policy="require_verified")
    assert res.inserted == 0
    assert _reasons(strict)["plain.xml"] == "signature unsigned refused by policy require_verified"


def test_without_a_trust_store_a_signature_is_unverified(lake: Lake, a2: bytes, keys,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUE_IOC_CAP_TRUST_STORE", raising=False)
    ingest_documents(lake, [CapDocument("x.xml", "file", data=sign(a2, keys[1]))])
    assert _signatures(lake) == {"KSTO1055887203": "unverified"}


def test_trust_store_and_policy_from_the_settings(lake: Lake, a2: bytes, keys, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "trust"
    folder.mkdir()
    keys[1].write(folder, "other")
    keys[0].write(folder, "ours")
    monkeypatch.setenv("HUE_IOC_CAP_TRUST_STORE", str(folder))
    monkeypatch.setenv("HUE_IOC_CAP_SIGNATURE_POLICY", "require_verified")
    res = ingest_documents(lake, [CapDocument("a.xml", "file", data=sign(variant(a2, 1), keys[0])),
                                  CapDocument("b.xml", "file", data=variant(a2, 2))])
    assert res.inserted == 1
    assert _signatures(lake) == {"KSTO1055887203-1": "verified"}


def test_an_empty_trust_store_is_an_error(lake: Lake, a2: bytes, tmp_path: Path) -> None:
    (tmp_path / "empty.pem").write_text("no certificate here\n")
    with pytest.raises(ValueError, match="cannot read certificates"):
        ingest_documents(lake, [CapDocument("a.xml", "file", data=a2)], trust_store=str(tmp_path / "empty.pem"))


def test_a_lake_written_before_the_signature_column_takes_it(lake: Lake, a2: bytes) -> None:
    from deltalake import write_deltalake

    from lake.catalog import spec

    old = spec("silver.warnings").schema
    old = old.remove(old.get_field_index("signature"))
    write_deltalake(lake.uri("silver.warnings"), old.empty_table())
    assert lake.read("silver.warnings").columns == spec("silver.warnings").schema.names  # read fills it in
    ingest_documents(lake, [CapDocument("x.xml", "file", data=variant(a2, "new"))])
    assert _signatures(lake) == {"KSTO1055887203-new": "unsigned"}
