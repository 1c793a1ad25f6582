"""Who is calling: officials by RS256 JWT, citizens by their dossier's capability token."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from services.core.errors import Forbidden, Unauthorized


class Role(StrEnum):
    RECEIVER = "receiver"
    HANDLER = "handler"
    LEADER = "leader"
    CATALOG_ADMIN = "catalog_admin"


class Official(BaseModel, frozen=True):
    sub: str
    name: str = ""
    agency: str
    roles: frozenset[Role] = Field(default_factory=frozenset)

    def require(self, *any_of: Role) -> None:
        if not self.roles & set(any_of):
            allowed = ", ".join(r.value for r in any_of)
            raise Forbidden(
                f"Tài khoản của bạn không có vai trò được phép thực hiện thao tác này ({allowed})."
            )

    def require_agency(self, agency: str) -> None:
        if agency != self.agency:
            raise Forbidden("Hồ sơ này không thuộc cơ quan của bạn.")


class OfficialsVerifier:
    """Verifies officials' tokens: RS256 only, a known key id, issuer, audience, expiry, typed claims.

    Keys come from a JWKS document (OFFICIALS_JWKS, JSON text) or a JWKS URL (the identity provider's,
    e.g. Cognito's `/.well-known/jwks.json`, fetched once and cached by PyJWT).
    """

    ALGORITHMS = ("RS256",)

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: str | None = None,
        jwks_url: str | None = None,
        leeway_seconds: int = 30,
    ):
        if not (jwks or jwks_url):
            raise ValueError("officials' keys: set OFFICIALS_JWKS or OFFICIALS_JWKS_URL")
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway_seconds
        self._jwks = jwks
        self._jwks_url = jwks_url
        self._keys: dict[str, Any] | None = None
        self._client: Any = None

    def _key_for(self, kid: str) -> Any:
        import jwt

        if self._jwks_url:
            if self._client is None:
                self._client = jwt.PyJWKClient(self._jwks_url, cache_keys=True, lifespan=3600)
            try:
                return self._client.get_signing_key(kid).key
            except jwt.PyJWKClientError as err:
                raise Unauthorized("Khóa ký của mã xác thực không được công nhận.") from err
        if self._keys is None:
            jwk_set = jwt.PyJWKSet.from_json(self._jwks or "")
            self._keys = {k.key_id: k.key for k in jwk_set.keys if k.key_id}
        key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("Khóa ký của mã xác thực không được công nhận.")
        return key

    def verify(self, token: str) -> Official:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as err:
            raise Unauthorized("Mã xác thực không đúng định dạng.") from err
        # Pin the algorithm before touching keys: `none` and HS256-with-the-public-key never get further.
        if header.get("alg") not in self.ALGORITHMS:
            raise Unauthorized("Thuật toán ký của mã xác thực không được chấp nhận.")
        key = self._key_for(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(self.ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as err:
            raise Unauthorized("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.") from err
        except jwt.PyJWTError as err:
            raise Unauthorized("Mã xác thực không hợp lệ.") from err
        return official_from_claims(claims)


def require_oversight(structure: dict[str, Any], agency: str) -> None:
    """Province-wide settings and reports belong to the agencies the structure names as overseeing the
    province (its People's Committee office), not to every agency's leader."""
    if agency not in set(structure.get("oversight", [])):
        raise Forbidden(
            "Chỉ cơ quan quản lý chung của tỉnh (Văn phòng UBND tỉnh) được thực hiện thao tác này."
        )


def official_from_claims(claims: dict[str, Any]) -> Official:
    # Cognito puts custom attributes under `custom:` and groups under `cognito:groups`.
    agency = claims.get("agency") or claims.get("custom:agency")
    raw_roles = claims.get("roles", claims.get("cognito:groups", []))
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.replace(",", " ").split()
    if not isinstance(agency, str) or not agency or not isinstance(raw_roles, list):
        raise Unauthorized("Mã xác thực thiếu thông tin cơ quan hoặc vai trò.")
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    name = claims.get("name", "")
    return Official(
        sub=str(claims["sub"]), name=name if isinstance(name, str) else "", agency=agency, roles=roles
    )


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Tiêu đề Authorization phải có dạng 'Bearer <mã>'.")
    return token.strip()


# -- citizens: capability tokens -------------------------------------------------------------------


def new_access_token() -> tuple[str, str]:
    """A fresh capability token (128 random bits) and the hash that is the only thing stored."""
    token = secrets.token_urlsafe(16)
    return token, hash_access_token(token)


def hash_access_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_access_token(token: str, stored_hash: str | None) -> None:
    if not stored_hash or not hmac.compare_digest(hash_access_token(token), stored_hash):
        raise Forbidden("Mã truy cập không dành cho hồ sơ này.")


def jwks_json(keys: list[dict[str, Any]]) -> str:
    return json.dumps({"keys": keys})
