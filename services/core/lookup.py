"""The check code printed on a receipt beside its QR code: what unlocks a dossier's public record.

Dossier codes are sequential, so a code alone tells only whether the dossier exists and its status
(API.md, "Hardening of the first-stage contract"). The check is a keyed hash of the code, so nothing is
stored: the receipt computes it to print it, the public lookup computes it again to compare. Eight
base32 characters (40 bits) against a rate-limited lookup cannot be guessed, and are short enough to
type from paper.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

CHECK_LENGTH = 8
# what people misread on paper, folded onto the base32 alphabet (which has neither 0, 1 nor 8)
_MISREAD = str.maketrans({"0": "O", "1": "I", "8": "B"})


def check_code(dossier_code: str, key: str) -> str:
    """The dossier's check code: the first 8 base32 characters of HMAC-SHA256(key, code)."""
    digest = hmac.new(key.encode(), f"lookup-check:v1:{dossier_code}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CHECK_LENGTH]


def normalize_check(value: str) -> str:
    """What a citizen typed, as printed: upper case, without spaces or dashes, misread digits folded."""
    return "".join(value.split()).replace("-", "").upper().translate(_MISREAD)


def is_valid_check(dossier_code: str, check: str | None, key: str) -> bool:
    """Whether `check` is the dossier's check code (compared in constant time)."""
    if not check:
        return False
    expected = check_code(dossier_code, key).encode()
    return hmac.compare_digest(expected, normalize_check(check).encode("utf-8", "replace"))


def tracking_link(portal_url: str, dossier_code: str, key: str) -> str:
    """The public lookup page for the dossier, with its check (the receipt's QR code carries it)."""
    check = check_code(dossier_code, key)
    return f"{portal_url.rstrip('/')}/tra-cuu.html?ma={quote(dossier_code)}&check={check}"


def refuse_dev_key(key: str, is_local: bool) -> None:
    """Settings call this at cold start: the repository's key is refused outside the local stage."""
    from services.core.settings import DEV_LOOKUP_CHECK_KEY, InsecureConfiguration

    if not is_local and DEV_LOOKUP_CHECK_KEY in key:
        raise InsecureConfiguration(
            "LOOKUP_CHECK_KEY is a development value outside the local stage; "
            "serverless.yml gives the functions the stack's generated key"
        )
