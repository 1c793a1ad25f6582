"""Vietnamese text helpers shared by services."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_MARKS = re.compile(r"[\u0300-\u036f]")
_D = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """'Đăng ký kết hôn' -> 'Dang ky ket hon'."""
    return _MARKS.sub("", unicodedata.normalize("NFD", text.translate(_D)))


def plain_ascii(text: str, limit: int = 255) -> str:
    """Diacritics removed, then only letters, digits, space and `.-_/:` kept (payment gateways' rule)."""
    cleaned = re.sub(r"[^A-Za-z0-9 .\-_/:]", " ", strip_diacritics(text))
    return re.sub(r"\s+", " ", cleaned).strip()[:limit]


def initials(full_name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.': enough for a citizen to recognise, not to identify (a given name
    alone names the person in a small commune)."""
    parts = unicodedata.normalize("NFC", full_name).split()
    return " ".join(f"{p[0].upper()}." for p in parts if p[0].isalpha())


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name with no path, no control characters and nothing a shell or a URL trips on."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ()]", "_", base, flags=re.UNICODE).strip(" .")
    return (base or "tep")[-limit:]


# -- what people type: no invisible characters ---------------------------------------------------------

# Control (Cc), format (Cf: bidi overrides and isolates, zero-width characters, BOM), surrogates (Cs),
# private use (Co) and line/paragraph separators (Zl, Zp): invisible on screen, they let a name read one
# way to an official and another to a program (U+202E turns "An" into "nA") or split a record.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
# free text may break lines, and joins emoji with ZWJ/ZWNJ; bidi controls stay refused there too
_IN_FREE_TEXT = frozenset("\n\r\t\u200c\u200d")


def hidden_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The code points (U+XXXX) of the invisible characters in `text` that its kind of field refuses."""
    allowed = _IN_FREE_TEXT if multiline else frozenset()
    return [f"U+{ord(c):04X}" for c in text if c not in allowed and unicodedata.category(c) in _HIDDEN]


def one_line(value: str) -> str:
    """A name, an address, a title: visible characters on one line (a pydantic validator)."""
    if hidden_characters(value):
        raise ValueError("Chỉ được nhập trên một dòng, không chứa ký tự điều khiển hay ký tự ẩn.")
    return value


def free_text(value: str) -> str:
    """Content, notes, answers: line breaks allowed, other invisible characters not (a pydantic validator)."""
    if hidden_characters(value, multiline=True):
        raise ValueError("Nội dung không được chứa ký tự điều khiển hay ký tự ẩn (như ký tự đảo chiều chữ).")
    return value


OneLine = Annotated[str, AfterValidator(one_line)]
FreeText = Annotated[str, AfterValidator(free_text)]
