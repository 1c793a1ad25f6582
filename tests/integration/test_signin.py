"""Officials' sign-in on the local cloud, through its front door (infra/gateway.py): the portal's
/config.json points the console at the identity provider simulator, the content security policy lets the
console reach its token endpoint, and the ID token it issues opens the tracking API as Cognito's does."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import warnings
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from infra.signin import SIGN_IN_PAGE, local_config

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def front_door(cloud) -> TestClient:
    cloud.load_functions()
    return TestClient(cloud.build_app(), base_url=cloud.options.base_url, follow_redirects=False)


def test_the_portal_tells_the_console_to_sign_in_at_the_simulator(cloud, front_door):
    answer = front_door.get("/config.json")

    base = cloud.options.base_url
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-cache"
    config = answer.json()
    assert config == local_config(
        base, issuer=cloud.options.officials_issuer, client_id=cloud.options.officials_audience
    )
    officials = config["officials"]
    assert officials["authorize_url"] == f"{base}/sim/idp/oauth2/authorize"
    assert officials["token_url"] == f"{base}/sim/idp/oauth2/token"
    assert officials["redirect_uri"] == officials["logout_redirect_uri"] == base + SIGN_IN_PAGE
    # the issuer and audience are the ones the functions verify
    assert officials["issuer"] == cloud.function_environment()["OFFICIALS_ISSUER"]
    assert officials["client_id"] == cloud.function_environment()["OFFICIALS_AUDIENCE"]
    # the same headers as every portal file, the provider's origin allowed to be fetched
    csp = answer.headers["content-security-policy"]
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src "))
    assert connect.split() == ["connect-src", "'self'", cloud.options.aws_endpoint, base]
    assert answer.headers["x-content-type-options"] == "nosniff"


def _sign_in(front_door: TestClient, config: dict[str, Any], username: str) -> str:
    """What the console does: authorize with PKCE, the official chooses, the code is redeemed."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    page = front_door.get(
        urlsplit(config["authorize_url"]).path,
        params={
            "response_type": "code",
            "client_id": config["client_id"],
            "redirect_uri": config["redirect_uri"],
            "scope": config["scopes"],
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "prompt": "login",  # the page, even though the provider remembers an earlier sign-in
        },
    )
    request = re.search(r'name="request" value="([^"]+)"', page.text)
    assert page.status_code == 200 and request
    back = front_door.post(
        "/sim/idp/login", data={"request": request.group(1), "username": username, "action": "sign-in"}
    )
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    tokens = front_door.post(
        urlsplit(config["token_url"]).path,
        data={
            "grant_type": "authorization_code",
            "client_id": config["client_id"],
            "code": code,
            "redirect_uri": config["redirect_uri"],
            "code_verifier": verifier,
        },
    )
    assert tokens.status_code == 200, tokens.text
    return str(tokens.json()["id_token"])


def test_the_simulators_id_token_opens_the_officials_inbox(front_door):
    config = front_door.get("/config.json").json()["officials"]

    token = _sign_in(front_door, config, "khanh.thach")

    inbox = front_door.get("/api/tracking/dossiers", headers={"authorization": f"Bearer {token}"})
    assert inbox.status_code == 200, inbox.text
    assert "items" in inbox.json()
    # a catalogue administrator's token is a valid token without an inbox role
    admin = _sign_in(front_door, config, "tuan.pham")
    refused = front_door.get("/api/tracking/dossiers", headers={"authorization": f"Bearer {admin}"})
    assert refused.status_code == 403
