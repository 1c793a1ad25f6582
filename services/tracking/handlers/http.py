"""The tracking service's HTTP function: `/api/tracking` of API.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query

from services.core.auth import Official, Role
from services.core.citizen_auth import CitizenToken
from services.core.dossiers import Status
from services.core.http import lambda_handler, service_app
from services.core.officials import RequireRoles
from services.tracking.models.api import (
    ActionRequest,
    Agency,
    AnsweredFeedback,
    CalendarDays,
    DossierDetail,
    FeedbackAnswer,
    FeedbackCreated,
    FeedbackList,
    FeedbackRequest,
    Inbox,
    PublicDossier,
    Rating,
    RatingRequest,
    ResultFileGrant,
    ResultFileRequest,
    Stats,
)
from services.tracking.wiring import tracking

service = tracking()
app = service_app(
    service.settings,
    prefix="/api/tracking",
    title="Theo dõi, xử lý hồ sơ (một cửa điện tử)",
    description="Hộp hồ sơ của cơ quan, xử lý, liên thông, thống kê, tra cứu, phản ánh kiến nghị.",
)

CODE = Path(min_length=5, max_length=60, pattern=r"^[0-9A-Za-z.\-]+$", description="Mã hồ sơ")
# 2000-01 to 2100-12 (services.core.clock.FIRST_YEAR, LAST_YEAR): far years overflow date arithmetic
MONTH = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"
# the roles each route admits; the logic checks the finer rules (an action's role, the dossier's agency)
Staff = Annotated[Official, Depends(RequireRoles(Role.RECEIVER, Role.HANDLER, Role.LEADER))]
Leader = Annotated[Official, Depends(RequireRoles(Role.LEADER))]


@app.get("/api/tracking/dossiers", response_model=Inbox, summary="Hộp hồ sơ của cơ quan")
def inbox(
    official: Staff,
    status: Status | None = None,
    overdue: bool | None = None,
    procedure: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return service.queries.inbox(
        official, status.value if status else None, overdue, procedure, limit, cursor
    )


@app.get("/api/tracking/dossiers/{code}", response_model=DossierDetail, summary="Chi tiết hồ sơ")
def detail(code: Annotated[str, CODE], official: Staff) -> dict[str, Any]:
    return service.queries.detail(official, code)


@app.post(
    "/api/tracking/dossiers/{code}/actions",
    response_model=DossierDetail,
    summary="Xử lý hồ sơ",
    responses={
        409: {"description": "version_conflict"},
        422: {"description": "illegal_transition"},
        403: {"description": "forbidden"},
    },
)
def act(code: Annotated[str, CODE], body: ActionRequest, official: Staff) -> dict[str, Any]:
    return service.actions.act(official, code, body)


@app.post(
    "/api/tracking/dossiers/{code}/result-files",
    status_code=201,
    response_model=ResultFileGrant,
    summary="Tải văn bản kết quả lên",
)
def result_file(code: Annotated[str, CODE], body: ResultFileRequest, official: Staff) -> dict[str, Any]:
    return service.actions.result_upload(official, code, body.file_name, body.content_type, body.size)


@app.get("/api/tracking/stats", response_model=Stats, summary="Thống kê theo cơ quan, thủ tục, tháng")
def stats(
    official: Leader,
    start: Annotated[str, Query(alias="from", pattern=MONTH, description="YYYY-MM")],
    end: Annotated[str, Query(alias="to", pattern=MONTH, description="YYYY-MM")],
) -> dict[str, Any]:
    return service.reports.stats(official, start, end)


@app.get(
    "/api/tracking/public/{code}",
    response_model=PublicDossier,
    response_model_exclude_unset=True,
    summary="Tra cứu hồ sơ công khai",
    description=(
        "Không cần đăng nhập. Chỉ với mã hồ sơ: `{code, status, status_label}`. Với `check` (mã kiểm tra "
        "in trên giấy tiếp nhận, cạnh mã QR; liên kết trong mã QR mang sẵn) hoặc mã truy cập của hồ sơ "
        "(`Authorization: Bearer`): thêm thủ tục, cơ quan, ngày tiếp nhận, ngày hẹn trả và chữ cái đầu họ "
        "tên người nộp (`N. V. A.`). Mã kiểm tra sai được coi như không có. Mỗi địa chỉ IP tra cứu có giới "
        "hạn số lượt (429 kèm Retry-After; docs/deployment.md)."
    ),
    responses={429: {"description": "quá nhiều lượt tra cứu từ một địa chỉ (Retry-After)"}},
)
def public(
    code: Annotated[str, CODE],
    check: Annotated[
        str | None, Query(max_length=32, description="mã kiểm tra in trên giấy tiếp nhận")
    ] = None,
    # optional and never refused (the route is public): a dossier's own token only widens the answer
    authorization: Annotated[
        str | None, Header(max_length=4096, description="Bearer <access_token> của hồ sơ (không bắt buộc)")
    ] = None,
) -> PublicDossier:
    scheme, _, token = (authorization or "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else None
    return PublicDossier.model_validate(service.public.lookup(code, check, bearer))


@app.post(
    "/api/tracking/feedback",
    status_code=201,
    response_model=FeedbackCreated,
    summary="Gửi phản ánh, kiến nghị",
    description=(
        "Phản ánh nêu hồ sơ được chuyển đến cơ quan đang giải quyết hồ sơ; nêu thủ tục: cơ quan thực hiện "
        "thủ tục; không nêu gì: cơ quan quản lý chung của tỉnh (cơ quan đầu tiên trong `oversight` của cơ "
        "cấu hành chính), do lãnh đạo cơ quan đó trả lời."
    ),
)
def create_feedback(body: FeedbackRequest) -> dict[str, str]:
    return service.feedback.create(body)


@app.get("/api/tracking/feedback", response_model=FeedbackList, summary="Phản ánh, kiến nghị đã trả lời")
def public_feedback(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return service.feedback.public_list(limit, cursor)


@app.get("/api/tracking/feedback/open", response_model=FeedbackList, summary="Phản ánh chờ cơ quan trả lời")
def open_feedback(
    official: Staff,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    return service.feedback.open_list(official, limit, cursor)


@app.post(
    "/api/tracking/feedback/{feedback_id}/answer",
    response_model=AnsweredFeedback,
    summary="Trả lời phản ánh, kiến nghị",
    description=(
        "Chỉ cơ quan được chuyển phản ánh trả lời (phản ánh chung, không nêu hồ sơ hay thủ tục: lãnh đạo "
        "cơ quan quản lý chung của tỉnh, `oversight` trong cơ cấu hành chính). Mỗi phản ánh một câu trả "
        "lời: trả lời lại tạo phiên bản mới (các phiên bản cũ được giữ trong `answers`), chỉ cơ quan đã "
        "trả lời được cập nhật; `public: false` đưa phản ánh ra khỏi danh sách công khai."
    ),
    responses={409: {"description": "conflict: một cán bộ khác vừa trả lời"}},
)
def answer_feedback(
    feedback_id: Annotated[str, Path(min_length=1, max_length=64)], body: FeedbackAnswer, official: Staff
) -> dict[str, Any]:
    return service.feedback.answer(official, feedback_id, body)


@app.post(
    "/api/tracking/dossiers/{code}/rating",
    status_code=201,
    response_model=Rating,
    summary="Đánh giá mức độ hài lòng",
)
def rate(code: Annotated[str, CODE], body: RatingRequest, token: CitizenToken) -> dict[str, Any]:
    return service.public.rate(code, token, body)


@app.get("/api/tracking/agencies", response_model=list[Agency], summary="Danh sách cơ quan (liên thông)")
def agencies() -> list[dict[str, Any]]:
    return service.agencies.listing()


@app.get("/api/tracking/calendar", response_model=CalendarDays, summary="Ngày nghỉ, ngày làm bù của tỉnh")
def get_calendar(official: Staff) -> dict[str, list[str]]:
    return service.calendar.days()


@app.put("/api/tracking/calendar", response_model=CalendarDays, summary="Khai báo ngày nghỉ, ngày làm bù")
def put_calendar(body: CalendarDays, official: Leader) -> dict[str, list[str]]:
    return service.calendar.declare(official, body.days_off, body.working_days)


handler = lambda_handler(app)
