"""Typed settings, read once at cold start.

Every function builds the settings class it needs from the environment; a missing value stops the
cold start with a clear message, and a development secret outside the local stage does too.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TypeVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_STAGE = "local"

# Development credentials that ship with the repository. They are fine on a laptop and fatal anywhere
# else: the settings refuse them outside the local stage.
DEV_VNPAY_HASH_SECRET = "DEVSECRET-LOCAL-ONLY-0123456789AB"
DEV_VNPAY_TMN_CODE = "DVCLOCAL"
DEV_OFFICIALS_KID = "dev-local-officials-1"


class InsecureConfiguration(RuntimeError):
    """A development secret or key reached a stage other than local."""


class CoreSettings(BaseSettings):
    """What every function needs: its stage and the one table."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, frozen=True)

    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    portal_url: str = Field(min_length=1, description="public origin of the portal, for links and CORS")

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> CoreSettings:
        if not self.is_local:
            for name, value in self._secret_values().items():
                if value and is_dev_secret(value):
                    raise InsecureConfiguration(
                        f"{name} is a development value and the stage is {self.stage!r}; "
                        "set the real value (SSM Parameter Store) before deploying"
                    )
        return self

    def _secret_values(self) -> dict[str, str]:
        return {}


class OfficialsSettings(CoreSettings):
    """Where officials' tokens come from: a JWKS document or URL, the issuer and the audience."""

    officials_issuer: str
    officials_audience: str
    officials_jwks: str | None = None
    officials_jwks_url: str | None = None

    def _secret_values(self) -> dict[str, str]:
        return {"OFFICIALS_JWKS": self.officials_jwks or ""}


def is_dev_secret(value: str) -> bool:
    return DEV_VNPAY_HASH_SECRET in value or DEV_OFFICIALS_KID in value or _is_dev_public_key(value)


def _is_dev_public_key(value: str) -> bool:
    # The dev JWKS may be pasted with another kid; the modulus still gives it away.
    from services.core.devkeys import DEV_MODULUS_FINGERPRINT

    return DEV_MODULUS_FINGERPRINT in {
        hashlib.sha256(part.encode()).hexdigest()[:32] for part in _jwks_moduli(value)
    }


def _jwks_moduli(value: str) -> list[str]:
    if '"n"' not in value:
        return []
    import json

    try:
        keys = json.loads(value).get("keys", [])
    except (ValueError, AttributeError):
        return []
    return [k.get("n", "") for k in keys if isinstance(k, dict)]


S = TypeVar("S", bound=BaseSettings)


@cache
def load(cls: type[S]) -> S:
    """The settings of one kind, built once per container."""
    return cls()
