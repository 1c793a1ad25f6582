"""Officials' authentication for HTTP functions: the verifier and a FastAPI dependency."""

from __future__ import annotations

from functools import cache

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.auth import Official, OfficialsVerifier, Role
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


class RequireRoles:
    """An officials' route's guard and its declaration at once: a verified official holding any of
    `roles`. The route table carries it, so tests/security builds the authorization matrix from it."""

    def __init__(self, *roles: Role):
        if not roles:
            raise ValueError("an officials' route names the roles it admits")
        self.roles = roles

    def __call__(self, official: Official = Depends(current_official)) -> Official:
        official.require(*self.roles)
        return official

    def __repr__(self) -> str:
        return f"RequireRoles({', '.join(r.value for r in self.roles)})"
