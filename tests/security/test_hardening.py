"""Hardening of every HTTP function: CORS for the portal's origin only, request size limits, no
function of serverless.yml starting with a development secret outside the local stage, and issue 19's
small holes: crafted cursors and far months answer 4xx, names refuse invisible characters, gateway keys
are checked before signatures, and API answers carry a Content-Security-Policy."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.sources import LambdaContext
from infra.tokens import dev_jwks
from services.core.http import SWAGGER_UI_DIR, Hardening
from services.core.settings import DEV_CURSOR_SECRET, DEV_VNPAY_HASH_SECRET, DEV_VNPAY_TMN_CODE
from services.payment.logic.vnpay import sign as vnpay_sign
from tests.apigw import Answer, http_event
from tests.factories import applicant
from tests.integration.flows import create
from tests.security.calls import VIETNAMESE, assert_problem, request, right_credential, target_of
from tests.security.coldstart import RUNTIME, ColdStart, Outcome, start_all
from tests.security.deployment import PROD_ORIGIN, functions, gateway_cors
from tests.security.routes import RouteInfo, collected
from tests.security.world import A, World

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
        if f.is_http:  # every function checks it; the ones that page are enough to start here
            dev_cursors = {**real, "CURSOR_SECRET": DEV_CURSOR_SECRET}
            starts.append(ColdStart(f.name, "the dev cursor secret", f.module, dev_cursors, real_ssm, True))
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


# -- crafted cursors, far months, invisible characters, re-keyed gateway calls (issue 19, 7 and 8) -----


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _refused(answer: Answer, statuses: tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """A 4xx problem document in Vietnamese: never a 5xx, never a half-served answer."""
    assert answer.status in statuses, f"expected {statuses}, got {answer.status}: {answer.text[:500]}"
    assert answer.headers.get("content-type", "").startswith("application/problem+json"), answer.headers
    body = answer.json()
    assert body["status"] == answer.status and (code is None or body["code"] == code)
    assert VIETNAMESE.search(body["detail"]), body["detail"]
    return dict(body)


# each list: its service, path, whether an official of agency A reads it, and the partition it pages
LISTS = {
    "public-feedback": ("tracking", "/api/tracking/feedback", False, "GSI1PK", "FEEDBACK#PUBLIC"),
    "inbox": ("tracking", "/api/tracking/dossiers", True, "GSI1PK", f"INBOX#{A}"),
    "open-feedback": ("tracking", "/api/tracking/feedback/open", True, "GSI2PK", f"FEEDBACK#OPEN#{A}"),
    "catalogue": ("catalog", "/api/catalog/procedures", False, "GSI1PK", "CATALOG"),
}
CURSOR_MAX_LENGTH = {"catalog": 100, "tracking": 500}  # the routes' own limit: longer is a 422
# shaped like the start keys the lists used to accept: right partition, the rest missing or empty
CRAFTED = {
    "partition-only": lambda attribute, partition: _b64({attribute: partition}),
    "empty-keys": lambda attribute, partition: _b64({attribute: partition, "PK": "", "SK": ""}),
    "extra-attribute": lambda attribute, partition: _b64(
        {attribute: partition, "PK": "DOSSIER#x", "SK": "META", "GSI1SK": "2026", "GSI9PK": "x"}
    ),
    "shards-of-junk": lambda attribute, partition: _b64({"shards": [{attribute: partition}, "x", 1]}),
    "not-an-object": lambda attribute, partition: _b64(["o", 1]),
    "old-catalogue-offset": lambda attribute, partition: _b64("o:20")[:-1],
    "garbage": lambda attribute, partition: "%%%",
}


def _cursor_refused(answer: Answer, service: str, cursor: str) -> None:
    if len(cursor) > CURSOR_MAX_LENGTH[service]:
        _refused(answer, (422,), "validation_failed")
    else:
        _refused(answer, (400,), "bad_request")


def _list_headers(world: World, official: bool) -> dict[str, str]:
    return {"authorization": f"Bearer {world.official()}"} if official else {}


@pytest.mark.parametrize("crafted", CRAFTED)
@pytest.mark.parametrize("listed", LISTS)
def test_a_crafted_cursor_answers_400_on_every_list(world, listed, crafted):
    # given a cursor the list never issued, shaped like its start keys
    service, path, official, attribute, partition = LISTS[listed]
    cursor = CRAFTED[crafted](attribute, partition)
    # when it pages with it, then it is refused as a bad request, not a 500
    answer = world.call(service, "GET", f"{path}?cursor={cursor}", headers=_list_headers(world, official))
    _cursor_refused(answer, service, cursor)


def test_a_cursor_is_good_for_the_list_that_issued_it_and_no_other(world):
    # given the inbox's second page, as agency A's official was given it
    first = world.call(
        "tracking", "GET", "/api/tracking/dossiers?limit=1", headers=_list_headers(world, True)
    )
    cursor = first.json()["next_cursor"]
    assert first.status == 200 and cursor
    second = world.call(
        "tracking",
        "GET",
        f"/api/tracking/dossiers?limit=1&cursor={cursor}",
        headers=_list_headers(world, True),
    )
    assert second.status == 200 and second.json()["items"] != first.json()["items"]
    # then every other list refuses it, and so does the inbox for a cut or edited copy
    for service, path, official, _, _ in [LISTS[k] for k in LISTS if k != "inbox"]:
        answer = world.call(service, "GET", f"{path}?cursor={cursor}", headers=_list_headers(world, official))
        _cursor_refused(answer, service, cursor)
    filtered = world.call(
        "tracking",
        "GET",
        f"/api/tracking/dossiers?status=SUBMITTED&cursor={cursor}",
        headers=_list_headers(world, True),
    )
    _refused(filtered, (400,), "bad_request")
    for tampered in (
        cursor[:-2],
        cursor.partition(".")[0],
        f"A{cursor[1:]}" if cursor[0] != "A" else f"B{cursor[1:]}",
    ):
        answer = world.call(
            "tracking", "GET", f"/api/tracking/dossiers?cursor={tampered}", headers=_list_headers(world, True)
        )
        _refused(answer, (400,), "bad_request")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-11", "9999-12"),  # the probe's 500: one month past December 9999 overflows
        ("9999-11", "9999-11"),
        ("0000-01", "0000-02"),
        ("1999-12", "2000-01"),
        ("2100-12", "2101-01"),
        ("2026-05", "2026-01"),
        ("2000-01", "2100-12"),
    ],
)
def test_statistics_for_far_or_reversed_months_answer_4xx(world, start, end):
    answer = world.call(
        "tracking", "GET", f"/api/tracking/stats?from={start}&to={end}", headers=_list_headers(world, True)
    )
    _refused(answer, (400, 422))


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\x1b", "\n"], ids=repr)
def test_a_name_with_invisible_characters_is_refused_and_nothing_is_written(world, char):
    # given an applicant whose name reads one way on screen and another to a program
    name = f"Nguyễn {char}Văn An"
    mark = len(world.writes.seen)
    # when a draft and a feedback carry it
    draft = create(world.submission, applicant=applicant(full_name=name))
    feedback = world.call(
        "tracking",
        "POST",
        "/api/tracking/feedback",
        body={
            "title": f"Phản ánh của {name}",
            "content": "Hồ sơ quá hạn.\nChưa có kết quả.",
            "contact": "0912345678",
        },
    )
    # then both are refused, naming the field, and nothing was written
    body = _refused(draft, (422,), "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["applicant.full_name"]
    body = _refused(feedback, (422,), "validation_failed")
    assert [e["field"] for e in body["errors"]] == ["title"]
    assert world.writes.since(mark) == []


def test_a_gateway_call_whose_keys_carry_separators_is_a_bad_signature(world):
    # given an IPN signed with the terminal's secret, re-keyed so that the signed string is unchanged
    signed = {
        "vnp_Amount": "5000000",
        "vnp_BankCode": "NCB",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": DEV_VNPAY_TMN_CODE,
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "P-NOT-AN-ORDER",
    }
    signed["vnp_SecureHash"] = vnpay_sign(signed, DEV_VNPAY_HASH_SECRET)
    rekeyed = {k: v for k, v in signed.items() if k not in ("vnp_BankCode", "vnp_ResponseCode")}
    rekeyed["vnp_BankCode=NCB&vnp_ResponseCode"] = "00"
    # when the gateway's endpoint receives it, then it answers 97, the bad signature
    answer = world.call("payment", "GET", f"/api/payment/vnpay/ipn?{urlencode(rekeyed)}")
    assert answer.status == 200 and answer.json()["RspCode"] == "97", answer.text


@pytest.mark.parametrize("service", SERVICES)
def test_api_answers_carry_a_policy_that_loads_and_frames_nothing(world, service):
    for path in (f"/api/{service}/openapi.json", f"/api/{service}/no-such-thing"):
        answer = world.call(service, "GET", path)
        policy = answer.headers.get("content-security-policy", "")
        assert policy.startswith("default-src 'none'") and "frame-ancestors 'none'" in policy, path


@pytest.mark.parametrize("service", SERVICES)
def test_the_local_docs_page_runs_no_third_partys_script(world, service):
    # the local stage serves the page (deployed stages have none: tests/unit/test_api_pages.py)
    page = world.call(service, "GET", f"/api/{service}/docs")
    assert page.status == 200
    policy = page.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "frame-ancestors 'none'" in policy
    if SWAGGER_UI_DIR.is_dir():  # npm ci installs it; without it the local page falls back to the CDN
        assert "https:" not in policy and "cdn.jsdelivr.net" not in page.text
        assert world.call(service, "GET", f"/api/{service}/docs/assets/swagger-ui.css").status == 200
