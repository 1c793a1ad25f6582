"""The middleware every API sits behind (`Hardening`), and how it answers when the app did not.

Pure ASGI, so it counts the body as it is read and can answer before FastAPI does.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.errors import PROBLEM_CONTENT_TYPE
from services.core.http_problems import BodyTooLarge, internal_error, too_large
from services.core.observability import logger

DEFAULT_BODY_LIMIT = 256 * 1024

# An API answer is data, never a page: if a browser is ever made to render one (a sniffed type, an
# error echoing input), it may load nothing, run nothing and be framed by nobody. Pages the APIs serve
# (the receipt, the local docs) set their own policy, which this one does not override.
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = [
    (b"content-security-policy", API_CSP),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
]


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

    def _with_headers(self, message: Message) -> Message:
        """The response's start with the security headers and Cache-Control it does not set itself."""
        headers = list(message.get("headers", []))
        names = {k.lower() for k, _ in headers}
        for name, value in SECURITY_HEADERS:
            if name not in names:
                headers.append((name, value))
        if b"cache-control" not in names:
            headers.append((b"cache-control", self.cache_control.encode()))
        return {**message, "headers": headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope.get("path", ""))
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_problem(send, 413, too_large(limit))
            return
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = self._with_headers(message)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await send_problem(send, 413, too_large(limit))
        except Exception as exc:  # the last guard: log once, answer in the contract's shape
            status, body, headers = internal_error(exc)
            if status >= 500 and status != 503:
                logger.exception("unhandled error", extra={"path": scope.get("path", "")})
            if not started:
                await send_problem(send, status, body, headers)


async def send_problem(
    send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """A problem answered straight to ASGI, for when the app itself did not answer."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    raw = [(b"content-type", PROBLEM_CONTENT_TYPE.encode()), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw += SECURITY_HEADERS
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
