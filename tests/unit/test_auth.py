"""Officials' JWT verification and citizens' capability tokens."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, dev_jwks, mint
from services.core.auth import (
    OfficialsVerifier,
    Role,
    check_access_token,
    hash_access_token,
    new_access_token,
)
from services.core.errors import Forbidden, Unauthorized


@pytest.fixture
def verifier() -> OfficialsVerifier:
    return OfficialsVerifier(issuer=DEFAULT_ISSUER, audience=DEFAULT_AUDIENCE, jwks=dev_jwks())


def test_a_dev_token_verifies_to_its_official(verifier):
    token = mint("000.00.31.H53", ["receiver", "leader"], sub="u1", name="Nguyễn Văn A")
    official = verifier.verify(token)
    assert official.agency == "000.00.31.H53"
    assert official.roles == {Role.RECEIVER, Role.LEADER}
    assert official.name == "Nguyễn Văn A"


def test_an_expired_token_is_refused(verifier):
    token = mint("A", ["receiver"], now=time.time() - 10 * 3600, ttl_seconds=3600)
    with pytest.raises(Unauthorized, match="hết hạn"):
        verifier.verify(token)


def test_wrong_issuer_or_audience_is_refused(verifier):
    with pytest.raises(Unauthorized):
        verifier.verify(mint("A", ["receiver"], issuer="https://evil.example"))
    with pytest.raises(Unauthorized):
        verifier.verify(mint("A", ["receiver"], audience="another-app"))


def _unsigned(claims: dict, header: dict) -> str:
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{b64(header)}.{b64(claims)}."


def test_alg_none_is_refused(verifier):
    claims = {
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "sub": "x",
        "agency": "A",
        "roles": ["leader"],
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    with pytest.raises(Unauthorized, match="Thuật toán"):
        verifier.verify(_unsigned(claims, {"alg": "none", "typ": "JWT"}))


def test_hs256_signed_with_the_public_key_is_refused(verifier):
    # the classic key-confusion attack: the RSA public key used as an HMAC secret
    public_pem = json.loads(dev_jwks())["keys"][0]["n"].encode()
    token = jwt.encode(
        {
            "iss": DEFAULT_ISSUER,
            "aud": DEFAULT_AUDIENCE,
            "sub": "x",
            "agency": "A",
            "roles": ["leader"],
            "iat": int(time.time()),
            "exp": int(time.time()) + 600,
        },
        public_pem,
        algorithm="HS256",
        headers={"kid": "dev-local-officials-1"},
    )
    with pytest.raises(Unauthorized):
        verifier.verify(token)


def test_a_token_signed_by_an_unknown_key_is_refused(verifier):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    claims = {
        "iss": DEFAULT_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "sub": "x",
        "agency": "A",
        "roles": ["leader"],
        "iat": int(time.time()),
        "exp": int(time.time()) + 600,
    }
    with pytest.raises(Unauthorized, match="Khóa"):
        verifier.verify(jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "someone-else"}))
    # and the same forged key under our key id fails the signature check
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "dev-local-officials-1"}))


def test_a_token_without_agency_is_refused(verifier):
    with pytest.raises(Unauthorized):
        verifier.verify(mint("", ["receiver"]))


def test_cognito_style_claims_are_understood():
    from services.core.auth import official_from_claims

    official = official_from_claims(
        {"sub": "s", "custom:agency": "A", "cognito:groups": ["handler", "unknown"]}
    )
    assert official.agency == "A" and official.roles == {Role.HANDLER}


def test_roles_and_agency_are_enforced():
    from services.core.auth import Official

    official = Official(sub="s", agency="A", roles=frozenset({Role.RECEIVER}))
    official.require(Role.RECEIVER, Role.LEADER)
    with pytest.raises(Forbidden):
        official.require(Role.HANDLER)
    with pytest.raises(Forbidden):
        official.require_agency("B")


def test_capability_tokens_have_128_bits_and_only_their_hash_is_kept():
    token, stored = new_access_token()
    assert len(base64.urlsafe_b64decode(token + "==")) == 16
    assert stored == hash_access_token(token) and token not in stored
    check_access_token(token, stored)
    with pytest.raises(Forbidden):
        check_access_token(new_access_token()[0], stored)
