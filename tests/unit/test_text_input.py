"""What people type: names and addresses refuse invisible characters; free text may break lines."""

import pytest
from pydantic import ValidationError

from services.core.text import hidden_characters
from services.submission.models.api import Applicant, SupplementRequest
from services.tracking.models.api import FeedbackRequest

APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "079123456789",
    "phone": "0912345678",
    "address": "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng",
}
FEEDBACK = {
    "title": "Thời gian giải quyết",
    "content": "Hồ sơ của tôi đã quá hạn nhưng chưa nhận được phiếu xin lỗi.",
    "contact": "lan.nguyen@example.vn",
}
# a bidi override (reads "nA" on screen), an isolate, zero-width, BOM, a control, a line break, U+2028
HIDDEN = ["\u202e", "\u2066", "\u200b", "\ufeff", "\x07", "\n", "\u2028"]


@pytest.mark.parametrize("char", HIDDEN, ids=[f"U+{ord(c):04X}" for c in HIDDEN])
@pytest.mark.parametrize("field", ["full_name", "address"])
def test_an_applicants_name_and_address_refuse_invisible_characters(field, char):
    value = APPLICANT[field].replace(" ", f" {char}", 1)
    with pytest.raises(ValidationError) as refused:
        Applicant(**{**APPLICANT, field: value})
    assert "ký tự" in refused.value.errors()[0]["msg"]  # a Vietnamese sentence


@pytest.mark.parametrize("field", ["title", "contact"])
def test_a_feedbacks_title_and_contact_refuse_a_bidi_override(field):
    with pytest.raises(ValidationError):
        FeedbackRequest(**{**FEEDBACK, field: FEEDBACK[field][:3] + "\u202e" + FEEDBACK[field][3:]})


def test_free_text_may_break_lines_but_not_hide_characters():
    assert FeedbackRequest(**{**FEEDBACK, "content": "Dòng một.\r\nDòng hai,\tcó tab."}).content
    assert SupplementRequest(note="Đã bổ sung:\n- giấy khai sinh").note
    with pytest.raises(ValidationError):
        FeedbackRequest(**{**FEEDBACK, "content": "Nội dung phản ánh \u202egnoD"})
    with pytest.raises(ValidationError):
        SupplementRequest(note="Đã bổ sung\x00")


def test_vietnamese_text_is_visible_text():
    assert hidden_characters("Nguyễn Thị Ánh Tuyết, Đường 30/4, Phường 6") == []
    assert hidden_characters("Nguye\u0302\u0303n") == []  # combining marks (decomposed input) are visible
