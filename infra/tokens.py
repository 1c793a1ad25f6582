"""Officials' tokens for the local stage, signed with the dev key in infra/devkeys/.

The local cloud trusts this key (OFFICIALS_JWKS defaults to its public half); every deployed stage
refuses it at cold start (services.core.settings). `mint` makes the short form (`agency`, `roles`) the
developer commands and the API tests use; `cognito_id_token_claims` the claims Cognito puts in an ID token
(`custom:agency`, `cognito:groups`, `token_use`), which the identity provider simulator (infra/sim/idp.py)
signs, so the console and the APIs see locally what they see on AWS.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

DEVKEYS = Path(__file__).resolve().parent / "devkeys"
PRIVATE_KEY = DEVKEYS / "officials-dev-private.pem"
JWKS = DEVKEYS / "officials-dev-jwks.json"
DEFAULT_ISSUER = "https://idp.dichvucong.local"
DEFAULT_AUDIENCE = "dichvucong-officials"


def dev_jwks() -> str:
    return json.dumps(json.loads(JWKS.read_text()))


def dev_kid() -> str:
    return str(json.loads(JWKS.read_text())["keys"][0]["kid"])


def mint(
    agency: str,
    roles: list[str],
    *,
    sub: str | None = None,
    name: str | None = None,
    issuer: str = DEFAULT_ISSUER,
    audience: str = DEFAULT_AUDIENCE,
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": sub or f"official-{uuid.uuid4().hex[:12]}",
        "name": name or "Cán bộ một cửa",
        "agency": agency,
        "roles": roles,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    return sign(claims)


def sign(claims: dict[str, Any]) -> str:
    """Any claims, signed RS256 with the dev key under its key id."""
    import jwt

    return jwt.encode(claims, PRIVATE_KEY.read_bytes(), algorithm="RS256", headers={"kid": dev_kid()})


def cognito_id_token_claims(
    *,
    sub: str,
    username: str,
    agency: str,
    groups: list[str],
    issuer: str,
    audience: str,
    name: str | None = None,
    email: str | None = None,
    nonce: str | None = None,
    auth_time: int | None = None,
    ttl_seconds: int = 8 * 3600,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of a Cognito user pool's ID token for an official (custom attribute `agency`, groups)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "aud": audience,
        "iss": issuer,
        "token_use": "id",
        "cognito:username": username,
        "custom:agency": agency,
        "auth_time": auth_time if auth_time is not None else issued,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
    }
    if groups:  # Cognito leaves the claim out for a user in no group
        claims["cognito:groups"] = list(groups)
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
        claims["email_verified"] = True
    if nonce:
        claims["nonce"] = nonce
    return claims
