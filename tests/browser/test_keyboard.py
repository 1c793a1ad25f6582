"""With the keyboard only (Tab, Shift+Tab, Enter, Space, the arrow keys in the type-ahead and the radio
groups, Escape): a citizen finds a level-3 procedure, applies, uploads its document and submits; an
official signs in, finds the dossier in the inbox and accepts it. The mouse is never used, and at
every stop the focus can be seen (tests/browser/keyboard.py); each step is audited like every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from infra.tokens import mint
from tests.browser.audit import Audit
from tests.browser.keyboard import focus_is_visible, is_focused, press, tab, tab_to, without_marks
from tests.browser.officials import quiet_procedure, submitted_dossier
from tests.factories import pdf_bytes
from tests.forms import fill
from tests.http.journeys import procedure

pytestmark = pytest.mark.browser

APPLICANT = {
    "applicant.full_name": "Nguyễn Thị Lan",
    "applicant.id_number": "094190001234",
    "applicant.phone": "0912345678",
    "applicant.email": "lan.nguyen@example.vn",
    "applicant.address": "Số 12 Trần Hưng Đạo, Phường 6, TP Sóc Trăng",
}
# a day whose day and month are the same number: typed the same in dd/mm/yyyy and mm/dd/yyyy
DATE = "2026-01-01"


def answers_of(schema: dict[str, Any]) -> dict[str, Any]:
    """The form's answers by control name (form_data.section.leaf), as tests.forms.fill gives them."""
    out: dict[str, Any] = {}
    for key, value in fill(schema).items():
        node = schema["properties"][key]
        if node.get("type") == "object":
            for leaf, inner in value.items():
                date = node["properties"][leaf].get("format") == "date"
                out[f"form_data.{key}.{leaf}"] = DATE if date else inner
        else:
            out[f"form_data.{key}"] = DATE if node.get("format") == "date" else value
    return out


def answer(page: Page, control: dict[str, Any], value: Any) -> None:
    """Answer the focused control from the keyboard."""
    kind = control["type"]
    if kind == "radio":
        if not control["checked"]:
            page.keyboard.press("Space")  # the group's first choice, entered by Tab
        for _ in range(8):
            if focus_is_visible(page)["value"] == str(value):
                break
            press(page, "ArrowRight")  # moves to the next choice and chooses it
        assert focus_is_visible(page)["checked"]
    elif kind == "checkbox":
        if bool(value) != control["checked"]:
            page.keyboard.press("Space")
    elif kind.startswith("select"):
        for _ in range(60):
            if focus_is_visible(page)["value"] == str(value):
                break
            page.keyboard.press("ArrowDown")
    elif kind == "date":
        year, month, day = str(value).split("-")
        page.keyboard.type(f"{day}{month}{year}")
    else:
        page.keyboard.type(str(value), delay=2)


def fill_in_tab_order(page: Page, answers: dict[str, Any], until: Any) -> None:
    """From the focused control to `until`, answering each control Tab reaches."""
    stop = until.element_handle()
    control = focus_is_visible(page)
    answered = set()  # a date field is several stops (day, month, year, its calendar button): typed once
    while not is_focused(stop):
        if control["name"] in answers and control["name"] not in answered:
            answer(page, control, answers[control["name"]])
            answered.add(control["name"])
        control = tab(page)
    values = page.evaluate(
        "(names) => names.map((n) => { const el = document.getElementsByName(n)[0];"
        " return el.type === 'checkbox' ? el.checked : el.type === 'radio'"
        " ? document.querySelector(`[name='${n}']:checked`)?.value : el.value })",
        list(answers),
    )
    expected = [
        value if isinstance(value, bool) or value is None else str(value) for value in answers.values()
    ]
    assert dict(zip(answers, values, strict=True)) == dict(zip(answers, expected, strict=True))


def citizen_applies(page: Page, proc: dict[str, Any], tmp_path: Path, audit: Audit) -> str:
    page.goto("/")
    # the first Tab shows the skip link; Enter on it puts the reader at the main content
    assert tab(page)["text"] == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # the search, typed without diacritics; the arrow keys walk the suggestions, Escape closes them
    box = page.get_by_role("combobox", name="Tên thủ tục hoặc từ khóa")
    tab_to(page, box)
    page.keyboard.type(without_marks(proc["name"]).lower(), delay=10)
    wanted = page.get_by_role("option").filter(has=page.get_by_text(proc["name"], exact=True)).first
    expect(wanted).to_be_visible()
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    for _ in range(8):
        page.keyboard.press("ArrowDown")  # the first press opens the list again
        if wanted.get_attribute("aria-selected") == "true":
            break
    expect(box).to_have_attribute("aria-activedescendant", wanted.get_attribute("id") or "")
    expect(box).to_be_focused()
    # the highlighted suggestion is drawn with its own outline, the focus staying in the box
    assert wanted.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none"
    audit.check(page, "index.html (keyboard: suggestion highlighted)")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=proc["name"])).to_be_visible()

    # the procedure, then its online application
    tab_to(page, page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bước 1. Thông tin người nộp và tờ khai")).to_be_visible()

    # saving the empty form: the error summary takes the focus; its first link leads to the field
    save = page.get_by_role("button", name="Lưu và tiếp tục")
    tab_to(page, save)
    press(page, "Enter")
    summary = page.locator("#info-errors")
    expect(summary).to_be_focused()
    audit.check(page, "nop-ho-so.html (keyboard: error summary)")
    first_error = tab(page)
    assert first_error["tag"] == "a" and "Họ và tên" in first_error["text"], first_error
    press(page, "Enter")
    expect(page.get_by_role("textbox", name="Họ và tên", exact=True)).to_be_focused()

    # every control in the order Tab reaches it: the applicant, the generated form, the delivery
    fill_in_tab_order(page, {**APPLICANT, **answers_of(proc["form_schema"])}, until=save)
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Bước 2. Giấy tờ kèm theo")).to_be_focused()
    audit.check(page, "nop-ho-so.html (keyboard: documents step)")

    # the required document: Space on the file input opens the file chooser
    required = page.locator(".document").filter(has=page.locator(".badge", has_text="Bắt buộc"))
    assert required.count() == 1
    tab_to(page, required.locator("input[type=file]"))
    document = tmp_path / "don-de-nghi.pdf"
    document.write_bytes(pdf_bytes("Don de nghi"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(document))
    expect(required.locator(".file .state-text.ok")).to_have_text("Hợp lệ, đã được chấp nhận", timeout=30_000)
    expect(page.locator("#readiness")).to_have_text("Đã đủ giấy tờ bắt buộc. Bạn có thể nộp hồ sơ.")
    audit.check(page, "nop-ho-so.html (keyboard: document accepted)")

    # the discard dialog opens on "Cancel" and Escape closes it, the focus back where it was
    discard = page.get_by_role("button", name="Hủy hồ sơ nháp")
    tab_to(page, discard)
    press(page, "Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Hủy", exact=True)).to_be_focused()
    focus_is_visible(page)
    audit.check(page, "nop-ho-so.html (keyboard: discard dialog)")
    press(page, "Escape")
    expect(dialog).to_have_count(0)
    expect(discard).to_be_focused()

    # Shift+Tab goes back to "Submit"; Enter submits, and the focus moves to the outcome
    assert tab(page, backwards=True)["text"] == "Nộp hồ sơ"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nộp hồ sơ thành công")).to_be_visible()
    expect(page.locator("#done")).to_be_focused()
    focus_is_visible(page)
    audit.check(page, "nop-ho-so.html (keyboard: submitted)")
    return page.locator("#dossier-code").inner_text()


def official_accepts(page: Page, proc: dict[str, Any], code: str, audit: Audit) -> None:
    agency = proc["agency"]["code"]
    page.goto("/can-bo/")
    page.wait_for_url("**/can-bo/dang-nhap.html?next=*")
    expect(page.locator("#dev")).to_be_visible()
    audit.check(page, "can-bo/dang-nhap.html (keyboard)")

    # the local sign-in aid: the agency found by typing, the roles as ticked, a name, Enter
    tab_to(page, page.get_by_label("Tìm cơ quan"))
    page.keyboard.type(agency)
    assert tab(page)["id"] == "dev-agency"
    for _ in range(5):
        if focus_is_visible(page)["value"] == agency:
            break
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Cơ quan", exact=True)).to_have_value(agency)
    tab_to(page, page.get_by_label("Họ và tên cán bộ"))
    page.keyboard.press("Control+A")
    page.keyboard.type("Trần Thị Bàn Phím")
    tab_to(page, page.get_by_role("button", name="Đăng nhập thử"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/can-bo/")
    expect(page.locator("#who")).to_contain_text("Trần Thị Bàn Phím")

    # the inbox filtered by the procedure's code (Enter in the field submits the filters)
    tab_to(page, page.get_by_label("Mã thủ tục"))
    page.keyboard.type(proc["code"])
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name=code)
    expect(link).to_be_visible()
    audit.check(page, "can-bo/index.html (keyboard: filtered)")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=code)).to_be_visible()

    # "Accept" opens its dialog on the note; Escape closes it, the focus back on the button
    accept = page.locator("#dossier").get_by_role("button", name="Tiếp nhận", exact=True)
    tab_to(page, accept)
    press(page, "Enter")
    dialog = page.get_by_role("dialog")
    note = dialog.get_by_label("Ghi chú (không bắt buộc)")
    expect(note).to_be_focused()
    focus_is_visible(page)
    audit.check(page, "can-bo/ho-so.html (keyboard: accept dialog)")
    press(page, "Escape")
    expect(dialog).to_have_count(0)
    expect(accept).to_be_focused()

    # again, with a note; Tab to the dialog's own "Accept", Enter; the outcome takes the focus
    press(page, "Enter")
    expect(note).to_be_focused()
    page.keyboard.type("Hồ sơ đầy đủ, tiếp nhận.")
    assert tab(page)["text"] == "Tiếp nhận"
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(page.locator("#badges")).to_contain_text("Được tiếp nhận")
    expect(page.locator("#action-result .notice")).to_be_focused()
    focus_is_visible(page)
    audit.check(page, "can-bo/ho-so.html (keyboard: accepted)")


def test_a_citizen_submits_a_level3_dossier_and_an_official_accepts_it_with_the_keyboard_only(
    contexts, api, tmp_path, audit
):
    proc = quiet_procedure(api, level=3)
    code = citizen_applies(contexts().new_page(), proc, tmp_path, audit)
    official_accepts(contexts().new_page(), proc, code, audit)


def test_a_wide_table_scrolls_from_the_keyboard_and_the_procedures_tables_stack_on_a_phone(
    contexts, api, audit
):
    proc = procedure(api, "Đăng ký kết hôn")
    submitted_dossier(api, proc)
    page = contexts().new_page()
    page.goto("/can-bo/dang-nhap.html")
    token = mint(proc["agency"]["code"], ["receiver", "handler"], name="Lê Văn Kiểm")
    page.evaluate("(token) => sessionStorage.setItem('dvc.official.token', token)", token)
    page.goto("/can-bo/")
    expect(page.locator("#inbox-rows tr").first).to_be_visible()
    region = page.locator("#inbox-table")
    # at 1280 px the inbox fits: its box is no stop for Tab
    expect(region).not_to_have_attribute("tabindex", "0")
    # at 200 % zoom it is wider than the screen: a region, named by its caption, that Tab reaches ...
    page.set_viewport_size({"width": 640, "height": 900})
    named = page.get_by_role("region", name="Hồ sơ, khẩn cấp nhất trước")
    expect(named).to_have_attribute("tabindex", "0")
    tab_to(page, named)
    audit.check(page, "can-bo/index.html (keyboard: the table's region focused)")
    # ... and the arrow keys scroll
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('inbox-table').scrollLeft > 0")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(region).not_to_have_attribute("tabindex", "0")

    # the procedure's tables on a phone: one card per row, each value under its column's name
    page.goto(f"/thu-tuc.html?ma={proc['code']}")
    labels = page.locator("table.stacked .cell-label", has_text="Tên giấy tờ")
    expect(labels.first).to_be_hidden()
    page.set_viewport_size({"width": 360, "height": 740})
    expect(labels.first).to_be_visible()
    assert page.locator(".table-wrap[tabindex='0']").count() == 0  # nothing left to scroll sideways
    # while a screen reader still reads a table with its column headers
    expect(page.get_by_role("table", name="Thành phần hồ sơ").get_by_role("columnheader").first).to_have_text(
        "Tên giấy tờ"
    )
