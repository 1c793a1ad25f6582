"""Stories of the officials' identity provider simulator (infra/sim/idp.py): the authorization code flow
with PKCE, the token endpoint's refusals, the remembered sign-in and sign-out, and ID tokens the API
verifies as it verifies Cognito's."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from infra.sim.idp import PREFIX, SEED, Client, IdpConfig, create_app, load_officials
from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, dev_jwks
from services.core.auth import OfficialsVerifier, Role

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

BASE = "http://127.0.0.1:8000"
CALLBACK = f"{BASE}/can-bo/dang-nhap.html"
OTHER = "another-registered-client"
STRUCTURE = json.loads((SEED / "structure.json").read_text(encoding="utf-8"))


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Idp:
    client: TestClient
    clock: Clock


@pytest.fixture
def idp() -> Iterator[Idp]:
    clock = Clock()
    config = IdpConfig(
        issuer=DEFAULT_ISSUER,
        base_url=f"{BASE}{PREFIX}",
        clients=(
            Client(DEFAULT_AUDIENCE, redirect_uris=(CALLBACK,), logout_uris=(CALLBACK,)),
            Client(OTHER, redirect_uris=("https://other.example/cb",), logout_uris=()),
        ),
        officials=load_officials(),
        clock=clock,
    )
    with TestClient(create_app(config), base_url=BASE, follow_redirects=False) as client:
        yield Idp(client, clock)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": DEFAULT_AUDIENCE,
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }


def returned(location: str) -> dict[str, str]:
    assert location.startswith(CALLBACK + "?"), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in(idp: Idp, challenge: str, username: str = "lan.nguyen", **overrides: str) -> dict[str, str]:
    """The official chooses their account on the sign-in page: what comes back to the console. (The page
    is asked for even when the provider remembers an earlier sign-in.)"""
    params = authorize_params(challenge, prompt="login", **overrides)
    page = idp.client.get(f"{PREFIX}/oauth2/authorize", params=params)
    assert page.status_code == 200, page.text
    request = re.search(r'name="request" value="([^"]+)"', page.text)
    assert request
    answer = idp.client.post(
        f"{PREFIX}/login", data={"request": request.group(1), "username": username, "action": "sign-in"}
    )
    assert answer.status_code == 302
    return returned(answer.headers["location"])


def redeem(idp: Idp, issued: str, verifier: str, **overrides: str | None) -> Any:
    form = {
        "grant_type": "authorization_code",
        "client_id": DEFAULT_AUDIENCE,
        "code": issued,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        **overrides,
    }
    return idp.client.post(f"{PREFIX}/oauth2/token", data={k: v for k, v in form.items() if v is not None})


def assert_refused(answer: Any, error: str) -> None:
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["error"] == error and body["error_description"]
    assert "id_token" not in body


# -- the whole flow ---------------------------------------------------------------------------------


def test_an_official_signs_in_and_the_api_verifies_the_id_token_as_cognitos(idp):
    # given a console that made a PKCE pair
    verifier, challenge = pkce()

    # when the official chooses their account and the console redeems the code with the verifier
    back = sign_in(idp, challenge, "hoa.le")
    answer = redeem(idp, back["code"], verifier)

    # then the state comes back untouched, and the tokens are Cognito's
    assert back["state"] == "state-123"
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["custom:agency"] == "000.00.21.H53"
    assert claims["cognito:groups"] == ["receiver", "handler", "leader"]
    assert claims["token_use"] == "id" and claims["nonce"] == "nonce-456"
    assert claims["cognito:username"] == "hoa.le" and claims["email"] == "hoa.le@example.gov.vn"
    assert claims["aud"] == DEFAULT_AUDIENCE and claims["iss"] == DEFAULT_ISSUER
    assert claims["exp"] - claims["iat"] == 8 * 3600
    assert "agency" not in claims and "roles" not in claims
    # and the API's verifier (pinned RS256, kid, issuer, audience) reads the official from them
    official = OfficialsVerifier(issuer=DEFAULT_ISSUER, audience=DEFAULT_AUDIENCE, jwks=dev_jwks()).verify(
        tokens["id_token"]
    )
    assert official.agency == "000.00.21.H53" and official.name == "Lê Thị Hoa"
    assert official.roles == {Role.RECEIVER, Role.HANDLER, Role.LEADER}
    access = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert access["token_use"] == "access" and access["client_id"] == DEFAULT_AUDIENCE and "aud" not in access


def test_discovery_names_the_endpoints_and_the_keys_are_the_dev_keys(idp):
    document = idp.client.get(f"{PREFIX}/.well-known/openid-configuration").json()
    assert document["issuer"] == DEFAULT_ISSUER
    assert document["authorization_endpoint"] == f"{BASE}{PREFIX}/oauth2/authorize"
    assert document["token_endpoint"] == f"{BASE}{PREFIX}/oauth2/token"
    assert document["end_session_endpoint"] == f"{BASE}{PREFIX}/logout"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["token_endpoint_auth_methods_supported"] == ["none"]
    keys = idp.client.get(document["jwks_uri"].removeprefix(BASE)).json()
    assert keys == json.loads(dev_jwks())
    assert all("d" not in key for key in keys["keys"])  # the public half only


def test_the_sign_in_page_lists_seeded_officials_of_real_agencies_with_their_roles_and_no_script(idp):
    _, challenge = pkce()
    page = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge))
    assert page.status_code == 200 and '<html lang="vi">' in page.text
    assert "<script" not in page.text and "style=" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none' forbids scripts
    assert "default-src 'none'" in page.headers["content-security-policy"]
    agencies = {a["code"]: a["name"] for a in STRUCTURE["agencies"]}
    officials = load_officials()
    assert len(officials) >= 4 and len({o.agency for o in officials}) >= 3
    for official in officials:
        assert official.agency_name == agencies[official.agency]
        assert official.name in page.text and official.agency_name in page.text
        assert set(official.groups) <= {r.value for r in Role}
    assert "Tiếp nhận hồ sơ, Xử lý hồ sơ" in page.text and "Quản trị danh mục thủ tục" in page.text
    assert '<label for="official-1">' in page.text and "<legend>Chọn tài khoản cán bộ</legend>" in page.text


# -- the token endpoint's refusals --------------------------------------------------------------------


def test_a_wrong_verifier_is_refused_and_spends_the_code(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]

    assert_refused(redeem(idp, code, pkce()[0]), "invalid_grant")
    # a code presented with a wrong verifier may have been intercepted: the right one is too late
    assert_refused(redeem(idp, code, verifier), "invalid_grant")


def test_a_code_is_good_once(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    assert redeem(idp, code, verifier).status_code == 200

    again = redeem(idp, code, verifier)

    assert_refused(again, "invalid_grant")
    assert "used" in again.json()["error_description"]


def test_a_code_expires_after_five_minutes(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]

    idp.clock.now += 301

    answer = redeem(idp, code, verifier)
    assert_refused(answer, "invalid_grant")
    assert "expired" in answer.json()["error_description"]


def test_a_code_within_five_minutes_is_still_good(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    idp.clock.now += 299
    assert redeem(idp, code, verifier).status_code == 200


def test_a_different_redirect_uri_is_refused(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    assert_refused(redeem(idp, code, verifier, redirect_uri=f"{BASE}/can-bo/"), "invalid_grant")


def test_an_unknown_client_and_another_clients_code_are_refused(idp):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    assert_refused(redeem(idp, code, verifier, client_id="not-a-client"), "invalid_client")

    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    assert_refused(redeem(idp, code, verifier, client_id=OTHER), "invalid_grant")


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"grant_type": None}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"code_verifier": None}, "invalid_request"),
        ({"redirect_uri": None}, "invalid_request"),
        ({"client_id": None}, "invalid_request"),
        ({"code": "never-issued"}, "invalid_grant"),
        ({"code_verifier": "too-short"}, "invalid_grant"),
    ],
)
def test_malformed_token_requests_are_refused_with_oauth_errors(idp, overrides, error):
    verifier, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    assert_refused(redeem(idp, code, verifier, **overrides), error)


def test_the_token_endpoint_takes_a_form_not_json(idp):
    _, challenge = pkce()
    code = sign_in(idp, challenge)["code"]
    answer = idp.client.post(
        f"{PREFIX}/oauth2/token",
        json={"grant_type": "authorization_code", "client_id": DEFAULT_AUDIENCE, "code": code},
    )
    assert_refused(answer, "invalid_request")


# -- the authorization endpoint's refusals --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "email profile"}, "invalid_scope"),
        ({"scope": "openid aws.cognito.signin.user.admin"}, "invalid_scope"),
    ],
)
def test_a_bad_authorization_request_goes_back_to_the_client_with_its_state(idp, overrides, error):
    _, challenge = pkce()
    answer = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge, **overrides))
    assert answer.status_code == 302
    back = returned(answer.headers["location"])
    assert back["error"] == error and back["state"] == "state-123" and "code" not in back


@pytest.mark.parametrize(
    "overrides",
    [{"client_id": "not-a-client"}, {"redirect_uri": "https://evil.example/steal"}, {"redirect_uri": ""}],
)
def test_an_unknown_client_or_redirect_uri_gets_an_error_page_never_a_redirect(idp, overrides):
    _, challenge = pkce()
    answer = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge, **overrides))
    assert answer.status_code == 400 and "location" not in answer.headers
    assert 'role="alert"' in answer.text


def test_the_official_may_cancel(idp):
    _, challenge = pkce()
    page = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge))
    request = re.search(r'name="request" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    answer = idp.client.post(f"{PREFIX}/login", data={"request": request, "action": "cancel"})

    back = returned(answer.headers["location"])
    assert back["error"] == "access_denied" and back["state"] == "state-123"


def test_signing_in_without_choosing_an_account_says_so_on_the_page(idp):
    _, challenge = pkce()
    page = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge))
    request = re.search(r'name="request" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    answer = idp.client.post(f"{PREFIX}/login", data={"request": request, "action": "sign-in"})

    assert answer.status_code == 400 and 'role="alert"' in answer.text
    assert "Vui lòng chọn một tài khoản." in answer.text


# -- the remembered sign-in and signing out ------------------------------------------------------------


def test_a_remembered_official_is_sent_back_at_once_until_they_sign_out(idp):
    # given an official who signed in once
    sign_in(idp, pkce()[1], "minh.tran")

    # when the console asks again, it gets a code without the page, for the same official
    verifier, challenge = pkce()
    answer = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge, state="s2"))
    assert answer.status_code == 302
    back = returned(answer.headers["location"])
    assert back["state"] == "s2"
    claims = jwt.decode(
        redeem(idp, back["code"], verifier).json()["id_token"], options={"verify_signature": False}
    )
    assert claims["cognito:username"] == "minh.tran"
    # (unless the client asks for the page)
    forced = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge, prompt="login"))
    assert forced.status_code == 200

    # when they sign out, back to the registered page
    out = idp.client.get(f"{PREFIX}/logout", params={"client_id": DEFAULT_AUDIENCE, "logout_uri": CALLBACK})
    assert out.status_code == 302 and out.headers["location"] == CALLBACK

    # then the next sign-in asks who they are again
    again = idp.client.get(f"{PREFIX}/oauth2/authorize", params=authorize_params(challenge))
    assert again.status_code == 200 and "Chọn tài khoản cán bộ" in again.text


def test_sign_out_goes_only_to_a_registered_uri(idp):
    for params in (
        {"client_id": DEFAULT_AUDIENCE, "logout_uri": "https://evil.example/"},
        {"client_id": "not-a-client", "logout_uri": CALLBACK},
    ):
        answer = idp.client.get(f"{PREFIX}/logout", params=params)
        assert answer.status_code == 400 and "location" not in answer.headers
