"""Drafts: creating one, editing what the citizen declared, and the token that opens a dossier.

A draft is two items: META (status, procedure, fee, token hash, `applicant_name` and
`delivery_method` for the officials' inbox) and CONTENT (applicant, form, delivery, documents asked
for), both expiring together until the dossier is submitted.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import new_access_token
from services.core.clock import iso
from services.core.dossier import (
    CONTENT_FIELDS,
    Content,
    DossierChange,
    DossierRecord,
    HistoryEntry,
    PartWrite,
    StaleDossier,
)
from services.core.dossiers import PaymentStatus, Status
from services.core.errors import Conflict, NotOnline, ValidationFailed
from services.core.procedures import Procedure
from services.core.repository import DossierRepository
from services.submission.logic.access import authorized
from services.submission.logic.forms import check_form
from services.submission.logic.ports import Clock, Procedures
from services.submission.logic.view import citizen_view
from services.submission.models.api import CreateDossier, DossierView, DraftCreated, UpdateDraft

DELIVERY_NAMES = {"online": "trực tuyến", "postal": "qua bưu chính", "in_person": "trực tiếp tại cơ quan"}


def epoch(moment: datetime) -> int:
    """A time as the table's TTL keeps it."""
    return int(moment.timestamp())


def leaving_draft(
    at: str, action: str, to_status: Status, note: str | None = None, agency: str | None = None
) -> HistoryEntry:
    """The history line of the citizen's own step out of a draft (submitting it, withdrawing it)."""
    return HistoryEntry(
        at=at,
        action=action,
        from_status=Status.DRAFT.value,
        to_status=to_status.value,
        by="citizen",
        actor="citizen",
        note=note,
        agency=agency,
    )


def check_delivery(method: str, allowed: list[str]) -> None:
    if method not in allowed:
        choices = ", ".join(DELIVERY_NAMES.get(m, m) for m in allowed)
        raise ValidationFailed(
            "Hình thức nhận kết quả không được thủ tục này hỗ trợ.",
            errors=[{"field": "delivery.method", "message": f"Thủ tục này chỉ trả kết quả {choices}."}],
        )


def declared(body: CreateDossier | UpdateDraft) -> dict[str, Any]:
    """What the citizen declares, as CONTENT keeps it."""
    return {
        "applicant": body.applicant.model_dump(exclude_none=True),
        "form_data": body.form_data,
        "delivery": body.delivery.model_dump(mode="json", exclude_none=True),
    }


def online_procedure(procedures: Procedures, code: str) -> Procedure:
    procedure = procedures.procedure(code)
    if procedure is None:
        raise ValidationFailed(
            "Không tìm thấy thủ tục đã chọn.",
            errors=[{"field": "procedure_code", "message": "Mã thủ tục không có trong danh mục."}],
        )
    if not procedure.online:
        where = procedure.address or procedure.agency.name
        raise NotOnline(
            f"Thủ tục «{procedure.name}» chưa hỗ trợ nộp hồ sơ trực tuyến. Vui lòng nộp trực tiếp "
            f"tại {where}."
        )
    return procedure


def draft_meta(
    procedure: Procedure, body: CreateDossier, token_hash: str, moment: datetime
) -> dict[str, Any]:
    """META of a new draft: everything but what CONTENT keeps (its id and expiry are added by the caller)."""
    return {
        "status": Status.DRAFT.value,
        "version": 1,
        "procedure_code": procedure.code,
        "procedure_name": procedure.name,
        "agency": procedure.agency.code,
        "agency_name": procedure.agency.name,
        "level": procedure.level,
        "fee_vnd": procedure.fee_vnd,
        "fee_timing": procedure.fee_timing.value,
        "processing_days": procedure.processing_days,
        "delivery_methods": [m.value for m in procedure.delivery_methods],
        "applicant_name": body.applicant.full_name,
        "delivery_method": body.delivery.method.value,
        "token_hash": token_hash,
        "created_at": iso(moment),
        "updated_at": iso(moment),
        "file_count": 0,
        "payment_status": PaymentStatus.NOT_REQUIRED.value,
    }


def create_draft(
    body: CreateDossier, procedures: Procedures, dossiers: DossierRepository, ttl_days: int, clock: Clock
) -> DraftCreated:
    procedure = online_procedure(procedures, body.procedure_code)
    check_delivery(body.delivery.method.value, [m.value for m in procedure.delivery_methods])
    check_form(procedure.form_schema, body.form_data)
    moment = clock()
    dossier_id = uuid.uuid4().hex
    token, token_hash = new_access_token()
    documents = [{"component_id": c.id, "name": c.name, "required": c.required} for c in procedure.components]
    expires = moment + timedelta(days=ttl_days)
    content = {**declared(body), "documents": documents, "expires_at": epoch(expires)}
    meta = {**draft_meta(procedure, body, token_hash, moment), "id": dossier_id, "expires_at": epoch(expires)}
    dossiers.commit(DossierChange(dossier_id, create=meta, parts=[PartWrite(sk=keys.CONTENT, item=content)]))
    return DraftCreated(
        id=dossier_id, access_token=token, status="DRAFT", documents=documents, expires_at=expires
    )


def update_draft(
    dossier_id: str,
    token: str,
    body: UpdateDraft,
    procedures: Procedures,
    dossiers: DossierRepository,
    clock: Clock,
) -> DossierView:
    record = authorized(dossiers, dossier_id, token)  # whole: the answer is the dossier as edited
    if record.status != Status.DRAFT:
        raise Conflict("Hồ sơ đã nộp nên không sửa được nội dung.")
    procedure = procedures.procedure(record.meta["procedure_code"])
    if procedure is None:
        raise Conflict("Thủ tục của hồ sơ không còn trong danh mục.")
    check_delivery(body.delivery.method.value, record.meta["delivery_methods"])
    check_form(procedure.form_schema, body.form_data)
    content = {**declared(body), "documents": record.documents, "expires_at": record.meta.get("expires_at")}
    change = DossierChange(
        dossier_id,
        set={
            "applicant_name": body.applicant.full_name,
            "delivery_method": body.delivery.method.value,
            "updated_at": iso(clock()),
            "version": record.version + 1,
        },
        # a draft written before CONTENT existed moves its declared fields there
        remove=[name for name in CONTENT_FIELDS if name in record.meta],
        expected_version=record.version,
        expected_status=Status.DRAFT.value,
        parts=[PartWrite(sk=keys.CONTENT, item=content)],
    )
    try:
        dossiers.commit(change)
    except StaleDossier as err:
        raise Conflict("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng tải lại trang.") from err
    return citizen_view(edited(record, change, content))


def edited(record: DossierRecord, change: DossierChange, content: dict[str, Any]) -> DossierRecord:
    """The record as the change left it, without reading it again."""
    meta = {**record.meta, **change.set}
    for name in change.remove:
        meta.pop(name, None)
    return replace(record, meta=meta, content=Content.model_validate(content))
