"""Citizens in a real browser: find a procedure, apply online with documents, pay, keep a draft."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.audit import Audit
from tests.browser.citizen import (
    choose_delivery,
    fill_applicant,
    fill_online_form,
    fits,
    search_and_open,
    upload_required,
)
from tests.factories import html_bytes, pdf_bytes
from tests.forms import fill
from tests.http.journeys import draft, procedure

MARRIAGE = "Đăng ký kết hôn"  # level 3, free, result collected in person
RECORD = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"  # level 4, 200,000 VND before processing

pytestmark = pytest.mark.browser


def level3_journey(
    page: Page, api: httpx.Client, tmp_path: Path, audit: Audit, width: int | None = None
) -> str:
    """Search, apply, upload, submit, receipt; at a phone's width, never wider than the screen; each
    step audited (tests/browser/audit.py)."""
    check = (lambda: fits(page, width)) if width else (lambda: None)
    proc = procedure(api, MARRIAGE)

    # given a citizen looking for the procedure, typing without diacritics (on a computer, choosing
    # the suggestion with the arrow keys; on a phone, by touch)
    search_and_open(page, "dang ky ket hon", MARRIAGE, keyboard=width is None)
    check()
    audit.check(page, "thu-tuc.html (opened from the search)")
    # when she opens the online application, fills the form and saves the draft
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    expect(page.get_by_role("heading", name="Bước 1. Thông tin người nộp và tờ khai")).to_be_visible()
    fill_applicant(page)
    fill_online_form(page, proc["form_schema"])
    choose_delivery(page, "Trực tiếp tại Bộ phận một cửa")
    check()
    audit.check(page, "nop-ho-so.html (form filled in)")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", name="Bước 2. Giấy tờ kèm theo")).to_be_focused()
    # and uploads a real PDF for each required document
    assert upload_required(page, tmp_path) >= 1
    expect(page.locator("#readiness")).to_have_text("Đã đủ giấy tờ bắt buộc. Bạn có thể nộp hồ sơ.")
    check()
    audit.check(page, "nop-ho-so.html (documents accepted)")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()

    # then she sees the dossier's code and the receipt with its QR code
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()
    code = page.locator("#dossier-code").inner_text()
    assert re.fullmatch(r"[0-9.]+\.H53-\d{6}-\d{4}", code), code
    receipt = page.frame_locator("iframe.receipt-frame")
    expect(receipt.locator("h1")).to_have_text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
    expect(receipt.locator(".code strong")).to_have_text(code)
    expect(receipt.locator("section.qr svg")).to_be_visible()
    expect(page.get_by_role("button", name="In giấy tiếp nhận")).to_be_enabled()
    check()
    audit.check(page, "nop-ho-so.html (submitted, receipt shown)")
    return code


def test_a_citizen_finds_marriage_registration_and_submits_it_with_documents(
    page: Page, api, tmp_path, contexts, audit
):
    code = level3_journey(page, api, tmp_path, audit)
    # and the receipt prints the check code beside the QR code, whose link carries it
    qr = page.frame_locator("iframe.receipt-frame").locator("section.qr")
    check = qr.locator(".check strong").inner_text()
    link = qr.locator("a").get_attribute("href") or ""
    assert re.fullmatch(r"[A-Z2-7]{8}", check) and f"check={check}" in link and f"ma={code}" in link
    # when someone else's browser, which does not keep the dossier, opens that link
    stranger = contexts().new_page()
    stranger.goto(link)
    # then it shows the dossier's record, the applicant by initials only
    result = stranger.locator("#lookup-result")
    expect(result).to_contain_text("Mới đăng ký")
    expect(result).to_contain_text("N. T. L.")
    expect(result).to_contain_text(MARRIAGE)
    expect(result).not_to_contain_text("Lan")
    audit.check(stranger, "tra-cuu.html (the receipt's QR link)")
    # while the code alone (a guess) tells only the status, and asks for the check
    stranger.goto(f"/tra-cuu.html?ma={code}")
    expect(stranger.locator("#lookup-more")).to_contain_text("Nhập mã kiểm tra")
    expect(result).to_contain_text("Mới đăng ký")
    expect(result).not_to_contain_text(MARRIAGE)
    # and the citizen's own browser, which keeps the dossier's token, shows her the record without it
    page.goto(f"/tra-cuu.html?ma={code}")
    expect(page.locator("#lookup-result")).to_contain_text("N. T. L.")


def test_the_level3_journey_fits_a_360px_phone(contexts, api, tmp_path, audit):
    page = contexts(width=360, height=740, is_mobile=True, has_touch=True).new_page()
    level3_journey(page, api, tmp_path, audit, width=360)


def test_a_citizen_submits_a_level4_dossier_and_pays_on_the_gateway(page: Page, api, tmp_path, audit):
    proc = procedure(api, RECORD)
    # given a citizen who has applied online for a criminal record certificate, delivered online
    search_and_open(page, RECORD, RECORD)
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    fill_applicant(page)
    fill_online_form(page, proc["form_schema"])
    choose_delivery(page, "Nhận trực tuyến trên Cổng")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    upload_required(page, tmp_path)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()
    expect(page.locator("#done")).to_contain_text("Hồ sơ cần thanh toán lệ phí 200.000 ₫")
    audit.check(page, "nop-ho-so.html (submitted, fee to pay)")

    # when she pays on the gateway's page
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.wait_for_url(re.compile(r"/sim/vnpay/paymentv2/vpcpay\.html"))
    page.get_by_role("button", name="Thanh toán thành công").click()

    # then she is back on her dossier, which shows the fee paid
    page.wait_for_url(re.compile(r"/ho-so\.html#id="))
    expect(page.locator("#payment-outcome")).to_contain_text(
        "Thanh toán thành công: 200.000 ₫", timeout=30_000
    )
    expect(page.locator("#dossier-facts")).to_contain_text("200.000 ₫, đã thanh toán", timeout=30_000)
    expect(page.get_by_role("button", name="Thanh toán trực tuyến")).to_have_count(0)
    audit.check(page, "ho-so.html (back from the gateway, paid)")


def test_a_draft_in_progress_survives_a_page_reload(page: Page, api, tmp_path, audit):
    proc = procedure(api, MARRIAGE)
    page.goto(f"/nop-ho-so.html?ma={proc['code']}")
    # given a citizen who has typed her name but not saved yet
    name = page.get_by_role("textbox", name="Họ và tên", exact=True)
    name.fill("Trần Văn Bình")
    page.wait_for_timeout(600)  # typing is kept after a short pause
    # when the page reloads, what she typed is still there
    page.reload()
    expect(name).to_have_value("Trần Văn Bình")

    # given she then saves the draft and uploads one document
    fill_applicant(page)
    fill_online_form(page, proc["form_schema"])
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    first = page.locator(".document").first
    document = tmp_path / "to-khai.pdf"
    document.write_bytes(pdf_bytes("To khai"))
    first.locator("input[type=file]").set_input_files(str(document))
    expect(first.locator(".file .state-text.ok")).to_be_visible(timeout=30_000)

    # when the page reloads (a dropped connection, a closed tab)
    page.reload()

    # then the draft is resumed from the server: her details, her answers and the accepted document
    expect(page.locator("#resume-note")).to_be_visible()
    expect(name).to_have_value("Nguyễn Thị Lan")
    answers = fill(proc["form_schema"])
    expect(page.locator('[name="form_data.ben_nu.ho_ten"]')).to_have_value(answers["ben_nu"]["ho_ten"])
    expect(page.locator(".document").first.locator(".file")).to_contain_text("to-khai.pdf")
    expect(page.locator(".document").first.locator(".file .state-text.ok")).to_be_visible()
    audit.check(page, "nop-ho-so.html (draft resumed)")
    # and she can correct her details and save them again
    page.get_by_role("textbox", name="Số điện thoại", exact=True).fill("0987654321")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("#save-status")).to_contain_text("Đã lưu nháp lúc")
    # and, the only required document being there, she can submit it
    expect(page.locator("#readiness")).to_have_text("Đã đủ giấy tờ bắt buộc. Bạn có thể nộp hồ sơ.")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()


def test_a_dropped_upload_is_retried_and_a_bad_file_is_rejected_with_its_reason(
    page: Page, api, stack, tmp_path, audit
):
    # given a draft kept in this browser, its documents step open
    proc = procedure(api, MARRIAGE)
    dossier = draft(api, proc)
    page.goto("/ho-so.html")
    page.evaluate(
        "(entry) => localStorage.setItem('dvc.dossiers', JSON.stringify([entry]))",
        {
            "id": dossier["id"],
            "access_token": dossier["access_token"],
            "procedure_code": proc["code"],
            "procedure_name": MARRIAGE,
        },
    )
    page.goto(f"/nop-ho-so.html?ma={proc['code']}")
    row = page.locator(".document").first
    expect(row).to_be_visible()
    # and a connection that drops the first upload to object storage
    dropped = []

    def flaky(route):
        if route.request.method == "POST" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(f"{stack.aws_endpoint}/**", flaky)
    document = tmp_path / "to-khai.pdf"
    document.write_bytes(pdf_bytes("To khai"))

    # when the upload fails, she is told so and retries it
    row.locator("input[type=file]").set_input_files(str(document))
    expect(row.locator(".file .state-text.error")).to_contain_text("Tải tệp to-khai.pdf lên không thành công")
    audit.check(page, "nop-ho-so.html (upload failed, retry offered)")
    row.get_by_role("button", name="Thử lại tải lên tệp to-khai.pdf").click()
    # then the same file is uploaded again and accepted
    expect(row.locator(".file .state-text.ok")).to_be_visible(timeout=30_000)
    assert len(dropped) == 1

    # when she uploads a file that only pretends to be a PDF
    fake = tmp_path / "gia-mao.pdf"
    fake.write_bytes(html_bytes())
    second = page.locator(".document").nth(1)
    second.locator("input[type=file]").set_input_files(str(fake))
    # then it is rejected, with the verifier's reason, and can be deleted
    rejected = second.locator(".file").filter(has_text="gia-mao.pdf")
    expect(rejected.locator(".state-text.error")).to_contain_text("Bị từ chối:", timeout=30_000)
    audit.check(page, "nop-ho-so.html (file rejected with its reason)")
    rejected.get_by_role("button", name="Xóa tệp gia-mao.pdf").click()
    expect(rejected).to_have_count(0)
