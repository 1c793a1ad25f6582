"""What the citizen asks of a sent dossier: the supplement an agency asked for, and withdrawal.

Tracking owns the dossier once it is sent, so both are recorded with an event it applies; only a
draft is withdrawn here and now. Each is answered once per round: asking again changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from services.core import keys
from services.core.clock import iso
from services.core.dossier import (
    DossierChange,
    DossierFile,
    DossierRecord,
    Equals,
    Missing,
    NotIn,
    PartConflict,
    PartWrite,
    StaleDossier,
)
from services.core.dossiers import WITHDRAWABLE, FileStatus, Status
from services.core.errors import Conflict, ValidationFailed
from services.core.events import Event, EventType
from services.core.repository import DossierRepository
from services.submission.logic.access import authorized
from services.submission.logic.drafts import leaving_draft
from services.submission.logic.ports import Clock
from services.submission.models.api import Accepted, SupplementRequest, WithdrawRequest

CHANGED = "Hồ sơ vừa thay đổi; vui lòng tải lại trang."


def commit(dossiers: DossierRepository, change: DossierChange) -> None:
    try:
        dossiers.commit(change)
    except (StaleDossier, PartConflict) as err:
        raise Conflict(CHANGED) from err


def supplement_files(record: DossierRecord) -> list[DossierFile]:
    """The files added in this round, verified and not yet sent; refused while one is being checked."""
    files = [f for f in record.files if f.supplement]
    pending = [f for f in files if f.status == FileStatus.PENDING]
    added = [f for f in files if f.status == FileStatus.VERIFIED and not f.submitted]
    if pending or not added:
        errors = [
            {"field": f"files.{f.file_id}", "message": f"Tệp «{f.file_name}» đang được kiểm tra."}
            for f in pending
        ] or [{"field": "files", "message": "Chưa có giấy tờ bổ sung hợp lệ nào."}]
        raise ValidationFailed("Cần tải lên giấy tờ bổ sung hợp lệ trước khi gửi.", errors=errors)
    return added


def supplement(
    dossier_id: str, token: str, body: SupplementRequest, dossiers: DossierRepository, clock: Clock
) -> Accepted:
    record = authorized(dossiers, dossier_id, token)  # whole: the files of this round
    round_no = int(record.meta.get("supplement_round") or 0)
    if round_no and int(record.meta.get("supplement_submitted_round") or 0) == round_no:
        return Accepted(id=dossier_id, status=record.status, detail="Bổ sung đã được gửi trước đó.")
    if record.status != Status.SUPPLEMENT_REQUESTED:
        raise Conflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.")
    commit(dossiers, supplement_sent(record, round_no, supplement_files(record), body.note, clock()))
    return Accepted(
        id=dossier_id,
        status=Status.SUPPLEMENT_REQUESTED.value,
        detail="Đã gửi giấy tờ bổ sung; cơ quan sẽ tiếp tục xử lý hồ sơ.",
    )


def supplement_sent(
    record: DossierRecord, round_no: int, added: list[DossierFile], note: str, moment: datetime
) -> DossierChange:
    """The round answered with its files, unless the agency ended the round meanwhile."""
    at = iso(moment)
    event = Event(
        type=EventType.SUPPLEMENT_SUBMITTED,
        dossier_id=record.id,
        occurred_at=moment,
        data={"round": round_no, "note": note, "file_ids": [f.file_id for f in added], "submitted_at": at},
    )
    return DossierChange(
        record.id,
        set={
            "supplement_submitted_round": round_no,
            "supplement_submitted_at": at,
            "supplement_citizen_note": note,
            "updated_at": at,
        },
        conditions=[
            Equals("status", Status.SUPPLEMENT_REQUESTED.value),
            Equals("supplement_round", round_no),
        ],
        events=[event],
        parts=[
            PartWrite(sk=f"{keys.FILE_PREFIX}{f.file_id}", set={"submitted": True}, remove=["expires_at"])
            for f in added
        ],
    )


def withdraw(
    dossier_id: str, token: str, body: WithdrawRequest, dossiers: DossierRepository, clock: Clock
) -> Accepted:
    record = authorized(dossiers, dossier_id, token, whole=False)
    moment = clock()
    if record.status == Status.DRAFT:
        commit(dossiers, draft_withdrawal(record, body.reason, iso(moment)))
        return Accepted(id=dossier_id, status=Status.WITHDRAWN.value, detail="Đã hủy hồ sơ nháp.")
    if record.meta.get("withdrawal_requested_at"):
        return Accepted(id=dossier_id, status=record.status, detail="Yêu cầu rút hồ sơ đã được gửi trước đó.")
    if record.status not in WITHDRAWABLE:
        raise Conflict("Hồ sơ đã có quyết định xử lý nên không rút được.")
    commit(dossiers, withdrawal_request(record, body.reason, moment))
    return Accepted(
        id=dossier_id,
        status=record.status,
        detail="Đã gửi yêu cầu rút hồ sơ; cơ quan sẽ dừng xử lý trong giây lát.",
    )


def draft_withdrawal(record: DossierRecord, reason: str, at: str) -> DossierChange:
    """A draft is withdrawn at once: nobody else has it yet."""
    line = leaving_draft(at, "withdraw", Status.WITHDRAWN, note=reason)
    return DossierChange(
        record.id,
        set={
            "status": Status.WITHDRAWN.value,
            "version": record.version + 1,
            "updated_at": at,
            "withdrawal_reason": reason,
        },
        expected_version=record.version,
        expected_status=Status.DRAFT.value,
        history=[line],
    )


def withdrawal_request(record: DossierRecord, reason: str, moment: datetime) -> DossierChange:
    """A sent dossier's withdrawal is asked of tracking, once, unless a decision was made."""
    at = iso(moment)
    event = Event(
        type=EventType.WITHDRAWAL_REQUESTED,
        dossier_id=record.id,
        occurred_at=moment,
        data={"reason": reason, "requested_at": at},
    )
    return DossierChange(
        record.id,
        set={"withdrawal_requested_at": at, "withdrawal_reason": reason, "updated_at": at},
        conditions=[
            Missing("withdrawal_requested_at"),
            NotIn("status", (Status.PROCESSED.value, Status.RESULT_RETURNED.value)),
        ],
        events=[event],
    )
