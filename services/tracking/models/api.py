"""What officials, citizens and the public send to and get from `/api/tracking` (API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.core.clock import in_range
from services.core.text import FreeText, OneLine
from services.core.views import OfficialHistoryLine
from services.tracking.logic.workflow import Action


class InboxItem(BaseModel):
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    status: str
    status_label: str
    payment_status: str
    received_at: datetime | None
    due_at: datetime | None
    overdue: bool
    due_soon: bool
    waiting: bool = Field(description="chờ công dân bổ sung hoặc thanh toán")
    version: int


class Inbox(BaseModel):
    items: list[InboxItem]
    next_cursor: str | None


class ActionRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    action: Action
    expected_version: int = Field(ge=1)
    note: FreeText = Field(default="", max_length=4000)
    to_agency: str | None = Field(default=None, max_length=40)
    outcome: Literal["approved", "denied"] | None = None
    result: str | None = Field(default=None, max_length=64, description="file_id của văn bản kết quả")
    new_due_at: Annotated[datetime, AfterValidator(in_range)] | None = None
    amount_vnd: int | None = Field(
        default=None, ge=1, le=10_000_000_000, description="số tiền nghĩa vụ tài chính (request_payment)"
    )


class FileLink(BaseModel):
    file_id: str
    component_id: str | None = None
    name: str
    file_name: str
    content_type: str
    size: int
    status: str
    reason: str | None = None
    supplement: bool = False
    sha256: str | None = None
    url: str | None = Field(default=None, description="liên kết tải có thời hạn ngắn")


class DossierDetail(BaseModel):
    id: str
    code: str
    status: str
    status_label: str
    payment_status: str
    amount_due_vnd: int
    procedure_code: str
    procedure_name: str
    level: int
    agency: dict[str, str]
    receiving_agency: dict[str, str]
    applicant: dict[str, Any]
    form_data: dict[str, Any]
    delivery: dict[str, Any]
    received_at: datetime | None
    accepted_at: datetime | None = None
    due_at: datetime | None
    overdue: bool
    paused: bool
    supplement: dict[str, Any] | None = None
    outcome: str | None = None
    files: list[FileLink]
    results: list[FileLink]
    history: list[OfficialHistoryLine]
    apologies: list[dict[str, Any]] = Field(default_factory=list)
    allowed_actions: list[str]
    version: int


class ResultFileRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    file_name: str = Field(min_length=1, max_length=255)
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(ge=1, le=20 * 1024 * 1024)


class Upload(BaseModel):
    url: str
    fields: dict[str, str]


class ResultFileGrant(BaseModel):
    file_id: str
    upload: Upload
    expires_in: int


class StatsRow(BaseModel):
    agency: str
    agency_name: str | None = None
    procedure_code: str
    month: str
    received: int
    received_online: int
    processed: int
    on_time: int
    late: int
    in_progress: int
    overdue: int
    on_time_rate: float | None


class Stats(BaseModel):
    rows: list[StatsRow]


class PublicDossier(BaseModel):
    """Without a valid check (or the dossier's token) only `code`, `status` and `status_label`."""

    code: str
    status: str
    status_label: str
    procedure_name: str | None = Field(default=None, description="chỉ khi có mã kiểm tra hợp lệ")
    agency_name: str | None = Field(default=None, description="chỉ khi có mã kiểm tra hợp lệ")
    received_at: datetime | None = Field(default=None, description="chỉ khi có mã kiểm tra hợp lệ")
    due_at: datetime | None = Field(default=None, description="chỉ khi có mã kiểm tra hợp lệ")
    applicant_masked: str | None = Field(
        default=None, description="chữ cái đầu của họ tên (N. V. A.); chỉ khi có mã kiểm tra hợp lệ"
    )


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    title: OneLine = Field(min_length=5, max_length=200)
    content: FreeText = Field(min_length=10, max_length=5000)
    contact: OneLine = Field(min_length=5, max_length=200, description="số điện thoại hoặc email để trả lời")
    procedure_code: str | None = Field(default=None, max_length=40)
    dossier_code: str | None = Field(default=None, max_length=60)


class FeedbackCreated(BaseModel):
    id: str


class FeedbackAnswer(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    answer: FreeText = Field(min_length=5, max_length=5000)
    public: bool = True


class FeedbackItem(BaseModel):
    id: str
    title: str
    content: str
    procedure_code: str | None = None
    agency: str | None = None
    created_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by_agency: str | None = None


class AnswerVersion(BaseModel):
    answer: str
    public: bool
    agency: str | None = None
    by: str | None = Field(default=None, description="sub của cán bộ trả lời")
    at: datetime | None = None


class AnsweredFeedback(FeedbackItem):
    """What the answering official gets back: the current answer and every version of it."""

    public: bool | None = None
    answers: list[AnswerVersion] = Field(default_factory=list)


class FeedbackList(BaseModel):
    items: list[FeedbackItem]
    next_cursor: str | None


class RatingRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    score: int = Field(ge=1, le=5)
    comment: FreeText = Field(default="", max_length=2000)


class Rating(BaseModel):
    code: str
    score: int
    comment: str
    rated_at: datetime


class Agency(BaseModel):
    code: str
    name: str
    tier: str
    parent: str | None = None


class CalendarDays(BaseModel):
    days_off: list[str]
    working_days: list[str]
