"""Enveloped XML signatures (XML-DSig, via signxml) on the CAP alerts the API hands out.

CAP 1.2 allows a ``<Signature>`` in the xmldsig namespace after the info blocks; the signature covers
the whole alert (reference URI ""), and carries the certificate so a partner can check it against the
one the IOC publishes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from threading import Lock

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree
from signxml import XMLSigner, methods
from signxml.algorithms import SignatureMethod

CACHE_SIZE = 512
# The stored alerts are our own, but they are parsed as untrusted text all the same.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class AlertSigner:
    def __init__(self, key_pem: bytes, cert_pem: bytes) -> None:
        key = load_pem_private_key(key_pem, password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            self._method = SignatureMethod.RSA_SHA256
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            self._method = SignatureMethod.ECDSA_SHA256
        else:
            raise ValueError("signing key: only RSA and EC keys are supported")
        self._key, self._cert = key_pem, cert_pem
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = Lock()

    @classmethod
    def from_files(cls, key_path: str, cert_path: str) -> AlertSigner:
        return cls(Path(key_path).read_bytes(), Path(cert_path).read_bytes())

    def sign(self, xml: bytes) -> bytes:
        """The alert with an enveloped signature appended (cached by the alert's content)."""
        digest = hashlib.sha256(xml).hexdigest()
        with self._lock:
            if digest in self._cache:
                self._cache.move_to_end(digest)
                return self._cache[digest]
        root = etree.fromstring(xml, parser=_PARSER)
        signer = XMLSigner(method=methods.enveloped, signature_algorithm=self._method,
                           c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
        signed = signer.sign(root, key=self._key, cert=self._cert)
        out = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
        with self._lock:
            self._cache[digest] = out
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return out
