"""Officials' authentication for HTTP functions: the verifier and a FastAPI dependency."""

from __future__ import annotations

from functools import cache

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.auth import Official, OfficialsVerifier
from services.core.errors import Unauthorized
from services.core.settings import OfficialsSettings, load


@cache
def verifier() -> OfficialsVerifier:
    settings = load(OfficialsSettings)
    return OfficialsVerifier(
        issuer=settings.officials_issuer,
        audience=settings.officials_audience,
        jwks=settings.officials_jwks,
        jwks_url=settings.officials_jwks_url,
    )


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="officialJWT",
    description="RS256 JWT of an official (claims sub, name, agency, roles)",
)


def current_official(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Official:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized()
    return verifier().verify(credentials.credentials)
