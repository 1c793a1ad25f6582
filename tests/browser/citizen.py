"""What a citizen does in the browser, shared by the stories: search, fill the form, upload, submit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.factories import pdf_bytes
from tests.forms import fill

APPLICANT = {
    "Họ và tên": "Nguyễn Thị Lan",
    "Số định danh cá nhân (CCCD)": "094190001234",
    "Số điện thoại": "0912345678",
    "Email (không bắt buộc)": "lan.nguyen@example.vn",
    "Địa chỉ liên hệ": "Số 12 Trần Hưng Đạo, Phường 6, TP Sóc Trăng",
}


def fits(page: Page, width: int) -> None:
    """No horizontal scrolling at this width."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at {width} px ({page.url})"


def search_and_open(page: Page, typed: str, name: str, keyboard: bool = False) -> None:
    """Type into the search box and open the suggestion, with the mouse or with the arrow keys."""
    page.goto("/")
    box = page.get_by_role("combobox", name="Tên thủ tục hoặc từ khóa")
    box.press_sequentially(typed, delay=15)
    suggestion = page.get_by_role("option").filter(has=page.get_by_text(name, exact=True)).first
    expect(suggestion).to_be_visible()
    if keyboard:
        for _ in range(page.get_by_role("option").count()):
            box.press("ArrowDown")
            if suggestion.get_attribute("aria-selected") == "true":
                break
        expect(box).to_have_attribute("aria-activedescendant", suggestion.get_attribute("id") or "")
        box.press("Enter")
    else:
        suggestion.click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def fill_applicant(page: Page) -> None:
    for label, value in APPLICANT.items():
        page.get_by_role("textbox", name=label, exact=True).fill(value)


def fill_online_form(page: Page, schema: dict[str, Any]) -> None:
    """Answer every field of the generated form the way tests.forms.fill would."""
    answers = fill(schema)
    for key, node in schema.get("properties", {}).items():
        if node.get("type") == "object":
            for leaf, child in node.get("properties", {}).items():
                answer(page, f"form_data.{key}.{leaf}", child, answers[key][leaf])
        else:
            answer(page, f"form_data.{key}", node, answers[key])


def answer(page: Page, name: str, node: dict[str, Any], value: Any) -> None:
    control = page.locator(f'[name="{name}"]')
    if node.get("type") == "boolean":
        if value:
            control.check()
    elif "enum" in node:
        if control.first.get_attribute("type") == "radio":
            page.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            control.select_option(str(value))
    else:
        control.fill(str(value))


def choose_delivery(page: Page, label: str) -> None:
    page.get_by_role("radio", name=label).check()


def upload_required(page: Page, tmp_path: Path) -> int:
    """A real PDF for every required document; each must end accepted."""
    expect(page.locator(".document").first).to_be_visible()
    rows = page.locator(".document").filter(has=page.locator(".badge", has_text="Bắt buộc"))
    count = rows.count()
    assert count >= 1
    for n in range(count):
        row = rows.nth(n)
        document = tmp_path / f"giay-to-{n + 1}.pdf"
        document.write_bytes(pdf_bytes(f"Giay to so {n + 1}"))
        row.locator("input[type=file]").set_input_files(str(document))
    for n in range(count):
        expect(rows.nth(n).locator(".file .state-text.ok")).to_have_text(
            "Hợp lệ, đã được chấp nhận", timeout=30_000
        )
    return count
