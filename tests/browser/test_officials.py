"""Officials in the console, and the citizen on the other side of each step."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from infra.tokens import mint
from tests.browser.audit import Audit
from tests.browser.officials import (
    act_in_console,
    dev_sign_in,
    keep_dossier,
    quiet_procedure,
    submitted_dossier,
    token_sign_in,
)
from tests.factories import pdf_bytes
from tests.http.journeys import act, procedure, wait_for

pytestmark = pytest.mark.browser


def test_an_official_processes_a_dossier_and_the_citizen_downloads_the_result(
    contexts, api, tmp_path, audit: Audit
):
    # given a level-4 dossier, result delivered online, waiting in its agency's inbox
    proc = quiet_procedure(api, level=4)
    dossier = submitted_dossier(api, proc, method="online")
    official = contexts().new_page()

    # when an official signs in on the dev page and finds it in the inbox
    dev_sign_in(official, proc["agency"]["code"], ["receiver", "handler"])
    official.get_by_label("Trạng thái").select_option("SUBMITTED")
    official.get_by_label("Mã thủ tục").fill(proc["code"])
    official.get_by_role("button", name="Lọc hồ sơ").click()
    expect(official.get_by_role("link", name=dossier["code"])).to_be_visible()
    audit.check(official, "can-bo/index.html (filtered)")
    official.get_by_role("link", name=dossier["code"]).click()
    expect(official.get_by_role("heading", level=1, name=dossier["code"])).to_be_visible()

    # and accepts, starts, completes and returns the result with its document
    act_in_console(official, "Tiếp nhận")
    expect(official.locator("#badges")).to_contain_text("Được tiếp nhận")
    act_in_console(official, "Bắt đầu xử lý")
    expect(official.locator("#badges")).to_contain_text("Đang xử lý")
    official.locator("#dossier").get_by_role("button", name="Hoàn thành xử lý").click()
    official.get_by_role("dialog").get_by_role("radio", name="Chấp thuận").check()
    audit.check(official, "can-bo/ho-so.html (complete dialog)")
    official.get_by_role("dialog").get_by_role("button", name="Hoàn thành xử lý").click()
    expect(official.locator("#badges")).to_contain_text("Đã xử lý xong")
    result = tmp_path / "giay-phep.pdf"
    result.write_bytes(pdf_bytes("Ket qua giai quyet"))
    official.locator("#dossier").get_by_role("button", name="Trả kết quả").click()
    official.get_by_role("dialog").get_by_label("Văn bản kết quả").set_input_files(str(result))
    audit.check(official, "can-bo/ho-so.html (return-result dialog, file chosen)")
    official.get_by_role("dialog").get_by_role("button", name="Trả kết quả").click()
    expect(official.locator("#action-result")).to_contain_text("Đã thực hiện «Trả kết quả»")
    expect(official.locator("#badges")).to_contain_text("Đã trả kết quả")
    audit.check(official, "can-bo/ho-so.html (result returned)")

    # then the citizen, on "my dossier", downloads the result document
    citizen = contexts().new_page()
    keep_dossier(citizen, dossier, proc["name"])
    citizen.goto(f"/ho-so.html#id={dossier['id']}")
    expect(citizen.locator("#dossier-facts")).to_contain_text("Đã trả kết quả")
    download_button = citizen.get_by_role("button", name="Tải văn bản kết quả")
    expect(download_button).to_be_visible(timeout=30_000)
    audit.check(citizen, "ho-so.html (result to download)")
    with citizen.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "giay-phep.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_a_supplement_request_and_the_citizens_answer(contexts, api, tmp_path, audit: Audit):
    # given a submitted marriage registration
    proc = procedure(api, "Đăng ký kết hôn")
    dossier = submitted_dossier(api, proc)
    note = "Vui lòng bổ sung giấy xác nhận tình trạng hôn nhân của bên nữ."

    # when the official accepts it and asks for a document, with a note, in the console
    official = contexts().new_page()
    token_sign_in(official, proc["agency"]["code"], ["receiver", "handler"])
    official.goto(f"/can-bo/ho-so.html?ma={dossier['code']}")
    act_in_console(official, "Tiếp nhận")
    official.locator("#dossier").get_by_role("button", name="Yêu cầu bổ sung").click()
    official.get_by_role("dialog").get_by_label("Giấy tờ cần bổ sung và hướng dẫn").fill(note)
    audit.check(official, "can-bo/ho-so.html (supplement dialog)")
    official.get_by_role("dialog").get_by_role("button", name="Yêu cầu bổ sung").click()
    expect(official.locator("#badges")).to_contain_text("Yêu cầu bổ sung giấy tờ")

    # then the citizen sees the official's note on "my dossier"
    citizen = contexts().new_page()
    keep_dossier(citizen, dossier, proc["name"])
    citizen.goto(f"/ho-so.html#id={dossier['id']}")
    expect(citizen.locator("#supplement-note")).to_have_text(note)
    # and uploads the document and sends the supplement
    row = citizen.locator(".document").filter(has_text="Giấy xác nhận tình trạng hôn nhân")
    document = tmp_path / "xac-nhan-tinh-trang-hon-nhan.pdf"
    document.write_bytes(pdf_bytes("Xac nhan tinh trang hon nhan"))
    row.locator("input[type=file]").set_input_files(str(document))
    expect(row.locator(".file .state-text.ok")).to_be_visible(timeout=30_000)
    audit.check(citizen, "ho-so.html (supplement document accepted)")
    citizen.get_by_role("button", name="Gửi bổ sung").click()
    # and sees processing resume
    expect(citizen.locator("#dossier-facts")).to_contain_text("Đang xử lý", timeout=30_000)
    expect(citizen.locator("#supplement-note")).to_have_count(0)
    audit.check(citizen, "ho-so.html (supplement sent, processing again)")
    expect(
        citizen.get_by_role("list").filter(has_text="xac-nhan-tinh-trang-hon-nhan.pdf").first
    ).to_be_visible()


def test_the_leaders_dashboard_charts_a_month_with_data(contexts, api, audit: Audit):
    # given an agency that received a dossier this month
    proc = procedure(api, "Đăng ký kết hôn")
    agency = proc["agency"]["code"]
    submitted_dossier(api, proc)
    month = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m")
    leader = {"Authorization": f"Bearer {mint(agency, ['leader'])}"}

    def counted():
        answer = api.get("/api/tracking/stats", params={"from": month, "to": month}, headers=leader)
        rows = answer.json()["rows"]
        return [r for r in rows if r["agency"] == agency and r["received"] >= 1]

    wait_for(counted, what="the statistics")

    # when its leader opens the dashboard
    page = contexts().new_page()
    token_sign_in(page, agency, ["leader"])
    page.goto(f"/can-bo/thong-ke.html?from={month}&to={month}")

    # then both charts are drawn and the figures are in accessible tables
    chart = page.locator("#chart-month svg")
    expect(chart).to_have_attribute("role", "img", timeout=20_000)
    assert chart.locator("rect.bar-received").count() == 1
    expect(page.locator("#chart-agency svg rect.bar-on-time").first).to_be_attached()
    month_table = page.get_by_role("table", name="Số liệu theo tháng")
    label = f"{month[5:]}/{month[:4]}"
    row = month_table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label))
    received = int(row.get_by_role("cell").first.inner_text().replace(".", ""))
    assert received >= 1
    expect(page.get_by_role("table", name="Số liệu theo cơ quan")).to_contain_text(proc["agency"]["name"])
    expect(page.locator(".kpi").first).to_contain_text(re.compile(r"\d"))
    audit.check(page, "can-bo/thong-ke.html (a month with data)")


def test_an_official_is_told_when_a_colleague_changed_the_dossier_first(contexts, api, audit: Audit):
    # given an official looking at a new dossier
    proc = procedure(api, "Đăng ký kết hôn")
    dossier = submitted_dossier(api, proc)
    page = contexts().new_page()
    token_sign_in(page, proc["agency"]["code"], ["receiver", "handler"])
    page.goto(f"/can-bo/ho-so.html?ma={dossier['code']}")
    expect(page.locator("#badges")).to_contain_text("Mới đăng ký")
    # when a colleague accepts it first, and she then asks for a document
    act(api, proc["agency"]["code"], dossier["code"], "accept")
    page.locator("#dossier").get_by_role("button", name="Yêu cầu bổ sung").click()
    page.get_by_role("dialog").get_by_label("Giấy tờ cần bổ sung và hướng dẫn").fill(
        "Bổ sung bản sao căn cước."
    )
    page.get_by_role("dialog").get_by_role("button", name="Yêu cầu bổ sung").click()
    # then she is told someone else changed it, and sees the dossier as it now is
    expect(page.locator("#action-result")).to_contain_text("Hồ sơ vừa được người khác thay đổi")
    expect(page.locator("#badges")).to_contain_text("Được tiếp nhận")
    expect(page.locator("#action-result .notice")).to_be_focused()
    audit.check(page, "can-bo/ho-so.html (changed by a colleague first)")


def test_feedback_is_sent_answered_in_the_console_and_published(contexts, api, audit: Audit):
    proc = procedure(api, "Đăng ký kết hôn")
    title = f"Giờ làm việc thứ Bảy {datetime.now():%H%M%S}"
    # given a citizen who sends feedback about a procedure
    citizen = contexts().new_page()
    citizen.goto(f"/phan-anh.html?thu-tuc={proc['code']}")
    citizen.get_by_label("Tiêu đề").fill(title)
    citizen.get_by_label("Nội dung phản ánh, kiến nghị").fill(
        "Đề nghị bộ phận một cửa làm việc sáng thứ Bảy."
    )
    citizen.get_by_label("Số điện thoại hoặc email liên hệ").fill("0912345678")
    citizen.get_by_role("button", name="Gửi phản ánh").click()
    expect(citizen.locator("#feedback-status")).to_contain_text("Đã gửi phản ánh, kiến nghị")
    audit.check(citizen, "phan-anh.html (sent)")
    # when the agency's official answers it publicly in the console
    official = contexts().new_page()
    token_sign_in(official, proc["agency"]["code"], ["receiver"])
    official.goto("/can-bo/phan-anh.html")
    item = official.locator("article").filter(has_text=title)
    item.get_by_label("Nội dung trả lời").fill("Từ tháng sau, bộ phận một cửa làm việc sáng thứ Bảy.")
    item.get_by_role("button", name="Gửi trả lời").click()
    expect(item).to_contain_text("Đã trả lời")
    audit.check(official, "can-bo/phan-anh.html (answered)")
    # then the answer is published on the portal
    citizen.reload()
    answered = citizen.locator("#answered article").filter(has_text=title)
    expect(answered).to_contain_text("Từ tháng sau, bộ phận một cửa làm việc sáng thứ Bảy.")
    audit.check(citizen, "phan-anh.html (the answer published)")
