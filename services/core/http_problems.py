"""Problems as HTTP answers: the exception handlers every app installs, the field messages of a 422,
and the bodies the hardening middleware answers with when no handler could run.

Every answer is `application/problem+json` in the shape of `ProblemModel` (RFC 9457, API.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from services.core.errors import PROBLEM_CONTENT_TYPE, PayloadTooLarge, Problem, problem_body
from services.core.observability import logger


class ProblemModel(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] | None = None


class FieldError(BaseModel):
    field: str
    message: str


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(), status_code=problem.status, headers=problem.headers, media_type=PROBLEM_CONTENT_TYPE
    )


# pydantic's error type -> the sentence a citizen reads beside the field
FIELD_MESSAGES = {
    "missing": "Thông tin này là bắt buộc.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "string_type": "Phải là một chuỗi ký tự.",
    "int_parsing": "Phải là một số nguyên.",
    "int_type": "Phải là một số nguyên.",
    "int_from_float": "Phải là một số nguyên.",
    "bool_parsing": "Phải là đúng hoặc sai.",
    "bool_type": "Phải là đúng hoặc sai.",
    "greater_than_equal": "Giá trị nhỏ hơn mức cho phép.",
    "greater_than": "Giá trị nhỏ hơn mức cho phép.",
    "less_than_equal": "Giá trị lớn hơn mức cho phép.",
    "less_than": "Giá trị lớn hơn mức cho phép.",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "dict_type": "Phải là một đối tượng JSON.",
    "list_type": "Phải là một danh sách.",
    "too_long": "Danh sách quá dài.",
    "too_short": "Danh sách quá ngắn.",
    "extra_forbidden": "Trường này không được phép.",
    "datetime_parsing": "Thời gian không đúng định dạng ISO 8601.",
    "datetime_from_date_parsing": "Thời gian không đúng định dạng ISO 8601.",
    "date_parsing": "Ngày không đúng định dạng YYYY-MM-DD.",
    "url_parsing": "Địa chỉ không hợp lệ.",
}


def field_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        kind = err.get("type", "")
        if kind == "value_error":
            # our validators raise ValueError with a Vietnamese sentence; pydantic prefixes it
            message = str(err.get("msg", "")).removeprefix("Value error, ")
        else:
            message = FIELD_MESSAGES.get(kind, "Giá trị không hợp lệ.")
        out.append({"field": ".".join(loc) or "body", "message": message})
    return out


def validation_problem(errors: list[dict[str, str]], detail: str | None = None) -> JSONResponse:
    body = problem_body(
        422,
        "validation_failed",
        "Dữ liệu chưa hợp lệ",
        detail or f"Thông tin gửi lên chưa hợp lệ ({len(errors)} lỗi). Vui lòng kiểm tra lại.",
        errors,
    )
    return JSONResponse(body, status_code=422, media_type=PROBLEM_CONTENT_TYPE)


class BodyTooLarge(StarletteHTTPException):
    """A body longer than the limit, found while it is read (no or a false Content-Length). An HTTP
    exception, because FastAPI turns any other error raised while reading a body into a 400."""

    def __init__(self, limit: int):
        super().__init__(413)
        self.limit = limit


def too_large(limit: int) -> dict[str, Any]:
    return PayloadTooLarge(f"Nội dung gửi lên vượt quá giới hạn {limit // 1024} KB.").body()


_THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "TransactionInProgressException",
}


def internal_error(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, body and headers for an exception nothing handled: AWS throttling is a 503 to retry."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "") if hasattr(exc, "response") else ""
    if code in _THROTTLED:
        return (
            503,
            problem_body(
                503,
                "unavailable",
                "Dịch vụ tạm thời quá tải",
                "Hệ thống đang bận, vui lòng thử lại sau ít phút.",
            ),
            {"Retry-After": "2"},
        )
    return (
        500,
        problem_body(
            500,
            "internal",
            "Lỗi hệ thống",
            "Đã có lỗi xảy ra phía hệ thống. Dữ liệu của bạn không bị thay đổi; vui lòng thử lại sau.",
        ),
        {},
    )


_HTTP_DETAILS = {
    404: ("not_found", "Không tìm thấy", "Không tìm thấy địa chỉ được yêu cầu."),
    405: (
        "method_not_allowed",
        "Phương thức không được hỗ trợ",
        "Địa chỉ này không hỗ trợ phương thức đã dùng.",
    ),
}


async def _on_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    if exc.status >= 500:
        logger.warning("request failed", extra={"code": exc.code})
    return problem_response(exc)


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_problem(field_errors(exc.errors()))


async def _on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, BodyTooLarge):
        return JSONResponse(too_large(exc.limit), status_code=413, media_type=PROBLEM_CONTENT_TYPE)
    code, title, detail = _HTTP_DETAILS.get(
        exc.status_code, ("bad_request", "Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ.")
    )
    return JSONResponse(
        problem_body(exc.status_code, code, title, detail),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
        media_type=PROBLEM_CONTENT_TYPE,
    )


def add_problem_handlers(app: FastAPI) -> None:
    """Domain problems, invalid requests and the router's own 404/405 all answer as problems."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
