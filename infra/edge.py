"""What the edge does in front of the API: the per-client rate limit of the public lookup.

On AWS it is a WAF rate-based rule on the CloudFront distribution (serverless.yml, PublicLookupWebAcl);
locally the gateway runs `RateLimiter` with the numbers read from that same rule, so the two cannot
drift: requests per client address over a trailing window, for paths under the rule's prefix, then
429 problem details with Retry-After until the oldest counted request leaves the window.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from infra.sls import ServerlessConfig

WEB_ACL = "PublicLookupWebAcl"
RULE = "public-lookup-per-client"


@dataclass(frozen=True)
class RateLimit:
    prefix: str
    requests: int
    window_seconds: int


def public_lookup_limit(config: ServerlessConfig) -> RateLimit:
    """The rate rule of serverless.yml's web ACL: its path prefix, request limit and window."""
    rules = config.resources[WEB_ACL]["Properties"]["Rules"]
    statement = next(r for r in rules if r["Name"] == RULE)["Statement"]["RateBasedStatement"]
    match = statement["ScopeDownStatement"]["ByteMatchStatement"]
    return RateLimit(
        prefix=str(match["SearchString"]),
        requests=int(statement["Limit"]),
        window_seconds=int(statement["EvaluationWindowSec"]),
    )


def web_acl_template(config: ServerlessConfig) -> dict[str, Any]:
    """The web ACL as a template of its own, for a stack in us-east-1 (CloudFront's web ACLs live there
    whatever the region of the rest); its ARN goes to the main stack as PORTAL_WEB_ACL_ARN."""
    resource = {k: v for k, v in config.resources[WEB_ACL].items() if k != "Condition"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"{config.service}-{config.stage}: the public lookup's per-client rate limit",
        "Resources": {WEB_ACL: resource},
        "Outputs": {"PortalWebAclArn": {"Value": {"Fn::GetAtt": [WEB_ACL, "Arn"]}}},
    }


class RateLimiter:
    """ASGI middleware: at most `limit.requests` requests per client address in any trailing window."""

    def __init__(self, app: ASGIApp, limit: RateLimit, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.limit = limit
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(self.limit.prefix):
            wait = self._admit(_client(scope))
            if wait is not None:
                await _too_many(send, wait)
                return
        await self.app(scope, receive, send)

    def _admit(self, client: str) -> int | None:
        """None when the request is admitted (and counted), else the seconds to wait."""
        moment = self.clock()
        with self._lock:
            if len(self._seen) > 10_000:  # forget clients whose window is over
                self._seen = {
                    c: s for c, s in self._seen.items() if s and s[-1] > moment - self.limit.window_seconds
                }
            seen = self._seen.setdefault(client, deque())
            while seen and seen[0] <= moment - self.limit.window_seconds:
                seen.popleft()
            if len(seen) >= self.limit.requests:
                return max(1, math.ceil(seen[0] + self.limit.window_seconds - moment))
            seen.append(moment)
            return None


def _client(scope: Scope) -> str:
    # the connection's address, as WAF's IP key: a client-chosen X-Forwarded-For would be no limit at all
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _too_many(send: Send, wait: int) -> None:
    from services.core.errors import PROBLEM_CONTENT_TYPE, problem_body

    body = json.dumps(
        problem_body(
            429,
            "rate_limited",
            "Quá nhiều yêu cầu",
            f"Quá nhiều lượt tra cứu từ địa chỉ của bạn; vui lòng thử lại sau {wait} giây.",
        ),
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(wait).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
