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

from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles, nothing from another origin except the embedded S3 the browser uploads
# to and downloads from (its origin is added at start-up).
PORTAL_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self' {aws}; frame-src 'self' blob:; form-action 'self' {aws}; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


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
        state = self.health()
        status, body = (200, state) if state is not None else (503, {"status": "starting"})
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
    """The static portal with the headers CloudFront's response-headers policy adds on AWS."""

    def __init__(self, directory: Path, aws_origin: str):
        self.files = StaticFiles(directory=str(directory), html=True, check_dir=False)
        csp = PORTAL_CSP.format(aws=aws_origin)
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += self.headers
                path = scope.get("path", "")
                cache = (
                    b"no-cache"
                    if path.endswith((".html", "/")) or "." not in path.rsplit("/", 1)[-1]
                    else b"public, max-age=300"
                )
                headers.append((b"cache-control", cache))
                message = {**message, "headers": headers}
            await send(message)

        await self.files(scope, receive, with_headers)
