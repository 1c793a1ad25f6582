"""What a stored document really is: size, magic bytes, checksum. moto accepts presigned POSTs that break
their policy, so this check is the enforcement locally, and a second line of defence on AWS."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    reason: str | None
    sha256: str
    size: int


def detect(head: bytes) -> str | None:
    for content_type, signatures in MAGIC.items():
        if any(head.startswith(s) for s in signatures):
            return content_type
    return None


def verify(chunks: Iterable[bytes], declared_type: str, declared_size: int, limit: int) -> Verdict:
    """Read a document once (never more than `limit` + 1 bytes) and judge it."""
    digest = hashlib.sha256()
    head = b""
    tail = b""
    size = 0
    for chunk in chunks:
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        size += len(chunk)
        if size > limit:
            return Verdict(False, f"Tệp lớn hơn giới hạn {limit // (1024 * 1024)} MB.", "", size)
        digest.update(chunk)
        tail = (tail + chunk)[-2048:]
    name = TYPE_NAMES.get(declared_type, declared_type)
    if size == 0:
        return Verdict(False, "Tệp rỗng.", "", 0)
    if size != declared_size:
        return Verdict(
            False,
            f"Kích thước tệp ({size} byte) khác với kích thước đã khai báo ({declared_size} byte).",
            "",
            size,
        )
    actual = detect(head)
    if actual != declared_type:
        found = f"tệp {TYPE_NAMES[actual]}" if actual else "không phải PDF, JPEG hay PNG"
        return Verdict(False, f"Nội dung tệp không phải {name} như đã khai báo ({found}).", "", size)
    if declared_type == "application/pdf" and b"%%EOF" not in tail:
        return Verdict(False, "Tệp PDF bị hỏng hoặc tải lên chưa hoàn tất.", "", size)
    if declared_type == "image/png" and b"IEND" not in tail:
        return Verdict(False, "Tệp PNG bị hỏng hoặc tải lên chưa hoàn tất.", "", size)
    return Verdict(True, None, digest.hexdigest(), size)
