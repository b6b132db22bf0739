"""CAP documents holding many alerts (a container, an EDXL-DE distribution), broken documents, and raw bytes
kept exactly as received in their declared encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake import Lake
from pipelines.disasters.cap_ingest import ingest_documents
from pipelines.disasters.feeds import CapDocument, file_documents
from tests.disasters.cap_samples import A2, A4, container, edxl_de, make_key, sign, variant


@pytest.fixture(scope="module")
def a2(cap_dir: Path) -> bytes:
    return (cap_dir / A2).read_bytes()


def _origins(lake: Lake) -> dict[str, str]:
    return dict(lake.sql("SELECT origin, identifier FROM silver.warnings").rows())


def test_a_container_of_17_alerts_gives_17_warnings(lake: Lake, a2: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bundle.xml"
    path.write_bytes(container([variant(a2, n) for n in range(1, 18)]))
    res = ingest_documents(lake, file_documents([path]))
    assert (res.read, res.parsed, res.inserted, res.rejected) == (1, 17, 17, 0)
    assert _origins(lake) == {f"{path}#{n}": f"KSTO1055887203-{n}" for n in range(1, 18)}
    assert lake.sql("SELECT count(*) FROM bronze.cap_alerts_raw").item() == 1  # the document, once


def test_one_bad_alert_in_a_container_does_not_stop_the_others(lake: Lake, a2: bytes) -> None:
    bad = variant(a2, "bad").replace(b"<urgency>Immediate</urgency>", b"<urgency>Soon</urgency>")
    doc = CapDocument("c.xml", "file", data=container([variant(a2, 1), bad, variant(a2, 3)]))
    res = ingest_documents(lake, [doc])
    assert (res.inserted, res.rejected) == (2, 1)
    assert sorted(_origins(lake)) == ["c.xml#1", "c.xml#3"]
    ref, reason = lake.sql("SELECT record_ref, reason FROM silver.rejects").row(0)
    assert ref == "c.xml#2" and "urgency" in reason


def test_edxl_de_distribution(lake: Lake, a2: bytes, cap_dir: Path) -> None:
    doc = CapDocument("de.xml", "feed", data=edxl_de(variant(a2, "embedded"), (cap_dir / A4).read_bytes()))
    res = ingest_documents(lake, [doc])
    assert (res.inserted, res.rejected) == (2, 0)
    # the first content object is plain text: the alerts are objects 2 and 3
    assert _origins(lake) == {"de.xml#2": "KSTO1055887203-embedded", "de.xml#3": "KAR0-0306112239-SW"}
    assert lake.sql("SELECT languages FROM silver.warnings WHERE origin = 'de.xml#3'").item() == "en-US,es-US"


def test_a_signed_alert_inside_a_container_still_verifies(lake: Lake, a2: bytes, tmp_path: Path) -> None:
    key = make_key("container signer")
    doc = CapDocument("c.xml", "file", data=container([sign(variant(a2, 1), key), variant(a2, 2)]))
    ingest_documents(lake, [doc], trust_store=str(key.write(tmp_path, "k")), policy="refuse_invalid")
    assert dict(lake.sql("SELECT origin, signature FROM silver.warnings").rows()) == {
        "c.xml#1": "verified", "c.xml#2": "unsigned"}


@pytest.mark.parametrize(("data", "reason"), [
    (b"<alerts><note>nothing</note></alerts>", "not a CAP 1.2 alert: root element is <alerts> and holds no"),
    (b'<EDXLDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:1.0"><distributionID>x</distributionID>'
     b"</EDXLDistribution>", "EDXL-DE distribution holds no CAP 1.2 alert"),
])
def test_documents_without_alerts_are_rejected(lake: Lake, data: bytes, reason: str) -> None:
    res = ingest_documents(lake, [CapDocument("x.xml", "file", data=data)])
    assert res.rejected == 1
    assert lake.sql("SELECT reason FROM silver.rejects").item().startswith(reason)


def test_a_truncated_document_is_rejected_and_kept_raw(lake: Lake, a2: bytes) -> None:
    cut = container([variant(a2, 1), variant(a2, 2)])[:-400]
    res = ingest_documents(lake, [CapDocument("cut.xml", "file", data=cut)])
    assert (res.inserted, res.rejected) == (0, 1)
    assert lake.sql("SELECT reason FROM silver.rejects").item().startswith("not well-formed XML")
    assert lake.sql("SELECT raw_bytes FROM bronze.cap_alerts_raw").item() == cut


def test_an_iso_8859_1_alert_is_kept_exactly(lake: Lake, cap_dir: Path, tmp_path: Path) -> None:
    text = (cap_dir / A4).read_text(encoding="utf-8")
    assert "Abducción de Niño" in text
    latin = text.replace('encoding = "UTF-8"', 'encoding = "ISO-8859-1"', 1)
    assert 'encoding = "ISO-8859-1"' in latin
    raw = latin.encode("iso-8859-1")
    assert "Abducción".encode() not in raw  # really Latin-1 bytes: ó is one byte 0xF3
    path = tmp_path / "amber-latin1.xml"
    path.write_bytes(raw)
    res = ingest_documents(lake, file_documents([path]))
    assert res.inserted == 1
    stored, encoding, payload = lake.sql("SELECT raw_bytes, encoding, payload FROM bronze.cap_alerts_raw").row(0)
    assert stored == raw and encoding == "ISO-8859-1"
    assert payload == latin and "\ufffd" not in payload
    xml, infos = lake.sql("SELECT xml, infos_json FROM silver.warnings").row(0)
    assert "\ufffd" not in xml and "Abducción de Niño" in xml and "Abducción de Niño" in infos
