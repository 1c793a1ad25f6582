"""What citizens send and get back (API.md, `/api/submission`)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.core.procedures import DeliveryMethod
from services.core.text import FreeText, OneLine
from services.core.views import HistoryLine

_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$|^02\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
_NAME = re.compile(r"^[^\d<>{}\[\]\\/@#$%^*=+|~`\"]+$")


def normalise_phone(raw: str) -> str:
    """'+84 912-345-678' -> '0912345678'."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


class Applicant(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    full_name: OneLine = Field(min_length=2, max_length=100, description="Họ và tên")
    id_number: str = Field(description="Số định danh cá nhân (căn cước công dân, 12 chữ số)")
    phone: str = Field(description="Số điện thoại di động hoặc cố định Việt Nam")
    email: str | None = Field(default=None, max_length=254)
    address: OneLine = Field(min_length=5, max_length=300, description="Địa chỉ liên hệ")
    organization: OneLine | None = Field(
        default=None, max_length=200, description="Tên tổ chức, doanh nghiệp"
    )
    tax_code: str | None = Field(default=None, description="Mã số thuế (10 hoặc 13 chữ số)")

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("Họ và tên chỉ gồm chữ cái và khoảng trắng.")
        return re.sub(r"\s+", " ", value)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not re.fullmatch(r"\d{12}", value):
            raise ValueError("Số định danh cá nhân phải gồm đúng 12 chữ số.")
        # the first three digits are the province of birth registration (001 to 096)
        if not 1 <= int(value[:3]) <= 96:
            raise ValueError("Ba chữ số đầu của số định danh không phải mã tỉnh hợp lệ.")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        phone = normalise_phone(value)
        if not _PHONE.match(phone):
            raise ValueError("Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc +84912345678).")
        return phone

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not _EMAIL.match(value):
            raise ValueError("Địa chỉ email không hợp lệ.")
        return value.lower()

    @field_validator("tax_code")
    @classmethod
    def _tax_code(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        cleaned = value.replace("-", "")
        if not re.fullmatch(r"\d{10}|\d{13}", cleaned):
            raise ValueError("Mã số thuế gồm 10 hoặc 13 chữ số.")
        return cleaned


class Delivery(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    method: DeliveryMethod
    address: OneLine | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _postal_needs_address(self) -> Delivery:
        if self.method == DeliveryMethod.POSTAL and not (self.address and len(self.address) >= 5):
            raise ValueError("Nhận kết quả qua bưu chính cần địa chỉ nhận.")
        return self


class CreateDossier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(min_length=3, max_length=40, pattern=r"^[0-9A-Za-z.]+$")
    applicant: Applicant
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery: Delivery


class UpdateDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applicant: Applicant
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery: Delivery


class Document(BaseModel):
    component_id: str
    name: str
    required: bool


class DraftCreated(BaseModel):
    id: str
    access_token: str = Field(description="Mã truy cập hồ sơ: chỉ trả về một lần; giữ kín")
    status: Literal["DRAFT"]
    documents: list[Document]
    expires_at: datetime


ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")


class FileRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    component_id: str = Field(min_length=1, max_length=40)
    file_name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=1, description="kích thước tệp, byte")


class Upload(BaseModel):
    url: str
    fields: dict[str, str]


class FileUpload(BaseModel):
    file_id: str
    upload: Upload
    expires_in: int


class FileView(BaseModel):
    file_id: str
    component_id: str
    file_name: str
    content_type: str
    size: int
    status: str
    reason: str | None = None
    uploaded_at: datetime
    supplement: bool = False


class PaymentInfo(BaseModel):
    required: bool
    amount_vnd: int


class SupplementInfo(BaseModel):
    requested_at: datetime | None = None
    note: str | None = None
    submitted_at: datetime | None = None
    citizen_note: str | None = None


class DossierView(BaseModel):
    id: str
    code: str | None
    status: str
    status_label: str
    payment_status: str
    payment: PaymentInfo
    procedure_code: str
    procedure_name: str
    agency: dict[str, str]
    level: int
    received_at: datetime | None = None
    due_at: datetime | None = None
    expected_return_at: datetime | None = None
    expires_at: datetime | None = None
    applicant: dict[str, Any]
    form_data: dict[str, Any]
    delivery: dict[str, Any]
    documents: list[Document]
    files: list[FileView]
    history: list[HistoryLine]
    supplement: SupplementInfo | None = None
    withdrawal_requested_at: datetime | None = None
    outcome: str | None = None
    result_available: bool = False
    rated: bool = False
    version: int


class Submitted(BaseModel):
    code: str
    status: str
    received_at: datetime
    expected_return_at: datetime
    payment: PaymentInfo
    receipt_url: str


class SupplementRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    note: FreeText = Field(default="", max_length=2000)


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: FreeText = Field(min_length=3, max_length=2000)


class Accepted(BaseModel):
    """A request recorded; the dossier's owner applies it within seconds."""

    id: str
    status: str
    detail: str
