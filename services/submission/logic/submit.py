"""Submitting a draft: the dossier code, the appointment date, the fee due, and one change that writes
them with the history line, the code's lookup, the DossierSubmitted event and the files kept.

Submitting again answers the same code, and so does a submit that lost a race to another.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.calendar import WorkingCalendar
from services.core.clock import iso, parse
from services.core.dossier import (
    DossierChange,
    DossierRecord,
    PartConflict,
    PartWrite,
    StaleDossier,
)
from services.core.dossiers import FileStatus, PaymentStatus, Status, dossier_code, label
from services.core.errors import Conflict, ValidationFailed
from services.core.events import Event, EventType
from services.core.procedures import FeeTiming
from services.core.repository import DossierRepository
from services.submission.logic.access import authorized
from services.submission.logic.drafts import epoch, leaving_draft
from services.submission.logic.ports import Clock, Sequences
from services.submission.models.api import Submitted

SEQUENCE_DAYS_KEPT = 7


def submit(
    dossier_id: str,
    token: str,
    dossiers: DossierRepository,
    sequences: Sequences,
    calendar: Callable[[], WorkingCalendar],
    clock: Clock,
) -> Submitted:
    record = authorized(dossiers, dossier_id, token)  # whole: the files and the documents asked for
    if record.status != Status.DRAFT:
        if record.meta.get("code"):
            return submitted(record.meta)  # submitting again answers with the same code
        raise Conflict(f"Hồ sơ đang ở trạng thái «{label(record.status)}», không nộp được.")
    check_documents(record)
    moment = clock()
    yymmdd = moment.strftime("%y%m%d")
    agency = record.meta["agency"]
    sequence = sequences.next_sequence(agency, yymmdd, epoch(moment + timedelta(days=SEQUENCE_DAYS_KEPT)))
    fields = submitted_fields(record, dossier_code(agency, yymmdd, sequence), moment, calendar())
    try:
        dossiers.commit(submit_change(record, fields, moment))
    except (StaleDossier, PartConflict) as err:
        latest = dossiers.load(dossier_id, whole=False)
        if latest is not None and latest.meta.get("code"):
            return submitted(latest.meta)  # a concurrent submit of the same draft won; same answer
        raise Conflict("Hồ sơ vừa được thay đổi; vui lòng thử nộp lại.") from err
    return submitted({**record.meta, **fields})


def check_documents(record: DossierRecord) -> None:
    """Every required document has a verified file, and no file is still being checked."""
    verified = {f.component_id for f in record.files if f.status == FileStatus.VERIFIED}
    errors = [
        {
            "field": f"documents.{d['component_id']}",
            "message": f"Chưa có tệp hợp lệ cho giấy tờ bắt buộc «{d['name']}».",
        }
        for d in record.documents
        if d["required"] and d["component_id"] not in verified
    ]
    errors += [
        {
            "field": f"files.{f.file_id}",
            "message": f"Tệp «{f.file_name}» đang được kiểm tra; vui lòng đợi vài giây rồi nộp lại.",
        }
        for f in record.files
        if f.status == FileStatus.PENDING
    ]
    if errors:
        raise ValidationFailed(
            "Hồ sơ còn thiếu giấy tờ bắt buộc hoặc có tệp đang được kiểm tra.", errors=errors
        )


def payment_due(meta: dict[str, Any]) -> tuple[PaymentStatus, int]:
    """A level-4 fee paid before processing is due now; any other is settled with the agency later."""
    pay_first = (
        meta["level"] == 4
        and meta.get("fee_timing") == FeeTiming.BEFORE_PROCESSING
        and int(meta.get("fee_vnd") or 0) > 0
    )
    return (PaymentStatus.PENDING, int(meta["fee_vnd"])) if pay_first else (PaymentStatus.NOT_REQUIRED, 0)


def submitted_fields(
    record: DossierRecord, code: str, moment: datetime, calendar: WorkingCalendar
) -> dict[str, Any]:
    """What META holds once the dossier is sent."""
    expected = calendar.add_working_days(moment, float(record.meta.get("processing_days") or 0))
    payment_status, amount = payment_due(record.meta)
    received = iso(moment)
    return {
        "status": Status.SUBMITTED.value,
        "version": record.version + 1,
        "code": code,
        "received_at": received,
        "submitted_at": received,
        "expected_return_at": iso(expected),
        "payment_status": payment_status.value,
        "amount_due_vnd": amount,
        "current_agency": record.meta["agency"],
        "updated_at": received,
    }


def submitted_event(record: DossierRecord, fields: dict[str, Any], moment: datetime) -> Event:
    meta = record.meta
    return Event(
        type=EventType.DOSSIER_SUBMITTED,
        dossier_id=record.id,
        occurred_at=moment,
        data={
            "code": fields["code"],
            "agency": meta["agency"],
            "procedure_code": meta["procedure_code"],
            "procedure_name": meta["procedure_name"],
            "received_at": fields["received_at"],
            "level": meta["level"],
            "payment_status": fields["payment_status"],
            "amount_due_vnd": fields["amount_due_vnd"],
            "channel": "online",
        },
    )


def submit_change(record: DossierRecord, fields: dict[str, Any], moment: datetime) -> DossierChange:
    """The draft sent: its code claimed, its verified files and its content kept (no longer expiring)."""
    agency = record.meta["agency"]
    kept = [
        PartWrite(sk=f"{keys.FILE_PREFIX}{f.file_id}", set={"submitted": True}, remove=["expires_at"])
        for f in record.files
        if f.status == FileStatus.VERIFIED
    ]
    if record.content is not None:
        kept.append(PartWrite(sk=keys.CONTENT, set={}, remove=["expires_at"]))
    line = leaving_draft(fields["received_at"], "submit", Status.SUBMITTED, agency=agency)
    claim = PartWrite(
        key=keys.code_lookup(fields["code"]),
        item={"dossier_id": record.id, "agency": agency},
        must_be_new=True,
    )
    return DossierChange(
        record.id,
        set=fields,
        remove=["expires_at"],
        expected_version=record.version,
        expected_status=Status.DRAFT.value,
        history=[line],
        events=[submitted_event(record, fields, moment)],
        parts=[claim, *kept],
    )


def submitted(meta: dict[str, Any]) -> Submitted:
    amount = int(meta.get("amount_due_vnd") or 0)
    return Submitted(
        code=meta["code"],
        status=meta["status"],
        received_at=parse(meta["received_at"]),
        expected_return_at=parse(meta["expected_return_at"]),
        payment={
            "required": meta.get("payment_status") in (PaymentStatus.PENDING, PaymentStatus.PAID)
            and amount > 0,
            "amount_vnd": amount,
        },
        receipt_url=f"/api/submission/dossiers/{meta['id']}/receipt",
    )
