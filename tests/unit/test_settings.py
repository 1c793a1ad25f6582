"""Settings refuse to start with missing values or with development secrets outside the local stage."""

import pytest
from pydantic import ValidationError

from infra.tokens import dev_jwks
from services.core.settings import (
    DEV_VNPAY_HASH_SECRET,
    InsecureConfiguration,
    OfficialsSettings,
    is_dev_secret,
)

BASE = {
    "STAGE": "prod",
    "TABLE_NAME": "t",
    "PORTAL_URL": "https://dichvucong.example.vn",
    "OFFICIALS_ISSUER": "https://issuer",
    "OFFICIALS_AUDIENCE": "aud",
}


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
