"""Settings refuse to start with missing values or with development secrets outside the local stage."""

import base64
import json
import os
import secrets

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from infra.tokens import dev_jwks
from services.core.settings import (
    DEV_CURSOR_SECRET,
    DEV_VNPAY_HASH_SECRET,
    InsecureConfiguration,
    OfficialsSettings,
    is_dev_secret,
)
from services.payment.settings import PaymentSettings

BASE = {
    "STAGE": "prod",
    "TABLE_NAME": "t",
    "PORTAL_URL": "https://dichvucong.example.vn",
    "OFFICIALS_ISSUER": "https://issuer",
    "OFFICIALS_AUDIENCE": "aud",
}


@pytest.fixture(autouse=True)
def _no_secrets_from_the_environment(monkeypatch):
    # the in-process cloud of other suites leaves its local secrets in os.environ; each test here names
    # the ones it means
    for name in ("OFFICIALS_JWKS", "OFFICIALS_JWKS_URL", "CURSOR_SECRET", "LOOKUP_CHECK_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("VNPAY_")]:
        monkeypatch.delenv(name, raising=False)


def test_a_missing_required_value_stops_the_cold_start(monkeypatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    with pytest.raises(ValidationError):
        OfficialsSettings(
            _env_file=None, stage="prod", portal_url="x", officials_issuer="i", officials_audience="a"
        )


def test_the_dev_officials_key_is_refused_outside_the_local_stage(monkeypatch):
    for name, value in {**BASE, "OFFICIALS_JWKS": dev_jwks()}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises((InsecureConfiguration, ValidationError), match="development value"):
        OfficialsSettings()


def test_the_dev_key_is_recognised_even_under_another_key_id():
    renamed = dev_jwks().replace("dev-local-officials-1", "prod-key-2026")
    assert is_dev_secret(renamed)
    assert is_dev_secret(DEV_VNPAY_HASH_SECRET)
    assert not is_dev_secret('{"keys": [{"kid": "k", "n": "AQAB"}]}')


def test_the_dev_key_is_fine_on_the_local_stage(monkeypatch):
    for name, value in {**BASE, "STAGE": "local", "OFFICIALS_JWKS": dev_jwks()}.items():
        monkeypatch.setenv(name, value)
    assert OfficialsSettings().is_local


# -- the dev key however it is written, the documented test secrets, the local stage on Lambda -----------


def _dev_key() -> dict:
    return json.loads(dev_jwks())["keys"][0]


def _with_modulus(n_text: str) -> str:
    return json.dumps({"keys": [{**_dev_key(), "kid": "prod-key-2026", "n": n_text}]})


def _zero_prefixed() -> str:
    raw = base64.urlsafe_b64decode(_dev_key()["n"] + "==")
    return _with_modulus(base64.urlsafe_b64encode(b"\0\0\0" + raw).decode().rstrip("="))


def _padded() -> str:
    n = _dev_key()["n"]
    return _with_modulus(n + "=" * (-len(n) % 4 or 4))


def _standard_alphabet() -> str:
    return _with_modulus(_dev_key()["n"].replace("-", "+").replace("_", "/"))


def _pem() -> str:
    public = jwt.PyJWK(_dev_key()).key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


REWRITTEN = {"zero-prefixed": _zero_prefixed, "padded": _padded, "standard-alphabet": _standard_alphabet}


@pytest.mark.parametrize("how", REWRITTEN)
def test_a_rewritten_copy_of_the_dev_key_is_refused_outside_the_local_stage(monkeypatch, how):
    # given the dev key's modulus written another way, which the verifier still loads as the same key
    jwks = REWRITTEN[how]()
    loaded = jwt.PyJWKSet.from_json(jwks).keys[0].key.public_numbers().n
    assert loaded == jwt.PyJWK(_dev_key()).key.public_numbers().n
    for name, value in {**BASE, "CURSOR_SECRET": secrets.token_hex(32), "OFFICIALS_JWKS": jwks}.items():
        monkeypatch.setenv(name, value)
    # when a deployed stage starts with it, then it refuses
    with pytest.raises(InsecureConfiguration, match="OFFICIALS_JWKS is a development value"):
        OfficialsSettings()


def test_the_dev_key_as_pem_is_recognised():
    assert is_dev_secret(_pem())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert not is_dev_secret(pem.decode())


def test_the_api_md_test_vector_secret_is_refused_outside_the_local_stage():
    # the VNPay secret API.md publishes for its test vector is nobody's secret
    with pytest.raises(InsecureConfiguration, match="VNPAY_HASH_SECRET is a development value"):
        PaymentSettings(
            _env_file=None,
            **{k.lower(): v for k, v in BASE.items()},
            cursor_secret=secrets.token_hex(32),
            api_url="https://dichvucong.example.vn",
            results_bucket="results",
            vnpay_tmn_code="DVCST001",
            vnpay_hash_secret="TESTSECRET0123456789ABCDEFGHIJKL",
            vnpay_pay_url="https://pay.example/vpcpay.html",
            vnpay_api_url="https://pay.example/api",
        )


def test_the_local_stage_refuses_to_start_on_lambda(monkeypatch):
    # given the local stage's settings, in a process Lambda's runtime started
    for name, value in {**BASE, "STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "dichvucong-prod-api"}.items():
        monkeypatch.setenv(name, value)
    # then it refuses: the local stage trusts the dev key and secrets
    with pytest.raises(InsecureConfiguration, match="AWS Lambda"):
        OfficialsSettings()


@pytest.mark.parametrize("secret", ["", "short-secret", DEV_CURSOR_SECRET])
def test_a_deployed_stage_needs_its_own_cursor_secret(monkeypatch, secret):
    for name, value in {**BASE, "CURSOR_SECRET": secret}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InsecureConfiguration, match="CURSOR_SECRET"):
        OfficialsSettings()
    monkeypatch.setenv("CURSOR_SECRET", secrets.token_hex(32))
    assert not OfficialsSettings().is_local
