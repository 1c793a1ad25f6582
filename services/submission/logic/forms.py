"""The online form: `form_data` checked against the procedure's JSON Schema, errors in Vietnamese."""

from __future__ import annotations

from typing import Any

from services.core.errors import ValidationFailed
from services.core.form_schema import UnsafeSchema, form_validator

# a schema stored before the import rules (services/core/form_schema.py) is refused, never fetched from
UNUSABLE = [
    {
        "field": "form_data",
        "message": "Biểu mẫu trực tuyến của thủ tục này không dùng được; xin liên hệ cơ quan giải quyết.",
    }
]

_MESSAGES = {
    "required": "«{title}» là bắt buộc.",
    "type": "«{title}» không đúng kiểu dữ liệu.",
    "maxLength": "«{title}» dài quá {limit} ký tự.",
    "minLength": "«{title}» cần ít nhất {limit} ký tự.",
    "pattern": "«{title}» không đúng định dạng.",
    "enum": "«{title}» phải là một trong các lựa chọn cho sẵn.",
    "format": "«{title}» không đúng định dạng.",
    "minimum": "«{title}» không được nhỏ hơn {limit}.",
    "maximum": "«{title}» không được lớn hơn {limit}.",
    "additionalProperties": "Biểu mẫu có trường không được khai báo.",
    "const": "«{title}» không hợp lệ.",
}


def _title(schema: dict[str, Any], path: list[str]) -> str:
    node: Any = schema
    for part in path:
        node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    return node.get("title", path[-1] if path else "Biểu mẫu") if isinstance(node, dict) else str(path[-1])


def form_errors(schema: dict[str, Any] | None, form_data: dict[str, Any]) -> list[dict[str, str]]:
    if not schema:
        return (
            []
            if not form_data
            else [{"field": "form_data", "message": "Thủ tục này không có biểu mẫu trực tuyến."}]
        )
    from referencing.exceptions import Unresolvable

    try:
        found = sorted(form_validator(schema).iter_errors(form_data), key=lambda e: list(e.absolute_path))
    except (UnsafeSchema, Unresolvable, RecursionError):
        return [dict(e) for e in UNUSABLE]
    errors = []
    for error in found:
        path = [str(p) for p in error.absolute_path]
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = [*path, missing]
        limit = error.validator_value if isinstance(error.validator_value, (int, float)) else ""
        template = _MESSAGES.get(str(error.validator), "«{title}» không hợp lệ.")
        errors.append(
            {
                "field": ".".join(["form_data", *path]),
                "message": template.format(title=_title(schema, path), limit=limit),
            }
        )
    return errors


def check_form(schema: dict[str, Any] | None, form_data: dict[str, Any]) -> None:
    errors = form_errors(schema, form_data)
    if errors:
        raise ValidationFailed(f"Biểu mẫu trực tuyến còn {len(errors)} chỗ chưa hợp lệ.", errors=errors)
