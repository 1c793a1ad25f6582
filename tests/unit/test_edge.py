"""The public lookup's per-client limit: the numbers of serverless.yml's WAF rule, applied locally by the
gateway's limiter (infra/edge.py) with 429 problem details and Retry-After."""

from __future__ import annotations

import asyncio
import json

from infra import sls
from infra.edge import RateLimit, RateLimiter, public_lookup_limit, web_acl_template

LIMIT = RateLimit(prefix="/api/tracking/public/", requests=3, window_seconds=60)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _ok(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def _get(app, path: str, client: str = "203.0.113.7") -> tuple[int, dict[str, str], bytes]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "client": (client, 50000), "headers": []}
    loop = asyncio.new_event_loop()  # never made current: asyncio.run would unset the thread's loop
    try:
        loop.run_until_complete(app(scope, receive, send))
    finally:
        loop.close()
    headers = {k.decode(): v.decode() for k, v in sent[0].get("headers", [])}
    return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def test_the_local_limit_is_the_waf_rules():
    # the gateway reads the rule serverless.yml gives WAF, so the two cannot differ
    limit = public_lookup_limit(sls.load(stage="local"))
    assert limit == RateLimit("/api/tracking/public/", 100, 300)
    rule = sls.load(stage="prod").resources["PublicLookupWebAcl"]["Properties"]["Rules"][0]
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": str(limit.window_seconds)}]


def test_the_request_after_the_limit_gets_429_problem_details_with_retry_after():
    # given a client that has used its requests in the window
    clock = Clock()
    app = RateLimiter(_ok, LIMIT, clock)
    for _ in range(LIMIT.requests):
        assert _get(app, "/api/tracking/public/000.00.31.H53-261126-0001")[0] == 200
        clock.now += 1
    # when it asks once more
    status, headers, body = _get(app, "/api/tracking/public/000.00.31.H53-261126-0002")
    # then the gateway answers 429 itself, saying when to come back
    assert status == 429
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == str(LIMIT.window_seconds - LIMIT.requests)
    problem = json.loads(body)
    assert problem["status"] == 429 and problem["code"] == "rate_limited" and "giây" in problem["detail"]


def test_other_clients_and_other_paths_are_not_limited_and_the_window_slides():
    clock = Clock()
    app = RateLimiter(_ok, LIMIT, clock)
    for _ in range(LIMIT.requests):
        _get(app, "/api/tracking/public/X1234")
    assert _get(app, "/api/tracking/public/X1234")[0] == 429
    assert _get(app, "/api/tracking/public/X1234", client="198.51.100.9")[0] == 200
    assert _get(app, "/api/tracking/dossiers")[0] == 200
    assert _get(app, "/api/catalog/procedures")[0] == 200
    clock.now += LIMIT.window_seconds
    assert _get(app, "/api/tracking/public/X1234")[0] == 200


def test_the_web_acl_prints_as_its_own_template_for_us_east_1():
    template = web_acl_template(sls.load(stage="prod", region="us-east-1"))
    acl = template["Resources"]["PublicLookupWebAcl"]
    assert "Condition" not in acl and acl["Properties"]["Scope"] == "CLOUDFRONT"
    assert acl["Properties"]["Name"] == "dichvucong-prod-public-lookup"
    assert template["Outputs"]["PortalWebAclArn"]["Value"] == {"Fn::GetAtt": ["PublicLookupWebAcl", "Arn"]}
