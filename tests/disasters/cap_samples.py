"""CAP documents made for the tests: alerts signed with throwaway keys, containers, EDXL-DE wrappers."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, methods

DSIG = "http://www.w3.org/2000/09/xmldsig#"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
A2 = "cap12_spec_A2_severe_thunderstorm_polygon.xml"
A4 = "cap12_spec_A4_amber_multilingual_en_es.xml"
A2_ID = b"KSTO1055887203"


@dataclass(frozen=True)
class TestKey:
    key_pem: bytes
    cert_pem: bytes

    def write(self, folder: Path, name: str) -> Path:
        path = folder / f"{name}.pem"
        path.write_bytes(self.cert_pem)
        return path


def make_key(common_name: str) -> TestKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    return TestKey(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()),
                   cert.public_bytes(serialization.Encoding.PEM))


def sign(xml: bytes, key: TestKey) -> bytes:
    """``xml`` with an enveloped ``<Signature xmlns="…xmldsig#">`` after its info blocks, as IPAWS publishes."""
    signer = XMLSigner(method=methods.enveloped, c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    signer.namespaces = {None: DSIG}
    signed = signer.sign(etree.fromstring(xml), key=key.key_pem, cert=key.cert_pem)
    return etree.tostring(signed, encoding="UTF-8", xml_declaration=True)


def variant(xml: bytes, n: int | str) -> bytes:
    """The A2 alert with another identifier (so that it is a distinct warning)."""
    return xml.replace(A2_ID, A2_ID + f"-{n}".encode(), 1)


def body(xml: bytes) -> bytes:
    """An alert without its XML declaration, to embed it in another document."""
    return xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml


def container(alerts: list[bytes]) -> bytes:
    inner = b"\n".join(body(a) for a in alerts)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n<alerts>\n' + inner + b"\n</alerts>\n"


def edxl_de(embedded: bytes, base64_alert: bytes) -> bytes:
    """An EDXL-DE 1.0 distribution: a text object, an embedded alert, a base64 alert."""
    ns = "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<EDXLDistribution xmlns="{ns}">'
            "<distributionID>hue-test-1</distributionID><senderID>ioc@hue.gov.vn</senderID>"
            "<dateTimeSent>2025-11-17T08:00:00+07:00</dateTimeSent><distributionStatus>Actual</distributionStatus>"
            "<distributionType>Report</distributionType><combinedConfidentiality>UNCLASSIFIED</combinedConfidentiality>"
            "<contentObject><contentDescription>note</contentDescription><nonXMLContent>"
            "<mimeType>text/plain</mimeType><contentData>aGVsbG8=</contentData></nonXMLContent></contentObject>"
            "<contentObject><xmlContent><embeddedXMLContent>").encode() + body(embedded) + (
            "</embeddedXMLContent></xmlContent></contentObject>"
            "<contentObject><nonXMLContent><mimeType>application/cap+xml</mimeType><contentData>"
            f"{base64.b64encode(base64_alert).decode()}</contentData></nonXMLContent></contentObject>"
            "</EDXLDistribution>").encode()
