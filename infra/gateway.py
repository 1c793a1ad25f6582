"""The local cloud's front door: what API Gateway and CloudFront do on AWS.

Each HTTP function's ASGI app answers under the same paths as behind API Gateway (it keeps the whole
path), the gateway simulator under /sim/, the developer endpoints under /local/, and the portal's
static files everywhere else, with the security headers CloudFront adds on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles, nothing from another origin except the object storage the browser uploads
# to and downloads from ({aws}) and the officials' identity provider, whose token endpoint the console
# calls to exchange its authorization code ({idp}; only connect-src: the console reaches the provider's
# sign-in and sign-out pages by navigation, not by a form). Locally both origins are added at start-up.
PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self' {aws} {idp}; frame-src 'self' blob:; form-action 'self' {aws}; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# The other headers the portal's files carry. On AWS, serverless.yml's PortalHeadersPolicy adds the same
# (with HSTS) and tests/integration/test_deploy.py keeps the two equal.
PORTAL_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def portal_cache_control(path: str) -> str:
    """Pages and the portal's configuration are revalidated on every visit; other files (not fingerprinted)
    kept five minutes. The same rule sets the objects' Cache-Control when `python -m infra publish-portal`
    uploads them."""
    if path.endswith((".html", "/", "/config.json")) or "." not in path.rsplit("/", 1)[-1]:
        return "no-cache"
    return "public, max-age=300"


class Gateway:
    def __init__(
        self, routes: dict[str, ASGIApp], portal: ASGIApp, health: Callable[[], dict[str, Any] | None]
    ):
        self.routes = sorted(routes.items(), key=lambda kv: -len(kv[0]))
        self.portal = portal
        self.health = health

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path = scope.get("path", "")
        if path == "/healthz":
            await self._healthz(send)
            return
        for prefix, app in self.routes:
            if path == prefix or path.startswith(prefix + "/"):
                await app(scope, receive, send)
                return
        await self.portal(scope, receive, send)

    async def _healthz(self, send: Send) -> None:
        state = self.health() or {"status": "starting"}
        status, body = (200 if state.get("status") == "ok" else 503), state
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class PortalFiles:
    """The static portal with the headers CloudFront's response-headers policy adds on AWS.

    `generated` are files the portal has on AWS but not in portal/: `/config.json`, which
    `python -m infra publish-portal` writes from the stack's outputs and the local cloud makes here.
    """

    def __init__(
        self,
        directory: Path,
        aws_origin: str,
        idp_origin: str = "",
        generated: dict[str, bytes] | None = None,
    ):
        self.directory = directory
        self.files = StaticFiles(directory=str(directory), html=True, check_dir=False)
        self.generated = dict(generated or {})
        csp = PORTAL_CSP.format(aws=aws_origin, idp=idp_origin)
        self.headers = [(b"content-security-policy", csp.encode())] + [
            (name.lower().encode(), value.encode()) for name, value in PORTAL_HEADERS.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += self.headers
                headers.append((b"cache-control", portal_cache_control(scope.get("path", "")).encode()))
                message = {**message, "headers": headers}
            await send(message)

        body = self.generated.get(scope.get("path", ""))
        if body is not None and scope.get("method") in ("GET", "HEAD"):
            await with_headers(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            return
        try:
            await self.files(scope, receive, with_headers)
        except HTTPException as missing:  # StaticFiles raises its 404 (and 405) for an app to render
            page = self.directory / "404.html"
            body = page.read_bytes() if missing.status_code == 404 and page.exists() else b""
            content_type = b"text/html; charset=utf-8" if body else b"text/plain; charset=utf-8"
            await with_headers(
                {
                    "type": "http.response.start",
                    "status": missing.status_code,
                    "headers": [
                        (b"content-type", content_type),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
