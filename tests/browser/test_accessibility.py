"""The portal and the console in the states people meet them in (errors shown, dialogs open,
documents uploaded, a supplement asked for, a result returned), and the identity provider's pages:
the audit of tests/browser/audit.py (axe-core, no violation of impact "serious" or "critical";
nothing wider than the screen) at 1280 px and again at 360 px. Every page as it first opens, in both
languages, is test_every_page.py's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from infra.tokens import mint
from tests.browser.audit import Audit
from tests.browser.citizen import fill_applicant, fill_online_form
from tests.browser.officials import PROVIDER_PAGE, keep_dossier, submitted_dossier
from tests.factories import pdf_bytes
from tests.http.journeys import act, official, procedure

pytestmark = pytest.mark.browser

MARRIAGE = "Đăng ký kết hôn"


def returned_dossier(api: httpx.Client, proc: dict[str, Any]) -> dict[str, Any]:
    """A dossier processed to the end over the API (result collected in person)."""
    dossier = submitted_dossier(api, proc)
    agency = proc["agency"]["code"]
    for action, extra in (("accept", {}), ("start", {}), ("complete", {"outcome": "approved"})):
        act(api, agency, dossier["code"], action, **extra)
    content = pdf_bytes("Ket qua")
    grant = api.post(
        f"/api/tracking/dossiers/{dossier['code']}/result-files",
        headers=official(agency),
        json={"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": len(content)},
    ).json()
    httpx.post(
        grant["upload"]["url"],
        data=grant["upload"]["fields"],
        files={"file": ("ket-qua.pdf", content, "application/pdf")},
    )
    act(api, agency, dossier["code"], "return_result", result=grant["file_id"])
    return dossier


def test_every_citizen_page_has_no_serious_accessibility_violation(contexts, api, tmp_path):
    audit = Audit()
    page = contexts().new_page()
    proc = procedure(api, MARRIAGE)
    # the dossiers "my dossier" is checked with are made over the API while the browser works
    with ThreadPoolExecutor(max_workers=2) as pool:
        waiting_later = pool.submit(supplement_requested, api, proc)
        done_later = pool.submit(returned_dossier, api, proc)
        check_citizen_pages(page, audit, api, proc, tmp_path, waiting_later.result, done_later.result)
    audit.assert_clean()


def supplement_requested(api: httpx.Client, proc: dict[str, Any]) -> dict[str, Any]:
    dossier = submitted_dossier(api, proc)
    act(api, proc["agency"]["code"], dossier["code"], "request_supplement", note="Bổ sung giấy xác nhận.")
    return dossier


def check_citizen_pages(page: Page, audit: Audit, api, proc, tmp_path, waiting_dossier, done_dossier) -> None:
    # the search, with its suggestions open and results listed
    page.goto("/")
    page.get_by_role("combobox", name="Tên thủ tục hoặc từ khóa").press_sequentially("ket hon", delay=10)
    expect(page.get_by_role("option").first).to_be_visible()
    audit.check(page, "index.html (suggestions open)")

    page.goto(f"/thu-tuc.html?ma={proc['code']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(MARRIAGE)
    audit.check(page, "thu-tuc.html")

    # the application form, first with every error shown, then with the documents step
    page.goto(f"/nop-ho-so.html?ma={proc['code']}")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator("#info-errors")).to_be_focused()
    audit.check(page, "nop-ho-so.html (errors shown)")
    fill_applicant(page)
    fill_online_form(page, proc["form_schema"])
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    document = tmp_path / "to-khai.pdf"
    document.write_bytes(pdf_bytes())
    page.locator(".document").first.locator("input[type=file]").set_input_files(str(document))
    expect(page.locator(".document .state-text.ok").first).to_be_visible(timeout=30_000)
    audit.check(page, "nop-ho-so.html (documents)")
    discard = page.get_by_role("button", name="Hủy hồ sơ nháp")
    discard.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("dialog").get_by_role("button", name="Hủy", exact=True)).to_be_focused()
    audit.check(page, "nop-ho-so.html (discard dialog)")
    page.keyboard.press("Escape")  # the dialog closes and focus goes back where it was
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(discard).to_be_focused()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()  # the choice is kept
    expect(page.get_by_role("heading", name="Step 2. Documents")).to_be_visible()
    audit.check(page, "nop-ho-so.html (in English)")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    # "my dossier": the list and access form, a dossier asked for documents, one with its result
    page.goto("/ho-so.html")
    audit.check(page, "ho-so.html (no dossier open)")
    waiting = waiting_dossier()
    keep_dossier(page, waiting, MARRIAGE)
    page.goto(f"/ho-so.html#id={waiting['id']}")
    expect(page.locator("#supplement-note")).to_be_visible()
    page.get_by_role("button", name="Xem giấy tiếp nhận").click()
    expect(page.frame_locator("iframe.receipt-frame").locator("h1")).to_be_visible()
    audit.check(page, "ho-so.html (supplement requested, receipt shown)")
    page.get_by_role("button", name="Rút hồ sơ").click()
    page.get_by_role("dialog").get_by_role("button", name="Rút hồ sơ").click()
    expect(page.get_by_role("dialog").locator(".error-text")).to_be_visible()
    audit.check(page, "ho-so.html (withdraw dialog with an error)")
    page.keyboard.press("Escape")
    done = done_dossier()
    keep_dossier(page, done, MARRIAGE)
    page.goto(f"/ho-so.html#id={done['id']}")
    expect(page.get_by_role("heading", name="Đánh giá mức độ hài lòng")).to_be_visible()
    audit.check(page, "ho-so.html (result returned, rating)")

    page.goto(f"/tra-cuu.html?ma={done['code']}")
    expect(page.locator("#lookup-result")).to_contain_text("Đã trả kết quả")
    audit.check(page, "tra-cuu.html (found)")

    feedback = api.post(
        "/api/tracking/feedback",
        json={
            "title": "Thời gian xử lý",
            "content": "Đề nghị rút ngắn thời gian trả kết quả.",
            "contact": "0912345678",
            "procedure_code": proc["code"],
        },
    ).json()
    api.post(
        f"/api/tracking/feedback/{feedback['id']}/answer",
        headers=official(proc["agency"]["code"]),
        json={"answer": "Cơ quan ghi nhận và sẽ cải tiến quy trình.", "public": True},
    ).raise_for_status()
    page.goto("/phan-anh.html")
    page.get_by_role("button", name="Gửi phản ánh").click()
    audit.check(page, "phan-anh.html (errors shown, answers listed)")

    page.goto("/thanh-toan.html#ket-qua=khong-hop-le")
    audit.check(page, "thanh-toan.html (invalid result)")
    page.goto("/khong-co-trang-nay.html")
    audit.check(page, "404.html")


def test_every_console_page_has_no_serious_accessibility_violation(contexts, api):
    audit = Audit()
    page = contexts().new_page()
    proc = procedure(api, MARRIAGE)
    agency = proc["agency"]["code"]
    dossier = submitted_dossier(api, proc)
    api.post(
        "/api/tracking/feedback",
        json={
            "title": "Hướng dẫn chưa rõ",
            "content": "Đề nghị hướng dẫn rõ hơn về giấy tờ cần nộp.",
            "contact": "lan@example.vn",
            "procedure_code": proc["code"],
        },
    ).raise_for_status()

    page.goto("/can-bo/dang-nhap.html")
    expect(page.locator("#dev")).to_be_visible()
    audit.check(page, "can-bo/dang-nhap.html")
    # the identity provider's page (the simulator's locally), and its error when no account is chosen
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER_PAGE)
    audit.check(page, "sim/idp/oauth2/authorize")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng chọn một tài khoản.")
    audit.check(page, "sim/idp/login (no account chosen)")
    page.get_by_role("button", name="Hủy").click()
    expect(page.locator("#signin-problem")).to_contain_text("Bạn đã hủy đăng nhập.")
    audit.check(page, "can-bo/dang-nhap.html (sign-in cancelled)")
    token = mint(agency, ["receiver", "handler", "leader"], name="Lê Văn Kiểm")
    page.evaluate("(token) => sessionStorage.setItem('dvc.official.token', token)", token)

    page.goto("/can-bo/")
    expect(page.locator("#inbox-rows tr").first).to_be_visible()
    audit.check(page, "can-bo/index.html")

    page.goto(f"/can-bo/ho-so.html?ma={dossier['code']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier["code"])
    audit.check(page, "can-bo/ho-so.html")
    page.locator("#dossier").get_by_role("button", name="Không tiếp nhận").click()
    page.get_by_role("dialog").get_by_role("button", name="Không tiếp nhận").click()
    expect(page.get_by_role("dialog").locator(".error-text")).to_be_visible()
    audit.check(page, "can-bo/ho-so.html (refuse dialog with an error)")
    page.keyboard.press("Escape")

    page.goto("/can-bo/phan-anh.html")
    expect(page.locator("#open-feedback article").first).to_be_visible()
    audit.check(page, "can-bo/phan-anh.html")

    month = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
    page.goto(f"/can-bo/thong-ke.html?from={month}&to={month}")
    expect(page.locator("#chart-month svg")).to_be_visible(timeout=15_000)
    audit.check(page, "can-bo/thong-ke.html")
    audit.assert_clean()
