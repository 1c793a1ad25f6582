"""Set-up the officials' stories share: dossiers made over the API, signing in (at the identity provider
simulator, as on AWS; or, faster, with the sign-in page's developer aids), the citizen's browser holding a
dossier's access token."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from infra.tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER, cognito_id_token_claims, sign
from tests.http.journeys import complete, draft, submit

TAKEN = {"Đăng ký kết hôn", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"}


def quiet_procedure(api: httpx.Client, level: int) -> dict[str, Any]:
    """A free procedure at this level whose agency no other story uses (so its inbox is this story's),
    with as few required documents as can be found (each one is an upload to wait for)."""
    taken_agencies = set()
    for name in TAKEN:
        items = api.get("/api/catalog/procedures", params={"q": name, "limit": 5}).json()["items"]
        taken_agencies |= {i["agency"]["code"] for i in items if i["name"] == name}
    items = api.get("/api/catalog/procedures", params={"level": level, "limit": 100}).json()["items"]
    best: dict[str, Any] | None = None
    for item in items:
        if item["fee_vnd"] or item["agency"]["code"] in taken_agencies:
            continue
        found = dict(api.get(f"/api/catalog/procedures/{item['code']}").json())
        required = sum(1 for c in found["components"] if c["required"])
        if not found.get("form_schema") or not required:
            continue
        if required == 1:
            return found
        if best is None or required < sum(1 for c in best["components"] if c["required"]):
            best = found
    assert best is not None, f"no free level-{level} procedure found"
    return best


def procedure_at(api: httpx.Client, agency: str) -> dict[str, Any]:
    """A free level-3 or level-4 procedure of this agency with a form and the fewest required documents."""
    best: dict[str, Any] | None = None
    for level in (3, 4):
        params = {"agency": agency, "level": level, "limit": 100}
        for item in api.get("/api/catalog/procedures", params=params).json()["items"]:
            if item["fee_vnd"]:
                continue
            found = dict(api.get(f"/api/catalog/procedures/{item['code']}").json())
            required = sum(1 for c in found["components"] if c["required"])
            if not found.get("form_schema") or not required:
                continue
            if best is None or required < sum(1 for c in best["components"] if c["required"]):
                best = found
    assert best is not None, f"no free level-3 or level-4 procedure at {agency}"
    return best


def submitted_dossier(api: httpx.Client, proc: dict[str, Any], method: str | None = None) -> dict[str, Any]:
    """A dossier submitted over the API with its required documents verified: {id, access_token, code}."""
    dossier = draft(api, proc, method)
    complete(api, dossier, proc)
    dossier["code"] = submit(api, dossier)["code"]
    return dossier


def dev_sign_in(page: Page, agency: str, roles: list[str], name: str = "Trần Thị Cán Bộ") -> None:
    page.goto("/can-bo/dang-nhap.html")
    page.get_by_label("Tìm cơ quan").fill(agency)
    page.get_by_label("Cơ quan", exact=True).select_option(agency)
    for role, label in (("receiver", "Tiếp nhận hồ sơ"), ("handler", "Xử lý hồ sơ"), ("leader", "Lãnh đạo")):
        box = page.get_by_role("checkbox", name=label)
        box.check() if role in roles else box.uncheck()
    page.get_by_label("Họ và tên cán bộ").fill(name)
    page.get_by_role("button", name="Đăng nhập thử").click()
    page.wait_for_url("**/can-bo/**")
    expect(page.locator("#who")).to_contain_text(name)


def cognito_token(agency: str, roles: list[str], name: str, ttl_seconds: int = 8 * 3600) -> str:
    """An ID token as the identity provider issues it (Cognito's claims), for any agency and roles."""
    username = f"test.{uuid.uuid4().hex[:8]}"
    claims = cognito_id_token_claims(
        sub=str(uuid.uuid4()),
        username=username,
        agency=agency,
        groups=roles,
        issuer=DEFAULT_ISSUER,
        audience=DEFAULT_AUDIENCE,
        name=name,
        email=f"{username}@example.gov.vn",
        ttl_seconds=ttl_seconds,
        now=time.time(),
    )
    return sign(claims)


def token_sign_in(page: Page, agency: str, roles: list[str], name: str = "Phạm Văn Lãnh Đạo") -> None:
    """The fast way in: paste an ID token shaped as the provider's (`custom:agency`, `cognito:groups`) in
    the sign-in page's developer aid. The whole redirect flow is tests/browser/test_sign_in.py's."""
    page.goto("/can-bo/dang-nhap.html")
    page.get_by_label("Mã đăng nhập").fill(cognito_token(agency, roles, name))
    page.get_by_role("button", name="Đăng nhập bằng mã").click()
    page.wait_for_url("**/can-bo/")
    expect(page.locator("#who")).to_contain_text(name)


PROVIDER_PAGE = "Đăng nhập hệ thống định danh cán bộ"


def provider_sign_in(page: Page, official: str) -> None:
    """From the console's sign-in page, through the identity provider's page, back to the console."""
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_PAGE)
    page.get_by_role("radio", name=re.compile(f"^{official}")).check()
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(re.compile(r"/can-bo/(index\.html|ho-so\.html|phan-anh\.html|thong-ke\.html)?(\?.*)?$"))
    expect(page.locator("#who")).to_contain_text(official)


def keep_dossier(page: Page, dossier: dict[str, Any], procedure_name: str = "") -> None:
    """The citizen's browser remembers the dossier, as it does after applying on it."""
    page.goto("/ho-so.html")
    page.evaluate(
        """(entry) => localStorage.setItem("dvc.dossiers", JSON.stringify([entry]))""",
        {
            "id": dossier["id"],
            "access_token": dossier["access_token"],
            "code": dossier.get("code"),
            "procedure_code": dossier.get("procedure_code", ""),
            "procedure_name": procedure_name,
        },
    )


def act_in_console(page: Page, button: str, confirm: str | None = None) -> None:
    """Press an action, then confirm it in its dialog (the confirm button repeats the action's name)."""
    page.locator("#dossier").get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=confirm or button, exact=True).click()
    expect(dialog).to_be_hidden()
