"""Officials' authentication for HTTP functions: settings, the verifier, a FastAPI dependency."""

from __future__ import annotations

from functools import cache

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.core.auth import Official, OfficialsVerifier
from services.core.errors import Unauthorized
from services.core.settings import CoreSettings, load


class OfficialsSettings(CoreSettings):
    officials_issuer: str
    officials_audience: str
    officials_jwks: str | None = None
    officials_jwks_url: str | None = None

    def _secret_values(self) -> dict[str, str]:
        return {"OFFICIALS_JWKS": self.officials_jwks or ""}


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
