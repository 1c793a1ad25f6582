"""Officials sign in to the console as they do on AWS: OpenID Connect's authorization code flow with PKCE,
at the identity provider simulator (Cognito's hosted pages on AWS), no token pasted anywhere."""

from __future__ import annotations

import re

import jwt
import pytest
from playwright.sync_api import expect

from tests.browser.officials import (
    PROVIDER_PAGE,
    cognito_token,
    procedure_at,
    provider_sign_in,
    submitted_dossier,
)

pytestmark = pytest.mark.browser

CHAU_THANH = "000.00.21.H53"  # Ủy ban nhân dân huyện Châu Thành, where the provider's Lê Thị Hoa works
TOKEN = "dvc.official.token"


def test_an_official_signs_in_at_the_identity_provider_sees_their_inbox_and_signs_out(contexts, api):
    # given a dossier waiting at the district of Châu Thành
    proc = procedure_at(api, CHAU_THANH)
    dossier = submitted_dossier(api, proc)
    page = contexts().new_page()

    # when the official opens the console, is sent to sign in, and signs in at the identity provider
    page.goto("/can-bo/")
    page.wait_for_url("**/can-bo/dang-nhap.html?next=*")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(re.compile(r"/sim/idp/oauth2/authorize\?.*code_challenge_method=S256"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_PAGE)
    expect(page.get_by_role("radio")).to_have_count(5)
    page.get_by_role("radio", name=re.compile("^Lê Thị Hoa")).check()
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    # then they are in their inbox, their name and agency in the header, the code gone from the address
    page.wait_for_url(re.compile(r"/can-bo/$"))
    expect(page.locator("#who")).to_contain_text("Lê Thị Hoa")
    expect(page.locator("#who")).to_contain_text("Ủy ban nhân dân huyện Châu Thành")
    expect(page.locator("#agency-name")).to_contain_text("Ủy ban nhân dân huyện Châu Thành")
    page.get_by_label("Mã thủ tục").fill(proc["code"])
    page.get_by_role("button", name="Lọc hồ sơ").click()
    expect(page.get_by_role("link", name=dossier["code"])).to_be_visible()
    assert "code=" not in page.url
    # and the console keeps the provider's ID token, Cognito's shape, for this tab only
    token = page.evaluate(f"sessionStorage.getItem('{TOKEN}')")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["custom:agency"] == CHAU_THANH and claims["token_use"] == "id"
    assert claims["cognito:groups"] == ["receiver", "handler", "leader"]
    assert page.evaluate(f"localStorage.getItem('{TOKEN}')") is None

    # when they sign out
    page.get_by_role("button", name="Đăng xuất").click()

    # then the provider's session ends too: back on the sign-in page, told so, the token forgotten ...
    page.wait_for_url(re.compile(r"/can-bo/dang-nhap\.html$"))
    expect(page.locator("#signin-problem")).to_contain_text("Bạn đã đăng xuất.")
    assert page.evaluate(f"sessionStorage.getItem('{TOKEN}')") is None
    # ... and signing in again asks who they are
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_PAGE)


def test_an_expired_session_sends_the_official_back_and_the_provider_still_knows_them(contexts):
    # given an official signed in at the provider, on the inbox
    page = contexts().new_page()
    page.goto("/can-bo/dang-nhap.html")
    provider_sign_in(page, "Nguyễn Thị Lan")

    # when their ID token runs out while the inbox is open
    page.evaluate(
        "(token) => sessionStorage.setItem('dvc.official.token', token)",
        cognito_token("000.00.01.H53", ["receiver", "handler"], "Nguyễn Thị Lan", ttl_seconds=3),
    )
    page.reload()
    expect(page.locator("#who")).to_contain_text("Nguyễn Thị Lan")

    # then the console sends them to sign in again, saying why, and comes back where they were
    page.wait_for_url("**/can-bo/dang-nhap.html?next=*ly-do=het-han", timeout=10_000)
    expect(page.locator("#signin-problem")).to_contain_text(
        "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
    )
    assert page.evaluate("sessionStorage.getItem('dvc.official.token')") is None
    # and the provider, which remembers them, lets them straight back in
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(re.compile(r"/can-bo/$"))
    expect(page.locator("#who")).to_contain_text("Nguyễn Thị Lan")


def test_a_sign_in_cancelled_or_forged_at_the_return_is_refused_with_its_reason(contexts):
    page = contexts().new_page()
    page.goto("/can-bo/dang-nhap.html")

    # when the official cancels at the provider
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_role("button", name="Hủy").click()
    # then they are told so, and stay signed out
    expect(page.locator("#signin-problem")).to_contain_text("Bạn đã hủy đăng nhập.")
    assert page.evaluate("sessionStorage.getItem('dvc.official.token')") is None

    # when a code arrives that this browser never asked for (a forged or replayed return)
    page.goto("/can-bo/dang-nhap.html?code=stolen&state=not-ours")
    # then it is not redeemed
    expect(page.locator("#signin-problem")).to_contain_text("không khớp")
    assert page.evaluate("sessionStorage.getItem('dvc.official.token')") is None

    # and in English too
    page.locator("[data-lang-switch]").click()
    expect(page.locator("#signin-problem")).to_contain_text("does not match one started in this browser")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
