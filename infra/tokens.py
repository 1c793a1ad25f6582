"""Officials' tokens for the local stage, signed with the dev key in infra/devkeys/.

The local cloud trusts this key (OFFICIALS_JWKS defaults to its public half); every deployed stage
refuses it at cold start (services.core.settings).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

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
    import jwt

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
    return jwt.encode(claims, PRIVATE_KEY.read_bytes(), algorithm="RS256", headers={"kid": dev_kid()})
