"""The one way every HTTP function is built: a FastAPI app with problem details, hardening, and a
Mangum entry point for API Gateway's HTTP API.

Routes keep their full public path (`/api/catalog/...`), so the same app answers behind API Gateway
and mounted in the local cloud.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.errors import PROBLEM_CONTENT_TYPE, Problem, problem_body
from services.core.observability import logger, metrics

DEFAULT_BODY_LIMIT = 256 * 1024


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


_MESSAGES = {
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
            message = _MESSAGES.get(kind, "Giá trị không hợp lệ.")
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
    if isinstance(exc, _BodyTooLarge):
        return JSONResponse(_too_large(exc.limit), status_code=413, media_type=PROBLEM_CONTENT_TYPE)
    code, title, detail = _HTTP_DETAILS.get(
        exc.status_code, ("bad_request", "Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ.")
    )
    return JSONResponse(
        problem_body(exc.status_code, code, title, detail),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
        media_type=PROBLEM_CONTENT_TYPE,
    )


_THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "TransactionInProgressException",
}


def _internal_error(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]]:
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


class Hardening:
    """Pure ASGI middleware: body size limit, security headers, and a last guard that turns any
    unexpected exception into a problem answer instead of a bare 500."""

    def __init__(
        self,
        app: ASGIApp,
        body_limits: dict[str, int] | None = None,
        default_limit: int = DEFAULT_BODY_LIMIT,
        cache_control: str = "no-store",
    ):
        self.app = app
        self.body_limits = sorted((body_limits or {}).items(), key=lambda kv: -len(kv[0]))
        self.default_limit = default_limit
        self.cache_control = cache_control

    def _limit(self, path: str) -> int:
        for prefix, limit in self.body_limits:
            if path.startswith(prefix):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_json(send, 413, _too_large(limit))
            return
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for name, value in _SECURITY_HEADERS:
                    if name not in names:
                        headers.append((name, value))
                if b"cache-control" not in names:
                    headers.append((b"cache-control", self.cache_control.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(limit))
        except Exception as exc:  # the last guard: log once, answer in the contract's shape
            status, body, headers = _internal_error(exc)
            if status >= 500 and status != 503:
                logger.exception("unhandled error", extra={"path": scope.get("path", "")})
            if not started:
                await _send_json(send, status, body, headers)


class _BodyTooLarge(StarletteHTTPException):
    """A body longer than the limit, found while it is read (no or a false Content-Length). An HTTP
    exception, because FastAPI turns any other error raised while reading a body into a 400."""

    def __init__(self, limit: int):
        super().__init__(413)
        self.limit = limit


def _too_large(limit: int) -> dict[str, Any]:
    return problem_body(
        413,
        "payload_too_large",
        "Dữ liệu gửi lên quá lớn",
        f"Nội dung gửi lên vượt quá giới hạn {limit // 1024} KB.",
    )


# An API answer is data, never a page: if a browser is ever made to render one (a sniffed type, an
# error echoing input), it may load nothing, run nothing and be framed by nobody. Pages the APIs serve
# (the receipt, the local docs) set their own policy, which this one does not override.
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_SECURITY_HEADERS = [
    (b"content-security-policy", API_CSP),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", PROBLEM_CONTENT_TYPE.encode()), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw += _SECURITY_HEADERS
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def create_app(
    *,
    prefix: str,
    title: str,
    description: str,
    portal_origin: str,
    body_limits: dict[str, int] | None = None,
    version: str = "1.0.0",
    docs: bool = False,
) -> FastAPI:
    """`docs`: serve the Swagger UI page at `{prefix}/docs` (the local stage only; see `_add_docs`)."""
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,
        redoc_url=None,
        # no OAuth flows here; FastAPI would otherwise serve its redirect page outside the prefix
        swagger_ui_oauth2_redirect_url=None,
    )
    if docs:
        _add_docs(app, prefix, title)
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)

    from starlette.middleware.cors import CORSMiddleware

    app.add_middleware(
        CORSMiddleware,
        allow_origins=[portal_origin.rstrip("/")],
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=3600,
    )
    app.add_middleware(Hardening, body_limits=body_limits)
    _document_problems(app)
    return app


# The npm package swagger-ui-dist, pinned in package-lock.json: the files the public CDN serves, from disk.
SWAGGER_UI_DIR = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"


def _add_docs(app: FastAPI, prefix: str, title: str) -> None:
    """Swagger UI for developers, on the local stage only: on AWS the page would run a third party's script
    on the portal's origin, where citizens' capability tokens live, so deployed stages have no such page.
    Locally its files come from node_modules (`npm ci`), or the CDN when they are not installed."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from starlette.responses import HTMLResponse
    from starlette.staticfiles import StaticFiles

    if (SWAGGER_UI_DIR / "swagger-ui-bundle.js").is_file():
        assets, origin = f"{prefix}/docs/assets", "'self'"
        app.mount(assets, StaticFiles(directory=SWAGGER_UI_DIR), name=f"{prefix}-docs-assets")
    else:
        assets, origin = SWAGGER_UI_CDN, "https://cdn.jsdelivr.net"
    page = get_swagger_ui_html(
        openapi_url=f"{prefix}/openapi.json",
        title=title,
        swagger_js_url=f"{assets}/swagger-ui-bundle.js",
        swagger_css_url=f"{assets}/swagger-ui.css",
        swagger_favicon_url=f"{assets}/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},  # it would send the document to swagger.io
    ).body
    # the one inline script (Swagger UI's start-up) is allowed by its hash, nothing else inline
    inline = re.findall(rb"<script>(.*?)</script>", page, re.DOTALL)
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in inline)
    csp = (
        f"default-src 'none'; script-src {origin} {hashes}; style-src {origin} 'unsafe-inline'; "
        f"img-src {origin} data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    )

    async def swagger_ui(_: Request) -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": csp})

    app.add_route(f"{prefix}/docs", swagger_ui, include_in_schema=False)


def _document_problems(app: FastAPI) -> None:
    """Every operation answers problems as application/problem+json; say so in the OpenAPI."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        problem = {"content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status, description in (
                    ("4XX", "Yêu cầu không hợp lệ (problem details)"),
                    ("5XX", "Lỗi hệ thống (problem details)"),
                ):
                    existing = responses.get(status, {})
                    responses[status] = {"description": existing.get("description", description), **problem}
                for status, response in list(responses.items()):
                    if status.startswith("4") and status != "4XX":
                        response.pop("content", None)
                        response.update(problem)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def lambda_handler(app: FastAPI) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of an HTTP function: API Gateway HTTP API (payload 2.0) through Mangum."""
    from mangum import Mangum

    asgi = Mangum(app, lifespan="off")

    @metrics.log_metrics
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return asgi(event, context)

    return handler
