"""Recognising the local stage's officials signing key (the key itself lives in infra/devkeys/).

Only a fingerprint of its modulus is here, so a deployed function can recognise the dev key without
shipping it. The fingerprint is of the number, not of its text: a copy of the key with another kid,
base64 padding, leading zero bytes, or given as PEM has the same modulus, and the verifier would
accept tokens signed with the dev key under any of them.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# SHA-256 of the dev key's modulus as big-endian bytes without leading zeros
DEV_MODULUS_SHA256 = "50239d109bcc07a8143ebce3c0756e3f11dd16aa65080bde37623d725e196a1b"
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.+?-----END [A-Z0-9 ]+-----", re.DOTALL)


def modulus_fingerprint(n: int) -> str:
    return hashlib.sha256(n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")).hexdigest()


def is_dev_key(text: str) -> bool:
    """Whether any RSA key in `text` (JWK, JWKS or PEM) is the dev key."""
    return any(modulus_fingerprint(n) == DEV_MODULUS_SHA256 for n in rsa_moduli(text))


def rsa_moduli(text: str) -> list[int]:
    """Every RSA modulus in `text`: each JSON object's `n`, decoded as PyJWT decodes it for the
    verifier (so whatever it would load is seen here), and every PEM key or certificate."""
    found: list[int] = []
    if '"n"' in text:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        found += [n for n in (_jwk_modulus(k) for k in _objects(document)) if n is not None]
    if "-----BEGIN" in text:
        found += [n for n in (_pem_modulus(block) for block in _PEM.findall(text)) if n is not None]
    return found


def _objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node, *(o for value in node.values() for o in _objects(value))]
    if isinstance(node, list):
        return [o for value in node for o in _objects(value)]
    return []


def _jwk_modulus(jwk: dict[str, Any]) -> int | None:
    from jwt.utils import from_base64url_uint

    value = jwk.get("n")
    if not isinstance(value, str):
        return None
    try:
        return int(from_base64url_uint(value))
    except (ValueError, TypeError):  # binascii.Error and UnicodeEncodeError are ValueErrors
        return None


def _pem_modulus(block: str) -> int | None:
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    data = block.encode()
    loaders = (
        lambda: serialization.load_pem_public_key(data),
        lambda: serialization.load_pem_private_key(data, password=None).public_key(),
        lambda: x509.load_pem_x509_certificate(data).public_key(),
    )
    for load in loaders:
        try:
            key = load()
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return int(key.public_numbers().n)
    return None
