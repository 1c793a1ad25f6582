"""The portal's `/config.json`: where the officials' console signs in (OpenID Connect, code flow + PKCE).

The console reads it before sending an official to the identity provider (portal/js/console/oidc.js).
Locally the gateway serves it, pointing at the simulator under /sim/idp (infra/sim/idp.py); on AWS
`python -m infra publish-portal` writes it from the stack's outputs: the Cognito domain
(`OfficialsSignInDomain`), the pool's issuer (`OfficialsIssuer`), the app client
(`OfficialsUserPoolClientId`) and the page Cognito sends officials back to (`OfficialsCallbackUrl`).
"""

from __future__ import annotations

import json
from typing import Any

# The console's sign-in page is also where the provider sends the official back, after signing in (with
# `code` and `state`) and after signing out.
SIGN_IN_PAGE = "/can-bo/dang-nhap.html"
SCOPES = "openid email profile"
# the stack outputs publish-portal reads, besides the bucket and the distribution
COGNITO_OUTPUTS = (
    "OfficialsSignInDomain",
    "OfficialsIssuer",
    "OfficialsUserPoolClientId",
    "OfficialsCallbackUrl",
)


def officials_sign_in(
    *,
    issuer: str,
    provider: str,
    client_id: str,
    callback_url: str,
    authorize_path: str = "/oauth2/authorize",
    token_path: str = "/oauth2/token",
    logout_path: str = "/logout",
    developer_tools: bool = False,
) -> dict[str, Any]:
    """The console's sign-in settings; `provider` is the base URL of the provider's OAuth endpoints."""
    base = provider.rstrip("/")
    return {
        "issuer": issuer,
        "authorize_url": base + authorize_path,
        "token_url": base + token_path,
        "logout_url": base + logout_path,
        "client_id": client_id,
        "redirect_uri": callback_url,
        "logout_redirect_uri": callback_url,
        "scopes": SCOPES,
        # the paste-a-token and dev-key forms of the sign-in page: only where /local/token exists
        "developer_tools": developer_tools,
    }


def local_config(
    base_url: str, *, issuer: str, client_id: str, idp_prefix: str = "/sim/idp"
) -> dict[str, Any]:
    """The local cloud's: the simulator signs officials in, with the issuer and audience functions expect."""
    return {
        "stage": "local",
        "officials": officials_sign_in(
            issuer=issuer,
            provider=base_url + idp_prefix,
            client_id=client_id,
            callback_url=base_url + SIGN_IN_PAGE,
            developer_tools=True,
        ),
    }


def cognito_config(stage: str, outputs: dict[str, str]) -> dict[str, Any]:
    """A deployed stage's, from its stack's outputs: Cognito's hosted sign-in on the pool's domain."""
    return {
        "stage": stage,
        "officials": officials_sign_in(
            issuer=outputs["OfficialsIssuer"],
            provider=outputs["OfficialsSignInDomain"],
            client_id=outputs["OfficialsUserPoolClientId"],
            callback_url=outputs["OfficialsCallbackUrl"],
        ),
    }


def encode(config: dict[str, Any]) -> bytes:
    return json.dumps(config, ensure_ascii=False, indent=2).encode() + b"\n"


def origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
