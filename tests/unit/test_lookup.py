"""The receipt's check code (services/core/lookup.py) and its key's refusal outside the local stage."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.core.lookup import check_code, is_valid_check, normalize_check, tracking_link
from services.core.settings import DEV_LOOKUP_CHECK_KEY, InsecureConfiguration
from services.core.text import initials

KEY = "a-real-key-of-the-stage-0123456789"
CODE = "000.00.31.H53-261126-0001"


def test_the_check_is_eight_base32_characters_and_depends_on_code_and_key():
    check = check_code(CODE, KEY)
    assert len(check) == 8 and set(check) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert check == check_code(CODE, KEY)
    assert check != check_code("000.00.31.H53-261126-0002", KEY)
    assert check != check_code(CODE, DEV_LOOKUP_CHECK_KEY)


def test_a_check_is_accepted_as_citizens_type_it_and_nothing_else():
    check = check_code(CODE, KEY)
    typed = f" {check[:4].lower()}-{check[4:].lower()} ".replace("O", "0").replace("o", "0")
    assert normalize_check(typed) == check
    assert is_valid_check(CODE, typed, KEY)
    assert not is_valid_check(CODE, None, KEY) and not is_valid_check(CODE, "", KEY)
    assert not is_valid_check(CODE, check[:7], KEY) and not is_valid_check(CODE, check + "A", KEY)
    assert not is_valid_check(CODE, "Đ" * 8, KEY)  # not ASCII: refused, not an error
    assert not is_valid_check("000.00.31.H53-261126-0002", check, KEY)


def test_the_tracking_link_carries_the_check():
    assert tracking_link("https://dvc.example.vn/", CODE, KEY) == (
        f"https://dvc.example.vn/tra-cuu.html?ma={CODE}&check={check_code(CODE, KEY)}"
    )


def test_the_applicant_shows_as_initials_only():
    assert initials("Nguyễn Văn An") == "N. V. A."
    assert initials("  đặng   thị  hồng ") == "Đ. T. H."
    assert initials("") == ""


@pytest.mark.parametrize(
    "settings_path",
    ["services.tracking.settings.TrackingSettings", "services.submission.settings.SubmissionSettings"],
)
def test_the_dev_lookup_key_is_refused_outside_the_local_stage(monkeypatch, settings_path):
    import importlib

    module, _, name = settings_path.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    for variable, value in {
        "TABLE_NAME": "t",
        "PORTAL_URL": "https://dvc.example.vn",
        "UPLOADS_BUCKET": "u",
        "RESULTS_BUCKET": "r",
        "OFFICIALS_ISSUER": "https://issuer",
        "OFFICIALS_AUDIENCE": "aud",
        "OFFICIALS_JWKS_URL": "https://issuer/.well-known/jwks.json",
        "CURSOR_SECRET": "c" * 48,  # every other secret real: only the lookup key is at fault
    }.items():
        monkeypatch.setenv(variable, value)
    monkeypatch.delenv("OFFICIALS_JWKS", raising=False)
    # locally the repository's key is the default; on any other stage it stops the cold start
    monkeypatch.delenv("LOOKUP_CHECK_KEY", raising=False)
    monkeypatch.setenv("STAGE", "local")
    assert cls().lookup_check_key == DEV_LOOKUP_CHECK_KEY
    monkeypatch.setenv("STAGE", "prod")
    with pytest.raises((InsecureConfiguration, ValidationError), match="LOOKUP_CHECK_KEY"):
        cls()
    # and the stage's own key starts it
    monkeypatch.setenv("LOOKUP_CHECK_KEY", KEY)
    assert cls().lookup_check_key == KEY
