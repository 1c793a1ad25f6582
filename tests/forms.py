"""Valid answers to an online form (a procedure's JSON Schema), as a careful citizen would give them."""

from __future__ import annotations

import re
from typing import Any

SAMPLES = (
    "012345678901",
    "0912345678",
    "ABCD12345",
    "08:30",
    "1234.50",
    "0123456789",
    "AB12-345678",
    "12345678",
    "A1B2C3D4E5",
)


def fill(schema: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(node) for name, node in schema.get("properties", {}).items()}


def _value(node: dict[str, Any]) -> Any:
    kind = node.get("type")
    if kind == "object":
        return fill(node)
    if kind == "boolean":
        return True
    if kind == "integer":
        return int(node.get("minimum", 1))
    if "enum" in node:
        return node["enum"][0]
    if node.get("format") == "date":
        return "2026-01-15"
    if node.get("format") == "email":
        return "cong.dan@example.vn"
    if "pattern" in node:
        for sample in SAMPLES:
            if re.fullmatch(node["pattern"], sample):
                return sample
        raise ValueError(f"no sample matches {node['pattern']}")
    text = "Nội dung kê khai của công dân"
    low, high = int(node.get("minLength", 0)), int(node.get("maxLength", 200))
    return (text * 4)[: max(low, min(high, len(text)))]
