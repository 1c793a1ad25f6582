"""Hardening of every HTTP function: CORS for the portal's origin only, request size limits, and no
function of serverless.yml starting with a development secret outside the local stage."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.sources import LambdaContext
from infra.tokens import dev_jwks
from services.core.http import Hardening
from services.core.settings import DEV_VNPAY_HASH_SECRET
from tests.apigw import Answer, http_event
from tests.security.calls import assert_problem, request, right_credential, target_of
from tests.security.coldstart import RUNTIME, ColdStart, Outcome, start_all
from tests.security.deployment import PROD_ORIGIN, functions, gateway_cors
from tests.security.routes import RouteInfo, collected
from tests.security.world import World

ROUTES = collected()
SERVICES = sorted({r.service for r in ROUTES})
WRITES = [r for r in ROUTES if r.writes]


def send(world: World, route: RouteInfo, url: str, headers: dict[str, str], body: bytes | None = None) -> Any:
    """The request as API Gateway hands it to the function, headers exactly as given."""
    event = http_event(route.method, url, body=body, headers=headers)
    event["headers"] = {k: v for k, v in event["headers"].items() if k not in headers or headers[k]}
    for name in [k for k, v in headers.items() if v is None]:
        event["headers"].pop(name, None)
    return Answer(world.http[route.service].handler(event, LambdaContext("security")))


# -- CORS -----------------------------------------------------------------------------------------------


def preflighted(service: str) -> RouteInfo:
    """The route of a service a browser preflights: a write with a JSON body and a token."""
    own = [r for r in ROUTES if r.service == service]
    return next((r for r in own if r.writes), own[0])


def portal(world: World, service: str) -> str:
    """The portal's origin as the function was configured with it (PORTAL_URL at its cold start)."""
    module = world.http[service]
    settings = getattr(module, "settings", None) or module.service.settings
    return str(settings.portal_url).rstrip("/")


def _other_scheme(portal: str) -> str:
    parts = urlsplit(portal)
    return f"{'http' if parts.scheme == 'https' else 'https'}://{parts.netloc}"


def _other_port(portal: str) -> str:
    parts = urlsplit(portal)
    return f"{parts.scheme}://{parts.hostname}:{(parts.port or 443) + 1}"


OTHER_ORIGINS: dict[str, Callable[[str], str]] = {
    "another-site": lambda portal: "https://dichvucong.evil.example",
    "null-origin": lambda portal: "null",
    "look-alike": lambda portal: f"{portal}.evil.example",
    "other-scheme": _other_scheme,
    "other-port": _other_port,
}


def preflight(world: World, service: str, origin: str) -> Answer:
    route = preflighted(service)
    url = route.path.replace("{", "").replace("}", "")
    return send(
        world,
        RouteInfo(route.function, service, "OPTIONS", route.path, route.access),
        url,
        {
            "origin": origin,
            "access-control-request-method": route.method,
            "access-control-request-headers": "authorization,content-type",
        },
    )


def simple_read(world: World, service: str, origin: str) -> Answer:
    path = f"/api/{service}/openapi.json"
    return send(world, RouteInfo("", service, "GET", path, "public"), path, {"origin": origin})


@pytest.mark.parametrize("service", SERVICES)
def test_the_portals_origin_may_call_the_api(world, service):
    # when the portal's pages preflight a write and make a simple read
    origin = portal(world, service)
    before = preflight(world, service, origin)
    read = simple_read(world, service, origin)
    # then both are granted to that origin, and to it alone
    assert before.status == 200, before.text
    assert before.headers.get("access-control-allow-origin") == origin
    assert preflighted(service).method in before.headers.get("access-control-allow-methods", "")
    assert "authorization" in before.headers.get("access-control-allow-headers", "").lower()
    assert read.status == 200
    assert read.headers.get("access-control-allow-origin") == origin
    assert "origin" in read.headers.get("vary", "").lower()  # caches keep one answer per origin
    assert "access-control-allow-credentials" not in before.headers  # tokens, never cookies


@pytest.mark.parametrize("origin", OTHER_ORIGINS)
@pytest.mark.parametrize("service", SERVICES)
def test_another_origin_gets_no_cors_grant(world, service, origin):
    # given a page on another origin
    other = OTHER_ORIGINS[origin](portal(world, service))
    # when it preflights a write and makes a simple read
    before = preflight(world, service, other)
    read = simple_read(world, service, other)
    # then the browser is granted nothing: it will neither send the write nor show the answer
    assert before.status == 400
    assert "access-control-allow-origin" not in before.headers
    assert "access-control-allow-origin" not in read.headers


def test_api_gateway_answers_cors_for_the_portal_only():
    cors = gateway_cors("prod")
    assert cors["allowedOrigins"] == [PROD_ORIGIN]
    assert not cors.get("allowCredentials")


# -- request size limits -------------------------------------------------------------------------------


def body_limit(world: World, route: RouteInfo) -> int:
    """The limit the function's own middleware applies to this path (read from the app, not assumed)."""
    node: Any = world.http[route.service].app.build_middleware_stack()
    while node is not None and not isinstance(node, Hardening):
        node = getattr(node, "app", None)
    assert node is not None, f"{route.service} has no Hardening middleware"
    return int(node._limit(route.path))


def padded(body: Any, size: int) -> bytes:
    """The same JSON document, padded with insignificant whitespace to `size` bytes: still valid, so
    only its size can be the reason to refuse it."""
    raw = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
    assert len(raw) < size
    return raw + b" " * (size - len(raw))


# declared: Content-Length says the truth; undeclared: no Content-Length; understated: it lies
SIZE_CASES = [
    (route, how)
    for route in WRITES
    for how in (("declared", "undeclared", "understated") if route.body else ("declared",))
]


@pytest.mark.parametrize(("route", "how"), SIZE_CASES, ids=[f"{r.label} x {how}" for r, how in SIZE_CASES])
def test_an_oversized_body_is_refused_with_413_and_writes_nothing(world, route, how):
    # given a valid request with the right credential, its JSON padded past the route's limit
    target = target_of(route, world, positive=False)
    url, body = request(route, world, target, positive=False)
    payload = padded(body, body_limit(world, route) + 1024)
    headers: dict[str, Any] = {**right_credential(route, target), "content-type": "application/json"}
    if how == "undeclared":
        headers["content-length"] = None
    elif how == "understated":
        headers["content-length"] = "100"
    mark = len(world.writes.seen)
    # when it reaches the function
    answer = send(world, route, url, headers, payload)
    # then it is refused as too large, and nothing was written
    assert_problem(answer, 413)
    assert world.writes.since(mark) == []


def _under_limit_cases() -> list[RouteInfo]:
    """One route with a body per distinct limit (the import has its own)."""
    chosen: dict[str, RouteInfo] = {}
    for route in WRITES:
        if route.body:
            chosen.setdefault("import" if route.path.endswith("/import") else "default", route)
    return list(chosen.values())


@pytest.mark.parametrize("route", _under_limit_cases(), ids=lambda r: r.label)
def test_a_body_just_under_the_limit_is_served(world, route):
    # given the same kind of padded request, a kilobyte under the limit
    target = target_of(route, world, positive=True)
    url, body = request(route, world, target, positive=True)
    payload = padded(body, body_limit(world, route) - 1024)
    # when it reaches the function, then it is served: the 413s above are the limit's doing
    answer = send(
        world, route, url, {**right_credential(route, target), "content-type": "application/json"}, payload
    )
    assert 200 <= answer.status < 400, answer.text[:500]


# -- development secrets at cold start ------------------------------------------------------------------


def _fresh_jwks() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key)), "kid": "officials-2026-11", "use": "sig"}
    return json.dumps({"keys": [{**jwk, "alg": "RS256"}]})


def _cold_starts() -> list[ColdStart]:
    """For every function of serverless.yml: its deployed environment with real-looking values (it must
    start), and with each development secret it uses (it must refuse to)."""
    strong_secret, jwks = secrets.token_hex(16).upper(), _fresh_jwks()
    starts = []
    for f in functions("prod").values():
        base = {**f.environment, **RUNTIME}
        real_ssm = (
            {f.gateway_secret_param: strong_secret}
            if f.gateway_secret_param and f.reads_gateway_secret
            else {}
        )
        real = {**base, "OFFICIALS_JWKS": jwks} if f.verifies_officials else base
        starts.append(ColdStart(f.name, "its deployed settings", f.module, real, real_ssm))
        if f.gateway_secret_param:
            dev_env = {**base, "VNPAY_HASH_SECRET": DEV_VNPAY_HASH_SECRET}
            starts.append(ColdStart(f.name, "the dev gateway secret", f.module, dev_env, refuses=True))
        if f.gateway_secret_param and f.reads_gateway_secret:
            dev_ssm = {f.gateway_secret_param: DEV_VNPAY_HASH_SECRET}
            starts.append(ColdStart(f.name, "the dev gateway secret in SSM", f.module, base, dev_ssm, True))
        if f.verifies_officials:
            dev_keys = {**base, "OFFICIALS_JWKS": dev_jwks()}
            starts.append(ColdStart(f.name, "the dev officials' JWKS", f.module, dev_keys, refuses=True))
    return starts


COLD_STARTS = _cold_starts()


@pytest.fixture(scope="module")
def cold_starts() -> dict[str, Outcome]:
    return start_all(COLD_STARTS)


@pytest.mark.parametrize("start", COLD_STARTS, ids=[s.name for s in COLD_STARTS])
def test_a_deployed_function_starts_only_without_development_secrets(cold_starts, start):
    # given the function's environment on the prod stage; when Lambda imports its handler
    outcome = cold_starts[start.name]
    # then it refuses a development secret it uses, and starts with real-looking values
    if start.refuses:
        assert outcome.exitcode not in (0, None), f"{start.name} started"
        assert "InsecureConfiguration" in outcome.output, outcome.output[-2000:]
    else:
        assert outcome.exitcode == 0, outcome.output[-3000:]


def test_every_function_is_cold_started():
    started = {s.function for s in COLD_STARTS}
    assert started == set(functions("prod")), "a function of serverless.yml is not cold-started here"
    assert any(s.refuses for s in COLD_STARTS)
