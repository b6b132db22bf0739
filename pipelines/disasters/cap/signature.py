"""Enveloped XML signatures on received CAP alerts (XML-DSig, checked with signxml).

CAP 1.2 lets an ``<alert>`` end with ``<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">`` (IPAWS,
Canada's NAAD and others sign that way). Each alert gets one outcome:

- ``unsigned``: no signature;
- ``unverified``: signed, but no trust store is configured, so nobody can say by whom;
- ``verified``: the signature holds for one of the certificates of the trust store;
- ``invalid``: a trust store is configured and the signature holds for none of its certificates
  (content changed after signing, or signed by a key we do not trust).

A policy decides which outcomes are accepted; the outcome is stored with the warning either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidInput, InvalidSignature

from pipelines.disasters.cap.rules import DSIG_NS, CapError

OUTCOMES = ("verified", "unverified", "invalid", "unsigned")
# policy → the outcomes it accepts
POLICIES: dict[str, frozenset[str]] = {
    "record": frozenset(OUTCOMES),  # keep everything, outcome recorded
    "refuse_invalid": frozenset({"verified", "unverified", "unsigned"}),  # the default
    "require_verified": frozenset({"verified"}),
}
DEFAULT_POLICY = "refuse_invalid"
# Received alerts are untrusted text: no entities, no network, no DTD, no huge trees.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class SignatureCheck:
    outcome: str  # one of OUTCOMES
    detail: str | None = None  # the signer's subject when verified, the failure when invalid
    signed_xml: bytes | None = None  # what the signature covers (verified only): this is what gets parsed


def load_trust_store(path: str | Path) -> list[x509.Certificate]:
    """The certificates of a trust store: one PEM file holding one or more certificates, or a folder of
    ``*.pem`` / ``*.crt`` files. An empty or unreadable store is an error, not an empty trust."""
    p = Path(path)
    files = sorted(f for f in p.iterdir() if f.suffix.lower() in (".pem", ".crt")) if p.is_dir() else [p]
    certs: list[x509.Certificate] = []
    for f in files:
        try:
            certs += x509.load_pem_x509_certificates(f.read_bytes())
        except (OSError, ValueError) as exc:
            raise ValueError(f"CAP trust store {f}: cannot read certificates ({exc})") from None
    if not certs:
        raise ValueError(f"CAP trust store {p}: no certificate found")
    return certs


def is_signed(root: etree._Element) -> bool:
    return root.find(f"{{{DSIG_NS}}}Signature") is not None


def check_signature(alert_xml: bytes, trust: list[x509.Certificate] | None) -> SignatureCheck:
    """The signature outcome of one alert document (bytes as received or as cut from its container)."""
    try:
        root = etree.fromstring(alert_xml, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    if not is_signed(root):
        return SignatureCheck("unsigned")
    if not trust:
        return SignatureCheck("unverified", "no CAP trust store configured")
    failure = ""
    for cert in trust:
        try:
            result = XMLVerifier().verify(alert_xml, x509_cert=cert, parser=SAFE_PARSER)
        except (InvalidSignature, InvalidInput) as exc:
            failure = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            continue
        assert not isinstance(result, list)  # one reference expected (the default)
        return SignatureCheck("verified", cert.subject.rfc4514_string(),
                              etree.tostring(result.signed_xml, encoding="UTF-8"))
    return SignatureCheck("invalid", f"signature holds for no certificate of the trust store ({failure})")


def accepted(outcome: str, policy: str) -> bool:
    try:
        return outcome in POLICIES[policy]
    except KeyError:
        raise ValueError(f"unknown CAP signature policy {policy!r}; known: {', '.join(POLICIES)}") from None
