"""The submission service's HTTP function: `/api/submission` of API.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response
from fastapi.responses import HTMLResponse

from services.core.citizen_auth import CitizenToken
from services.core.http import lambda_handler, service_app
from services.submission.models.api import (
    Accepted,
    CreateDossier,
    DossierView,
    DraftCreated,
    FileRequest,
    FileUpload,
    Submitted,
    SupplementRequest,
    UpdateDraft,
    WithdrawRequest,
)
from services.submission.wiring import submission

service = submission()
settings = service.settings
app = service_app(
    settings,
    prefix="/api/submission",
    title="Nộp hồ sơ trực tuyến",
    description="Hồ sơ nháp, tải giấy tờ lên kho lưu trữ, nộp hồ sơ, giấy tiếp nhận, bổ sung, rút hồ sơ.",
)

DOSSIER = Path(min_length=1, max_length=64, description="Mã định danh hồ sơ")
FILE = Path(min_length=1, max_length=64)


@app.post("/api/submission/dossiers", status_code=201, response_model=DraftCreated, summary="Tạo hồ sơ nháp")
def create_dossier(body: CreateDossier) -> DraftCreated:
    return service.create_draft(body)


@app.get("/api/submission/dossiers/{dossier_id}", response_model=DossierView, summary="Xem hồ sơ")
def get_dossier(dossier_id: Annotated[str, DOSSIER], token: CitizenToken) -> DossierView:
    return service.view(dossier_id, token)


@app.put("/api/submission/dossiers/{dossier_id}", response_model=DossierView, summary="Sửa hồ sơ nháp")
def update_dossier(
    dossier_id: Annotated[str, DOSSIER], body: UpdateDraft, token: CitizenToken
) -> DossierView:
    return service.update_draft(dossier_id, token, body)


@app.post(
    "/api/submission/dossiers/{dossier_id}/files",
    status_code=201,
    response_model=FileUpload,
    summary="Xin liên kết tải một giấy tờ lên",
)
def request_upload(dossier_id: Annotated[str, DOSSIER], body: FileRequest, token: CitizenToken) -> FileUpload:
    return service.request_upload(dossier_id, token, body)


@app.delete(
    "/api/submission/dossiers/{dossier_id}/files/{file_id}",
    status_code=204,
    response_class=Response,
    summary="Xóa một giấy tờ",
)
def delete_file(
    dossier_id: Annotated[str, DOSSIER], file_id: Annotated[str, FILE], token: CitizenToken
) -> Response:
    service.delete_file(dossier_id, token, file_id)
    return Response(status_code=204)


@app.post("/api/submission/dossiers/{dossier_id}/submit", response_model=Submitted, summary="Nộp hồ sơ")
def submit(dossier_id: Annotated[str, DOSSIER], token: CitizenToken) -> Submitted:
    return service.submit(dossier_id, token)


@app.get(
    "/api/submission/dossiers/{dossier_id}/receipt",
    response_class=HTMLResponse,
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    responses={200: {"content": {"text/html": {}}}},
)
def receipt(dossier_id: Annotated[str, DOSSIER], token: CitizenToken) -> HTMLResponse:
    html = service.receipt(dossier_id, token)
    portal = settings.portal_url.rstrip("/")
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": (
                f"default-src 'none'; style-src {portal}; img-src data:; base-uri 'none'; "
                f"form-action 'none'; frame-ancestors 'self' {portal}"
            )
        },
    )


@app.post(
    "/api/submission/dossiers/{dossier_id}/supplement",
    status_code=202,
    response_model=Accepted,
    summary="Gửi giấy tờ bổ sung",
)
def supplement(dossier_id: Annotated[str, DOSSIER], body: SupplementRequest, token: CitizenToken) -> Accepted:
    return service.supplement(dossier_id, token, body)


@app.post(
    "/api/submission/dossiers/{dossier_id}/withdraw",
    status_code=202,
    response_model=Accepted,
    summary="Rút hồ sơ",
)
def withdraw(dossier_id: Annotated[str, DOSSIER], body: WithdrawRequest, token: CitizenToken) -> Accepted:
    return service.withdraw(dossier_id, token, body)


handler = lambda_handler(app)
