"""Typed settings, read once at cold start.

Every function builds the settings class it needs from the environment; a missing value stops the
cold start with a clear message, and a development secret outside the local stage does too.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.core.lookup import refuse_dev_key

LOCAL_STAGE = "local"

# Development credentials that ship with the repository. They are fine on a laptop and fatal anywhere
# else: the settings refuse them outside the local stage.
DEV_VNPAY_HASH_SECRET = "DEVSECRET-LOCAL-ONLY-0123456789AB"
DEV_VNPAY_TMN_CODE = "DVCLOCAL"
DEV_OFFICIALS_KID = "dev-local-officials-1"
# the HMAC key of pagination cursors (services/core/cursors.py); on AWS, CURSOR_SECRET from SSM
DEV_CURSOR_SECRET = "DEVCURSORS-LOCAL-ONLY-0123456789ABCDEF"
# Secrets printed in documents anyone can read (API.md's VNPay test vector): as unfit as ours.
DOCUMENTED_TEST_SECRETS = ("TESTSECRET0123456789ABCDEFGHIJKL",)
MIN_CURSOR_SECRET = 32
# the key of the receipts' lookup check codes (services/core/lookup.py); on AWS the stack generates one
DEV_LOOKUP_CHECK_KEY = "DEVLOOKUP-LOCAL-ONLY-0123456789ABCDEF"


class InsecureConfiguration(RuntimeError):
    """A development secret or key reached a stage other than local."""


class CoreSettings(BaseSettings):
    """What every function needs: its stage and the one table."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, frozen=True)

    stage: str = Field(min_length=1)
    table_name: str = Field(min_length=1)
    portal_url: str = Field(min_length=1, description="public origin of the portal, for links and CORS")
    cursor_secret: str = Field(default="", description="HMAC key of pagination cursors; locally a dev one")
    # Lambda's runtime sets these in every function; no local stage runs with them
    aws_lambda_function_name: str = ""
    aws_execution_env: str = ""

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @property
    def on_lambda(self) -> bool:
        return bool(self.aws_lambda_function_name) or self.aws_execution_env.startswith("AWS_Lambda")

    @property
    def cursor_key(self) -> bytes:
        return (self.cursor_secret or DEV_CURSOR_SECRET).encode()

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> CoreSettings:
        if self.is_local and self.on_lambda:
            # the local stage trusts the dev key and secrets: on AWS that would turn every check off
            raise InsecureConfiguration(
                "STAGE is 'local' but this is AWS Lambda (AWS_LAMBDA_FUNCTION_NAME is set); "
                "deploy with a real stage name"
            )
        if not self.is_local:
            for name, value in {"CURSOR_SECRET": self.cursor_secret, **self._secret_values()}.items():
                if value and is_dev_secret(value):
                    raise InsecureConfiguration(
                        f"{name} is a development value and the stage is {self.stage!r}; "
                        "set the real value (SSM Parameter Store) before deploying"
                    )
            if len(self.cursor_secret) < MIN_CURSOR_SECRET:
                raise InsecureConfiguration(
                    f"CURSOR_SECRET is missing or shorter than {MIN_CURSOR_SECRET} characters and the stage "
                    f"is {self.stage!r}; serverless.yml reads it from SSM (docs/deployment.md)"
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


class LookupCheckSettings(CoreSettings):
    """For the functions that print or compare the receipts' lookup check codes (services/core/lookup.py)."""

    lookup_check_key: str = Field(
        default=DEV_LOOKUP_CHECK_KEY, min_length=16, description="key of the receipts' lookup check codes"
    )

    @model_validator(mode="after")
    def _refuse_dev_lookup_key(self) -> LookupCheckSettings:
        refuse_dev_key(self.lookup_check_key, self.is_local)
        return self


def is_dev_secret(value: str) -> bool:
    known = (DEV_VNPAY_HASH_SECRET, DEV_CURSOR_SECRET, DEV_OFFICIALS_KID, *DOCUMENTED_TEST_SECRETS)
    return any(secret in value for secret in known) or _is_dev_public_key(value)


def _is_dev_public_key(value: str) -> bool:
    # The dev JWKS may come with another kid, its modulus re-encoded, or as PEM: the number gives it away.
    from services.core.devkeys import is_dev_key

    return is_dev_key(value)


S = TypeVar("S", bound=BaseSettings)


@cache
def load(cls: type[S]) -> S:
    """The settings of one kind, built once per container."""
    return cls()
