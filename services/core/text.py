"""Vietnamese text helpers shared by services."""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile(r"[\u0300-\u036f]")
_D = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """'Đăng ký kết hôn' -> 'Dang ky ket hon'."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.translate(_D)))


def plain_ascii(text: str, limit: int = 255) -> str:
    """Diacritics removed, then only letters, digits, space and `.-_/:` kept (payment gateways' rule)."""
    cleaned = re.sub(r"[^A-Za-z0-9 .\-_/:]", " ", strip_diacritics(text))
    return re.sub(r"\s+", " ", cleaned).strip()[:limit]


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' -> 'N*** V** An': enough for a citizen to recognise, not to identify."""
    parts = full_name.split()
    if not parts:
        return ""
    masked = [p[0] + "*" * (len(p) - 1) for p in parts[:-1]]
    return " ".join([*masked, parts[-1]])


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name with no path, no control characters and nothing a shell or a URL trips on."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ()]", "_", base, flags=re.UNICODE).strip(" .")
    return (base or "tep")[-limit:]
