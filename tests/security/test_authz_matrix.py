"""The authorization matrix: every protected route of every HTTP function against every hostile
credential, generated from the route table, so a new endpoint cannot be forgotten.

Each cell is a real request through the Lambda entry point, pointing at real data of agency A in the
in-process cloud; it must be refused with the right status, as an RFC 9457 problem in Vietnamese,
and leave the table exactly as it was. Positive controls send the right credential to every
protected route, so the matrix cannot pass by refusing everything.

What each route admits is read from its dependencies (tests/security/routes.py): an officials' route
declares its roles with `RequireRoles`; a citizen's route takes the dossier's capability token. A
capability token is the only key to its dossier: the server cannot tell a forged token from another
dossier's, so every presented token that is not this dossier's is 403 ("not for this dossier"), and
only a missing one is 401. An officials' route answers 401 to anything that is not a valid official's
JWT (a citizen's token included) and 403 to a valid official of the wrong role, or of another agency
when the route names one of agency A's dossiers or feedback.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from functools import cache
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, dev_jwks, dev_kid
from services.core import keys
from services.core.auth import Role
from tests.conftest import ARTIFACTS
from tests.integration.flows import LEVEL3
from tests.security.calls import (
    DEFAULT_TARGET,
    OWNED,
    STAFF,
    VIETNAMESE,
    assert_problem,
    request,
    right_credential,
    target_of,
    token_of,
)
from tests.security.deployment import functions, route_key
from tests.security.routes import CITIZEN, OFFICIAL, PUBLIC, UNCLASSIFIED, RouteInfo, collected, route_table
from tests.security.world import A, B, C, Dossier, World, procedure_record

ROUTES = collected()
PROTECTED = [r for r in ROUTES if r.access in (OFFICIAL, CITIZEN)]

# Reviewed: who may call these without any token, and why that is safe.
PUBLIC_ROUTES = {
    "GET /api/catalog/procedures": "the catalogue of procedures is public information",
    "GET /api/catalog/procedures/{code}": "a procedure's public record",
    "GET /api/catalog/procedures/{code}/forms/{form_id}": "blank form templates, public by law",
    "GET /api/catalog/facets": "counts over the public catalogue",
    "POST /api/submission/dossiers": "anyone may start a draft; the answer carries the draft's own token",
    "GET /api/payment/vnpay/ipn": "the gateway's call: its HMAC-SHA512 signature is the credential",
    "GET /api/payment/vnpay/return": "the citizen's browser back from the gateway: signature checked, "
    "nothing marked paid",
    "GET /api/tracking/public/{code}": "by code alone only the status; the record needs the receipt's check "
    "or the dossier's token, and shows the applicant's initials only",
    "POST /api/tracking/feedback": "citizens' feedback and petitions need no account",
    "GET /api/tracking/feedback": "only answered feedback marked public, without contact details",
    "GET /api/tracking/agencies": "the administrative structure is public",
    **{
        f"GET /api/{service}/{page}": "the service's API documentation"
        for service in ("catalog", "submission", "payment", "tracking")
        for page in ("openapi.json", "docs")
    },
}

# Routes whose answer is the province's, not one agency's: another agency's official sees the same.
PROVINCE_WIDE = {
    "GET /api/tracking/calendar": "the province's one working calendar",
}
# Province-wide settings and reports: only the agencies the structure names as overseeing the province
# (in the matrix's world, agency A) may use them; another agency's leader is refused.
OVERSIGHT = {
    "PUT /api/tracking/calendar": "declaring the province's days off and make-up working days",
    "GET /api/payment/reconciliation/{day}": "the province's merchant terminal and its daily report",
}

CREDENTIALS = (
    "no-token",
    "not-bearer",
    "expired",
    "wrong-issuer",
    "wrong-audience",
    "alg-none",
    "hs256-public-key",
    "unknown-key-same-kid",
    "unknown-key-new-kid",
    "tampered-claims",
    "citizen-token",
    "other-dossier",
    "other-agency",
    "wrong-role",
)


def expected(route: RouteInfo, credential: str) -> int | None:
    """The refusal a credential must get on a route; None where the credential is not hostile there."""
    if route.access == CITIZEN:
        if credential == "citizen-token":
            return None  # the dossier's own token: the positive control
        return 401 if credential in ("no-token", "not-bearer") else 403
    if credential == "other-agency":
        return 403 if is_scoped(route) else None  # unscoped: test_another_agencys_official_sees_only_its_own
    return 403 if credential == "wrong-role" else 401


def is_scoped(route: RouteInfo) -> bool:
    return bool(set(route.path_params) & OWNED) or route.key in OVERSIGHT


# Routes whose body names the agency of what it writes: the catalogue admin of another agency is let in by
# its role and must be refused record by record (test_the_catalogue_admin_of_another_agency_writes_nothing).
AGENCY_IN_BODY = {
    "POST /api/catalog/import": "each procedure names its agency (COQUANTHUCHIEN)",
}

CELLS = [
    (route, credential, status)
    for route in PROTECTED
    for credential in CREDENTIALS
    if (status := expected(route, credential)) is not None
]


# -- tokens ---------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def claims(agency: str, roles: tuple[str, ...]) -> dict[str, Any]:
    moment = int(time.time())
    return {
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "sub": f"official-{uuid.uuid4().hex[:8]}",
        "name": "Cán bộ giả mạo",
        "agency": agency,
        "roles": list(roles),
        "iat": moment,
        "nbf": moment,
        "exp": moment + 600,
    }


class Forger:
    """Officials' tokens that must not pass, made with PyJWT and cryptography (and by hand for `none`)."""

    def __init__(self) -> None:
        self.stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        dev_public = jwt.PyJWK(json.loads(dev_jwks())["keys"][0]).key
        self.public_pem = dev_public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(self, credential: str, roles: tuple[str, ...]) -> str:
        payload = claims(A, roles)
        if credential == "expired":
            return token_of(A, roles, now=int(time.time()) - 10 * 3600, ttl_seconds=3600)
        if credential == "wrong-issuer":
            return token_of(A, roles, issuer="https://idp.evil.example")
        if credential == "wrong-audience":
            return token_of(A, roles, audience="another-application")
        if credential == "alg-none":
            return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': dev_kid()})}.{_segment(payload)}."
        if credential == "hs256-public-key":
            # key confusion: the verifier's own public key used as an HMAC secret
            signing_input = (
                f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': dev_kid()})}.{_segment(payload)}"
            )
            signature = hmac.new(self.public_pem, signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{_b64(signature)}"
        if credential == "unknown-key-same-kid":
            return jwt.encode(payload, self.stranger, algorithm="RS256", headers={"kid": dev_kid()})
        if credential == "unknown-key-new-kid":
            return jwt.encode(payload, self.stranger, algorithm="RS256", headers={"kid": "attacker-key-1"})
        if credential == "tampered-claims":
            # a genuine token of another agency without a useful role, its claims rewritten after signing
            header, _, genuine_signature = token_of(C, ("catalog_admin",)).split(".")
            return f"{header}.{_segment(payload)}.{genuine_signature}"
        raise ValueError(credential)


FORGER = Forger()


@cache
def forged(credential: str, roles: tuple[str, ...]) -> str:
    return FORGER.token(credential, roles)


def authorization(credential: str, route: RouteInfo, world: World, target: Any) -> dict[str, str]:
    roles = route.roles or STAFF
    if credential == "no-token":
        return {}
    if credential == "not-bearer":
        return {"authorization": "Basic " + base64.b64encode(b"can-bo:mat-khau").decode()}
    if credential == "citizen-token":
        token = target.access_token if isinstance(target, Dossier) else world.shared("submitted").access_token
    elif credential == "other-dossier":
        token = world.shared("other").access_token
    elif credential == "other-agency":
        token = token_of(C, roles)
    elif credential == "wrong-role":
        if route.access == CITIZEN:
            token = token_of(A, tuple(r.value for r in Role))  # every role of the dossier's own agency
        else:
            token = token_of(A, tuple(sorted(r.value for r in Role if r.value not in roles)))
    else:
        token = forged(credential, roles)
    return {"authorization": f"Bearer {token}"}


def watched_items(route: RouteInfo, world: World, target: Any) -> list[dict[str, str]]:
    """The items a let-through request would change: the dossier, the feedback, the calendar."""
    watched = [keys.dossier(target.id)] if isinstance(target, Dossier) else []
    if "feedback_id" in route.path_params:
        watched.append(keys.feedback(world.shared("feedback")))
    if route.path.endswith("/calendar"):
        watched.append(keys.catalog_config("CALENDAR"))
    return watched


# -- checks ---------------------------------------------------------------------------------------------


class Ledger:
    """What the matrix observed, written to test-artifacts/authz-matrix.json."""

    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []
        self.positives: list[dict[str, Any]] = []
        self.watched: dict[str, tuple[dict[str, str], Any]] = {}

    def watch(self, world: World, items: list[dict[str, str]]) -> None:
        """Remember how the cells' dossiers, feedback and calendar looked before the first cell."""
        for key in items:
            name = json.dumps(key, sort_keys=True)
            if name not in self.watched:
                self.watched[name] = (key, world.item(key))

    def write(self) -> dict[str, Any]:
        services: dict[str, dict[str, int]] = {}
        for route in ROUTES:
            counts = services.setdefault(route.service, {})
            counts[route.access] = counts.get(route.access, 0) + 1
        summary = {
            "routes": len(ROUTES),
            "protected_routes": len(PROTECTED),
            "credentials": len(CREDENTIALS),
            "matrix": f"{len(PROTECTED)} routes x {len(CREDENTIALS)} credentials",
            "cells": len(CELLS),
            "not_applicable": len(PROTECTED) * len(CREDENTIALS) - len(CELLS),
            "positive_controls": len(PROTECTED),
            "per_service": services,
        }
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "authz-matrix.json").write_text(
            json.dumps(
                {
                    "summary": summary,
                    "credentials": list(CREDENTIALS),
                    "routes": [
                        {
                            "route": r.label,
                            "access": r.access,
                            "roles": list(r.roles),
                            "public_because": PUBLIC_ROUTES.get(r.key),
                        }
                        for r in ROUTES
                    ],
                    "cells": self.cells,
                    "positives": self.positives,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return summary


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    book = Ledger()
    yield book
    summary = book.write()
    print(f"\nauthorization matrix: {summary['matrix']}, {summary['cells']} cells, see test-artifacts/")


# -- the route table ----------------------------------------------------------------------------------------


def test_every_route_is_classified():
    unclassified = [f"{r.label}: {r.why}" for r in ROUTES if r.access == UNCLASSIFIED]
    assert not unclassified, "routes nobody classified:\n" + "\n".join(unclassified)
    assert PROTECTED, "no protected route found: the classification is broken"


def test_public_routes_are_exactly_the_reviewed_ones():
    public = {r.key for r in ROUTES if r.access == PUBLIC}
    assert public - PUBLIC_ROUTES.keys() == set(), "public routes nobody reviewed (add them, with a reason)"
    assert PUBLIC_ROUTES.keys() - public == set(), "reviewed public routes that are no longer public"


def test_the_matrix_is_built_from_the_live_route_table(world):
    # the table was read in a subprocess at collection; the apps serving these tests say the same
    live = route_table({name: module.app for name, module in world.http.items()})
    assert sorted((r.label, r.access, r.roles) for r in live) == sorted(
        (r.label, r.access, r.roles) for r in ROUTES
    )


def test_every_route_is_deployed_behind_the_authorizer_it_needs():
    deployed = {
        route_key(method, path): authorized
        for f in functions().values()
        for method, path, authorized in f.routes
    }
    app_routes = {route_key(r.method, r.path): r for r in ROUTES}
    assert deployed.keys() == app_routes.keys(), "routes of the apps and of serverless.yml differ"
    for key, route in app_routes.items():
        # officials' routes are checked twice (API Gateway's JWT authorizer, then the function);
        # citizens' and public routes must not sit behind it, or nobody could call them
        assert deployed[key] == (route.access == OFFICIAL), f"{route.label}: authorizer {deployed[key]}"


# -- the matrix ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "credential", "status"), CELLS, ids=[f"{r.label} x {c}" for r, c, _ in CELLS]
)
def test_a_hostile_credential_is_refused_and_nothing_is_written(world, ledger, route, credential, status):
    # given a real request that the right credential would see through, with a hostile one instead
    target = target_of(route, world, positive=False)
    url, body = request(route, world, target, positive=False)
    headers = authorization(credential, route, world, target)
    ledger.watch(world, watched_items(route, world, target))
    mark = len(world.writes.seen)
    # when it reaches the function
    answer = world.call(route.service, route.method, url, headers=headers, body=body)
    # then it is refused, in the contract's shape, and nothing was written
    written = world.writes.since(mark)
    ledger.cells.append(
        {"route": route.label, "credential": credential, "expected": status, "observed": answer.status}
    )
    assert_problem(answer, status)
    assert written == [], f"{route.label} wrote {written} for {credential}"


def test_the_matrix_left_every_dossier_as_it_was(world, ledger):
    # every cell above sent no write to AWS; and the items the cells aimed at are unchanged too
    changed = [name for name, (key, item) in ledger.watched.items() if world.item(key) != item]
    assert not changed, f"changed by refused requests: {changed}"


@pytest.mark.parametrize("route", PROTECTED, ids=[r.label for r in PROTECTED])
def test_the_right_credential_is_let_through(world, ledger, route):
    # given the same request with the credential the route admits
    target = target_of(route, world, positive=True)
    url, body = request(route, world, target, positive=True)
    # when it reaches the function
    answer = world.call(route.service, route.method, url, headers=right_credential(route, target), body=body)
    ledger.positives.append({"route": route.label, "observed": answer.status})
    # then it is served
    assert 200 <= answer.status < 400, f"{route.label}: {answer.status} {answer.text[:500]}"


UNSCOPED_READS = [r for r in PROTECTED if r.access == OFFICIAL and r.method == "GET" and not is_scoped(r)]


@pytest.mark.parametrize("route", UNSCOPED_READS, ids=[r.label for r in UNSCOPED_READS])
def test_another_agencys_official_sees_only_its_own(world, route):
    # given agency A's dossier and feedback, and an official of agency C with the roles the route admits
    dossier, feedback = world.shared(DEFAULT_TARGET), world.shared("feedback")
    url, _ = request(route, world, dossier, positive=False)
    # when the official of C asks
    answer = world.call(
        route.service, route.method, url, headers={"authorization": f"Bearer {token_of(C, route.roles)}"}
    )
    # then the answer is C's own: nothing of agency A's in it (unless it is the province's, reviewed)
    assert answer.status == 200, answer.text
    if route.key not in PROVINCE_WIDE:
        for mark in (dossier.code, dossier.id, feedback):
            assert str(mark) not in answer.text, f"{route.label} shows agency A's {mark} to agency C"


def test_a_forged_gateway_callback_records_nothing(world):
    # given the public gateway callbacks of a real open order, signed with a wrong secret
    dossier = world.shared("fee_due")
    order = world.call(
        "payment",
        "GET",
        f"/api/payment/payments/{dossier.payment_id}",
        headers={"authorization": f"Bearer {dossier.access_token}"},
    ).json()
    params = {
        "vnp_Amount": str(order["amount_vnd"] * 100),
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": order["txn_ref"],
        "vnp_TmnCode": "DVCLOCAL",
        "vnp_SecureHash": "ab" * 64,
    }
    query = "&".join(f"{k}={v}" for k, v in params.items())
    before, mark = world.item(keys.payment(order["txn_ref"])), len(world.writes.seen)
    # when they arrive
    ipn = world.call("payment", "GET", f"/api/payment/vnpay/ipn?{query}")
    back = world.call("payment", "GET", f"/api/payment/vnpay/return?{query}")
    # then the gateway hears 97, the citizen is sent back to the portal, and nothing is recorded
    assert ipn.status == 200 and ipn.json()["RspCode"] == "97"
    assert back.status == 302
    assert world.writes.since(mark) == [] and world.item(keys.payment(order["txn_ref"])) == before


# -- the catalogue admin of another agency ------------------------------------------------------------


AGENCY_ROUTES = [r for r in PROTECTED if r.key in AGENCY_IN_BODY]


def test_every_route_naming_an_agency_in_its_body_is_in_the_table():
    assert {r.key for r in AGENCY_ROUTES} == AGENCY_IN_BODY.keys()


@pytest.mark.parametrize("route", AGENCY_ROUTES, ids=[r.label for r in AGENCY_ROUTES])
def test_the_catalogue_admin_of_another_agency_writes_nothing(world, route):
    # given agency A's procedure in the catalogue, a new one of A's, and the catalogue admin of agency C
    takeover = {
        **procedure_record(LEVEL3),
        "COQUANTHUCHIEN": [{"MADONVI": C, "TENDONVI": "Sở Tư pháp"}],
        "CAPTHUCHIEN": [{"CAPTHUCHIEN": "1"}],
        "THOIDIEMTHUPHI": "before_processing",
        "MUCDO": "4",
    }
    takeover["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"] = [{"MOTA": "Lệ phí", "SOTIEN": "99000000"}]
    stored, mark = world.item(keys.procedure(LEVEL3)), len(world.writes.seen)
    admin = {"authorization": f"Bearer {token_of(C, ('catalog_admin',))}"}
    # when it imports them: A's procedure moved to C with a 99,000,000 VND fee, and A's new one
    answer = world.call(
        route.service, route.method, route.path, headers=admin, body=[takeover, procedure_record()]
    )
    # then both are rejected, each naming agency A, and nothing was written
    assert answer.status == 200, answer.text
    body = answer.json()
    assert (body["imported"], body["updated"], len(body["rejected"])) == (0, 0, 2), body
    assert all(A in r["detail"] and VIETNAMESE.search(r["detail"]) for r in body["rejected"]), body
    assert world.writes.since(mark) == [] and world.item(keys.procedure(LEVEL3)) == stored
    # and the admin of A's parent agency B may import A's new procedure: the refusal is about scope
    parent = {"authorization": f"Bearer {token_of(B, ('catalog_admin',))}"}
    allowed = world.call(route.service, route.method, route.path, headers=parent, body=[procedure_record()])
    assert allowed.status == 200 and allowed.json()["imported"] == 1, allowed.text
