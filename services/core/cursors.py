"""Pagination cursors: opaque to clients, tamper-evident, and good only for the list that issued them.

A cursor is the list's own state (an offset, DynamoDB's last key...) as compact JSON, compressed, then
signed with HMAC-SHA256 over the list's scope (which list, which partition) and that body. A cursor
that was not issued here, or was issued for another list or partition, answers 400 before its state is
read, so a crafted start key never reaches DynamoDB (API.md, "Hardening of the first-stage contract").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import zlib
from typing import Any

from services.core.errors import BadRequest

TAG_BYTES = 16  # 128 bits: forging one takes 2^128 guesses, and each guess is a request
_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$")


class InvalidCursor(BadRequest):
    def __init__(self) -> None:
        super().__init__("Tham số cursor không hợp lệ; hãy dùng giá trị next_cursor của trang trước.")


class Cursors:
    """Issues and reads the cursors of every list of a service, with the key from its settings."""

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the cursors' key is too short")
        self._key = key

    def issue(self, scope: str, state: Any) -> str:
        packed = zlib.compress(json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode(), 9)
        body = _b64(packed)
        return f"{body}.{_b64(self._tag(scope, body))}"

    def read(self, scope: str, cursor: str | None) -> Any:
        """The state a cursor carries; None without one; InvalidCursor for anything not issued for `scope`."""
        if not cursor:
            return None
        if not _SHAPE.match(cursor):
            raise InvalidCursor()
        body, _, tag = cursor.partition(".")
        if not hmac.compare_digest(_unb64(tag), self._tag(scope, body)):
            raise InvalidCursor()
        try:
            return json.loads(zlib.decompress(_unb64(body)))
        except (ValueError, zlib.error) as err:  # signed by us, so only a changed format gets here
            raise InvalidCursor() from err

    def _tag(self, scope: str, body: str) -> bytes:
        message = f"cursor:v1\n{scope}\n{body}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()[:TAG_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as err:
        raise InvalidCursor() from err
