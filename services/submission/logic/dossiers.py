"""Submission use cases: drafts, uploads, submit, receipt, supplement, withdrawal, verification.

Every rule is here; the storage is passed in (DossierStore, or a fake in tests) and the handlers only
translate HTTP to these calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import check_access_token, new_access_token
from services.core.calendar import WorkingCalendar
from services.core.clock import iso, iso_ms, now, parse
from services.core.ddb import TransactionCancelled
from services.core.dossiers import WITHDRAWABLE, FileStatus, PaymentStatus, Status, dossier_code, label
from services.core.errors import Conflict, NotFound, NotOnline, ValidationFailed
from services.core.events import Event, EventType
from services.core.observability import logger
from services.core.procedures import FeeTiming
from services.core.text import safe_file_name
from services.submission.dal.dossiers import DossierStore
from services.submission.logic import sniff
from services.submission.logic.forms import check_form
from services.submission.models.api import (
    ALLOWED_TYPES,
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
from services.submission.settings import SubmissionSettings

OPEN_FOR_FILES = (Status.DRAFT.value, Status.SUPPLEMENT_REQUESTED.value)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
SEQUENCE_DAYS_KEPT = 7


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class Submission:
    def __init__(
        self, store: DossierStore, settings: SubmissionSettings, calendar: Callable[[], WorkingCalendar]
    ):
        self.store = store
        self.settings = settings
        self.calendar = calendar

    # -- drafts ------------------------------------------------------------------------------------

    def create_draft(self, body: CreateDossier) -> DraftCreated:
        procedure = self.store.procedure(body.procedure_code)
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
        self._check_delivery(body.delivery.method.value, [m.value for m in procedure.delivery_methods])
        check_form(procedure.form_schema, body.form_data)
        moment = now()
        dossier_id = uuid.uuid4().hex
        token, token_hash = new_access_token()
        documents = [
            {"component_id": c.id, "name": c.name, "required": c.required} for c in procedure.components
        ]
        expires = moment + timedelta(days=self.settings.draft_ttl_days)
        self.store.create(
            {
                **keys.dossier(dossier_id),
                "id": dossier_id,
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
                "documents": documents,
                "applicant": body.applicant.model_dump(exclude_none=True),
                "form_data": body.form_data,
                "delivery": body.delivery.model_dump(mode="json", exclude_none=True),
                "token_hash": token_hash,
                "created_at": iso(moment),
                "updated_at": iso(moment),
                "expires_at": _epoch(expires),
                "file_count": 0,
                "payment_status": PaymentStatus.NOT_REQUIRED.value,
            }
        )
        return DraftCreated(
            id=dossier_id, access_token=token, status="DRAFT", documents=documents, expires_at=expires
        )

    def update_draft(self, dossier_id: str, token: str, body: UpdateDraft) -> DossierView:
        meta = self._authorized(dossier_id, token)
        if meta["status"] != Status.DRAFT:
            raise Conflict("Hồ sơ đã nộp nên không sửa được nội dung.")
        procedure = self.store.procedure(meta["procedure_code"])
        if procedure is None:
            raise Conflict("Thủ tục của hồ sơ không còn trong danh mục.")
        self._check_delivery(body.delivery.method.value, meta["delivery_methods"])
        check_form(procedure.form_schema, body.form_data)
        try:
            self.store.replace_draft(
                dossier_id,
                {
                    "applicant": body.applicant.model_dump(exclude_none=True),
                    "form_data": body.form_data,
                    "delivery": body.delivery.model_dump(mode="json", exclude_none=True),
                    "updated_at": iso(now()),
                },
                meta["version"],
            )
        except Exception as err:
            if "ConditionalCheckFailed" in str(err):
                raise Conflict("Hồ sơ vừa được thay đổi ở nơi khác; vui lòng tải lại trang.") from err
            raise
        return self.view(dossier_id, token)

    @staticmethod
    def _check_delivery(method: str, allowed: list[str]) -> None:
        if method not in allowed:
            names = {"online": "trực tuyến", "postal": "qua bưu chính", "in_person": "trực tiếp tại cơ quan"}
            choices = ", ".join(names.get(m, m) for m in allowed)
            raise ValidationFailed(
                "Hình thức nhận kết quả không được thủ tục này hỗ trợ.",
                errors=[{"field": "delivery.method", "message": f"Thủ tục này chỉ trả kết quả {choices}."}],
            )

    def _authorized(self, dossier_id: str, token: str, with_calendar: bool = False) -> dict[str, Any]:
        if len(dossier_id) > 64:
            meta = None
        else:
            meta = self.store.meta_and_calendar(dossier_id) if with_calendar else self.store.meta(dossier_id)
        if meta is None or "token_hash" not in meta:
            raise NotFound("Không tìm thấy hồ sơ.")
        check_access_token(token, meta["token_hash"])
        return meta

    # -- documents ---------------------------------------------------------------------------------

    def request_upload(self, dossier_id: str, token: str, body: FileRequest) -> FileUpload:
        meta = self._authorized(dossier_id, token)
        if meta["status"] not in OPEN_FOR_FILES:
            raise Conflict("Hồ sơ đã nộp; chỉ tải thêm giấy tờ được khi cơ quan yêu cầu bổ sung.")
        errors = []
        if body.component_id not in {d["component_id"] for d in meta["documents"]}:
            errors.append({"field": "component_id", "message": "Thành phần hồ sơ không thuộc thủ tục này."})
        if body.content_type not in ALLOWED_TYPES:
            errors.append({"field": "content_type", "message": "Chỉ nhận tệp PDF, JPEG hoặc PNG."})
        limit_mb = self.settings.max_upload_bytes // (1024 * 1024)
        if body.size > self.settings.max_upload_bytes:
            errors.append({"field": "size", "message": f"Tệp lớn hơn giới hạn {limit_mb} MB."})
        if errors:
            raise ValidationFailed("Không thể nhận tệp này.", errors=errors)
        moment = now()
        file_id = uuid.uuid4().hex
        key = self.store.object_key(dossier_id, file_id, EXTENSIONS[body.content_type])
        in_supplement = meta["status"] == Status.SUPPLEMENT_REQUESTED
        expires = meta.get("expires_at") or _epoch(moment + timedelta(days=self.settings.draft_ttl_days))
        item = {
            **keys.dossier_file(dossier_id, file_id),
            "file_id": file_id,
            "component_id": body.component_id,
            "file_name": safe_file_name(body.file_name),
            "content_type": body.content_type,
            "declared_size": body.size,
            "key": key,
            "status": FileStatus.PENDING.value,
            "created_at": iso_ms(moment),
            "supplement": in_supplement,
            "expires_at": expires,
        }
        try:
            self.store.add_file(dossier_id, item, self.settings.max_files_per_dossier, OPEN_FOR_FILES)
        except TransactionCancelled as err:
            latest = self.store.meta(dossier_id) or {}
            if latest.get("status") not in OPEN_FOR_FILES:
                raise Conflict("Hồ sơ vừa được nộp; không tải thêm giấy tờ được nữa.") from err
            raise ValidationFailed(
                "Hồ sơ đã có quá nhiều tệp.",
                errors=[
                    {
                        "field": "file",
                        "message": (
                            f"Mỗi hồ sơ có tối đa {self.settings.max_files_per_dossier} tệp; "
                            "hãy xóa bớt tệp không cần."
                        ),
                    }
                ],
            ) from err
        post = self.store.presigned_post(key, body.content_type, body.size, self.settings.upload_link_seconds)
        return FileUpload.model_validate(
            {"file_id": file_id, "upload": post, "expires_in": self.settings.upload_link_seconds}
        )

    def delete_file(self, dossier_id: str, token: str, file_id: str) -> None:
        meta = self._authorized(dossier_id, token)
        if meta["status"] not in OPEN_FOR_FILES:
            raise Conflict("Hồ sơ đã nộp nên không xóa được giấy tờ.")
        found = self.store.file(dossier_id, file_id) if len(file_id) <= 64 else None
        if found is None:
            raise NotFound("Không tìm thấy tệp.")
        if meta["status"] == Status.SUPPLEMENT_REQUESTED and not found.get("supplement"):
            raise Conflict("Giấy tờ đã nộp trước khi có yêu cầu bổ sung thì không xóa được.")
        try:
            self.store.remove_file(dossier_id, file_id, OPEN_FOR_FILES)
        except TransactionCancelled as err:
            raise Conflict("Hồ sơ vừa thay đổi; vui lòng tải lại trang.") from err
        self.store.purge(found["key"])

    # -- submit ------------------------------------------------------------------------------------

    def submit(self, dossier_id: str, token: str) -> Submitted:
        meta = self._authorized(dossier_id, token, with_calendar=True)
        if meta["status"] != Status.DRAFT:
            if meta.get("code"):
                return self._submitted(meta)  # submitting again answers with the same code
            raise Conflict(f"Hồ sơ đang ở trạng thái «{label(meta['status'])}», không nộp được.")
        files = self.store.files(dossier_id)
        self._check_documents(meta, files)
        moment = now()
        yymmdd = moment.strftime("%y%m%d")
        sequence = self.store.next_sequence(
            meta["agency"], yymmdd, _epoch(moment + timedelta(days=SEQUENCE_DAYS_KEPT))
        )
        code = dossier_code(meta["agency"], yymmdd, sequence)
        expected = self.calendar().add_working_days(moment, float(meta.get("processing_days") or 0))
        pay_first = (
            meta["level"] == 4
            and meta.get("fee_timing") == FeeTiming.BEFORE_PROCESSING
            and int(meta.get("fee_vnd") or 0) > 0
        )
        payment_status = PaymentStatus.PENDING if pay_first else PaymentStatus.NOT_REQUIRED
        amount = int(meta["fee_vnd"]) if pay_first else 0
        received = iso(moment)
        event = Event(
            type=EventType.DOSSIER_SUBMITTED,
            dossier_id=dossier_id,
            occurred_at=moment,
            data={
                "code": code,
                "agency": meta["agency"],
                "procedure_code": meta["procedure_code"],
                "procedure_name": meta["procedure_name"],
                "received_at": received,
                "level": meta["level"],
                "payment_status": payment_status.value,
                "amount_due_vnd": amount,
                "channel": "online",
            },
        )
        kept = [f for f in files if f["status"] == FileStatus.VERIFIED]
        items = [
            self.store.update(
                keys.dossier(dossier_id),
                {
                    "status": Status.SUBMITTED.value,
                    "version": meta["version"] + 1,
                    "code": code,
                    "received_at": received,
                    "submitted_at": received,
                    "expected_return_at": iso(expected),
                    "payment_status": payment_status.value,
                    "amount_due_vnd": amount,
                    "current_agency": meta["agency"],
                    "updated_at": received,
                },
                condition="#status = :draft AND #version = :expected",
                condition_values={"draft": Status.DRAFT.value, "expected": meta["version"]},
                remove=["expires_at"],
            ),
            self.store.put(
                {
                    **keys.history(dossier_id, received, 0),
                    "at": received,
                    "action": "submit",
                    "from_status": Status.DRAFT.value,
                    "to_status": Status.SUBMITTED.value,
                    "actor": "citizen",
                    "agency": meta["agency"],
                }
            ),
            self.store.put(
                {**keys.code_lookup(code), "dossier_id": dossier_id, "agency": meta["agency"]},
                condition="attribute_not_exists(PK)",
            ),
            self.store.outbox(event),
            *[
                self.store.update(
                    keys.dossier_file(dossier_id, f["file_id"]), {"submitted": True}, remove=["expires_at"]
                )
                for f in kept
            ],
        ]
        try:
            self.store.transact(items)
        except TransactionCancelled as err:
            latest = self.store.meta(dossier_id) or {}
            if latest.get("code"):
                return self._submitted(latest)  # a concurrent submit of the same draft won; same answer
            raise Conflict("Hồ sơ vừa được thay đổi; vui lòng thử nộp lại.") from err
        return self._submitted(
            {
                **meta,
                "code": code,
                "status": Status.SUBMITTED.value,
                "received_at": received,
                "expected_return_at": iso(expected),
                "payment_status": payment_status.value,
                "amount_due_vnd": amount,
            }
        )

    def _check_documents(self, meta: dict[str, Any], files: list[dict[str, Any]]) -> None:
        verified = {f["component_id"] for f in files if f["status"] == FileStatus.VERIFIED}
        errors = [
            {
                "field": f"documents.{d['component_id']}",
                "message": f"Chưa có tệp hợp lệ cho giấy tờ bắt buộc «{d['name']}».",
            }
            for d in meta["documents"]
            if d["required"] and d["component_id"] not in verified
        ]
        errors += [
            {
                "field": f"files.{f['file_id']}",
                "message": f"Tệp «{f['file_name']}» đang được kiểm tra; vui lòng đợi vài giây rồi nộp lại.",
            }
            for f in files
            if f["status"] == FileStatus.PENDING
        ]
        if errors:
            raise ValidationFailed(
                "Hồ sơ còn thiếu giấy tờ bắt buộc hoặc có tệp đang được kiểm tra.", errors=errors
            )

    def _submitted(self, meta: dict[str, Any]) -> Submitted:
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

    # -- after submission: asked of tracking through events -------------------------------------------

    def supplement(self, dossier_id: str, token: str, body: SupplementRequest) -> Accepted:
        meta = self._authorized(dossier_id, token)
        round_no = int(meta.get("supplement_round") or 0)
        if round_no and int(meta.get("supplement_submitted_round") or 0) == round_no:
            return Accepted(id=dossier_id, status=meta["status"], detail="Bổ sung đã được gửi trước đó.")
        if meta["status"] != Status.SUPPLEMENT_REQUESTED:
            raise Conflict("Hồ sơ không có yêu cầu bổ sung nào đang chờ.")
        files = [f for f in self.store.files(dossier_id) if f.get("supplement")]
        pending = [f for f in files if f["status"] == FileStatus.PENDING]
        added = [f for f in files if f["status"] == FileStatus.VERIFIED and not f.get("submitted")]
        if pending or not added:
            errors = [
                {"field": f"files.{f['file_id']}", "message": f"Tệp «{f['file_name']}» đang được kiểm tra."}
                for f in pending
            ] or [{"field": "files", "message": "Chưa có giấy tờ bổ sung hợp lệ nào."}]
            raise ValidationFailed("Cần tải lên giấy tờ bổ sung hợp lệ trước khi gửi.", errors=errors)
        moment = iso(now())
        event = Event(
            type=EventType.SUPPLEMENT_SUBMITTED,
            dossier_id=dossier_id,
            data={
                "round": round_no,
                "note": body.note,
                "file_ids": [f["file_id"] for f in added],
                "submitted_at": moment,
            },
        )
        try:
            self.store.transact(
                [
                    self.store.update(
                        keys.dossier(dossier_id),
                        {
                            "supplement_submitted_round": round_no,
                            "supplement_submitted_at": moment,
                            "supplement_citizen_note": body.note,
                            "updated_at": moment,
                        },
                        condition="#status = :waiting AND supplement_round = :round",
                        condition_values={"waiting": Status.SUPPLEMENT_REQUESTED.value, "round": round_no},
                    ),
                    self.store.outbox(event),
                    *[
                        self.store.update(
                            keys.dossier_file(dossier_id, f["file_id"]),
                            {"submitted": True},
                            remove=["expires_at"],
                        )
                        for f in added
                    ],
                ]
            )
        except TransactionCancelled as err:
            raise Conflict("Hồ sơ vừa thay đổi; vui lòng tải lại trang.") from err
        return Accepted(
            id=dossier_id,
            status=Status.SUPPLEMENT_REQUESTED.value,
            detail="Đã gửi giấy tờ bổ sung; cơ quan sẽ tiếp tục xử lý hồ sơ.",
        )

    def withdraw(self, dossier_id: str, token: str, body: WithdrawRequest) -> Accepted:
        meta = self._authorized(dossier_id, token)
        moment = iso(now())
        if meta["status"] == Status.DRAFT:
            self.store.transact(
                [
                    self.store.update(
                        keys.dossier(dossier_id),
                        {
                            "status": Status.WITHDRAWN.value,
                            "version": meta["version"] + 1,
                            "updated_at": moment,
                            "withdrawal_reason": body.reason,
                        },
                        condition="#status = :draft AND #version = :expected",
                        condition_values={"draft": Status.DRAFT.value, "expected": meta["version"]},
                    ),
                    self.store.put(
                        {
                            **keys.history(dossier_id, moment, 0),
                            "at": moment,
                            "action": "withdraw",
                            "from_status": Status.DRAFT.value,
                            "to_status": Status.WITHDRAWN.value,
                            "actor": "citizen",
                            "note": body.reason,
                        }
                    ),
                ]
            )
            return Accepted(id=dossier_id, status=Status.WITHDRAWN.value, detail="Đã hủy hồ sơ nháp.")
        if meta.get("withdrawal_requested_at"):
            return Accepted(
                id=dossier_id, status=meta["status"], detail="Yêu cầu rút hồ sơ đã được gửi trước đó."
            )
        if meta["status"] not in WITHDRAWABLE:
            raise Conflict("Hồ sơ đã có quyết định xử lý nên không rút được.")
        event = Event(
            type=EventType.WITHDRAWAL_REQUESTED,
            dossier_id=dossier_id,
            data={"reason": body.reason, "requested_at": moment},
        )
        try:
            self.store.transact(
                [
                    self.store.update(
                        keys.dossier(dossier_id),
                        {
                            "withdrawal_requested_at": moment,
                            "withdrawal_reason": body.reason,
                            "updated_at": moment,
                        },
                        condition="attribute_not_exists(withdrawal_requested_at) AND NOT #status IN (:p, :r)",
                        condition_values={"p": Status.PROCESSED.value, "r": Status.RESULT_RETURNED.value},
                    ),
                    self.store.outbox(event),
                ]
            )
        except TransactionCancelled as err:
            raise Conflict("Hồ sơ vừa thay đổi; vui lòng tải lại trang.") from err
        return Accepted(
            id=dossier_id,
            status=meta["status"],
            detail="Đã gửi yêu cầu rút hồ sơ; cơ quan sẽ dừng xử lý trong giây lát.",
        )

    # -- reading -----------------------------------------------------------------------------------

    def view(self, dossier_id: str, token: str) -> DossierView:
        items = self.store.partition(dossier_id) if len(dossier_id) <= 64 else []
        meta = next((i for i in items if i["SK"] == "META"), None)
        if meta is None or "token_hash" not in meta:
            raise NotFound("Không tìm thấy hồ sơ.")
        check_access_token(token, meta["token_hash"])
        return dossier_view(meta, items)

    def receipt(self, dossier_id: str, token: str) -> str:
        from services.core.lookup import check_code, tracking_link
        from services.submission.logic.receipt import render_receipt

        view = self.view(dossier_id, token)
        if not view.code:
            raise Conflict("Hồ sơ chưa được nộp nên chưa có giấy tiếp nhận.")
        key = self.settings.lookup_check_key
        return render_receipt(
            view,
            tracking_link(self.settings.portal_url, view.code, key),
            self.settings.portal_url,
            check_code(view.code, key),
        )

    # -- workers -----------------------------------------------------------------------------------

    def verify_upload(self, key: str, etag: str, version_id: str | None = None) -> str:
        """Judge one stored document; safe to repeat (a redelivered event changes nothing).

        The first version verified is pinned (ETag, VersionId, SHA-256): a later write to its key, or
        any write to a file of a dossier already sent or finished, is removed, never judged, so a grant
        re-posted after the fact cannot replace or reject evidence."""
        parts = key.split("/")
        if len(parts) != 3 or parts[0] != "dossiers":
            return "ignored"
        dossier_id, file_id = parts[1], parts[2].split(".", 1)[0]
        etag = etag.strip('"')
        found = self.store.file(dossier_id, file_id)
        if found is None or found.get("key") != key:
            self.store.purge(key)  # not a key this service handed out
            return "deleted"
        if found["status"] == FileStatus.VERIFIED:
            return self._keep_pinned(found)
        meta = self.store.meta(dossier_id)
        if meta is None or meta["status"] not in OPEN_FOR_FILES or found.get("submitted"):
            self.store.purge(key)  # nothing is added to a dossier once it is sent or finished
            return "discarded"
        if found["status"] != FileStatus.PENDING and found.get("etag") == etag:
            return "unchanged"
        stored = self.store.read_object(key, version_id)
        if stored is None:
            return "gone"
        verdict = sniff.verify(
            stored.chunks, found["content_type"], int(found["declared_size"]), self.settings.max_upload_bytes
        )
        values: dict[str, Any] = {"size": verdict.size, "etag": stored.etag, "verified_at": iso(now())}
        if stored.version_id:
            values["version_id"] = stored.version_id
        if verdict.accepted:
            values.update({"status": FileStatus.VERIFIED.value, "sha256": verdict.sha256, "reason": ""})
        else:
            values.update({"status": FileStatus.REJECTED.value, "reason": verdict.reason})
        if not self.store.set_file_verdict(dossier_id, file_id, values):
            # another copy of this event, or a write just before this one, pinned the file first
            return self._keep_pinned(self.store.file(dossier_id, file_id) or found)
        if not verdict.accepted:
            self.store.delete_object(key, stored.version_id)
            return "rejected"
        return "verified"

    def _keep_pinned(self, pinned: dict[str, Any]) -> str:
        """A verified file keeps the version it was verified with: later writes to its key are deleted."""
        removed = self.store.keep_only(pinned["key"], pinned.get("version_id"), str(pinned.get("etag", "")))
        if removed is None:
            # without bucket versioning a later write replaced the bytes: the record keeps the hash of
            # the verified ones, so the difference shows, but the bytes cannot be brought back
            logger.error("pinned document cannot be restored", extra={"file_id": pinned["file_id"]})
            return "overwritten"
        return "reverted" if removed else "unchanged"

    def keep_documents(self, dossier_id: str) -> int:
        kept = 0
        for found in self.store.files(dossier_id):
            if found["status"] == FileStatus.VERIFIED and found.get("submitted"):
                self.store.tag_kept(found["key"], found.get("version_id"))
                kept += 1
        return kept


def dossier_view(meta: dict[str, Any], items: list[dict[str, Any]]) -> DossierView:
    files = sorted((i for i in items if i["SK"].startswith(keys.FILE_PREFIX)), key=lambda f: f["created_at"])
    history = sorted((i for i in items if i["SK"].startswith(keys.HISTORY_PREFIX)), key=lambda h: h["SK"])
    supplement = None
    if meta.get("supplement_round"):
        supplement = {
            "requested_at": meta.get("supplement_requested_at"),
            "note": meta.get("supplement_note"),
            "submitted_at": meta.get("supplement_submitted_at")
            if meta.get("supplement_submitted_round") == meta.get("supplement_round")
            else None,
            "citizen_note": meta.get("supplement_citizen_note"),
        }
    amount = int(meta.get("amount_due_vnd") or 0)
    return DossierView.model_validate(
        {
            "id": meta["id"],
            "code": meta.get("code"),
            "status": meta["status"],
            "status_label": label(meta["status"]),
            "payment_status": meta.get("payment_status", PaymentStatus.NOT_REQUIRED.value),
            "payment": {
                "required": amount > 0 and meta.get("payment_status") != PaymentStatus.NOT_REQUIRED,
                "amount_vnd": amount,
            },
            "procedure_code": meta["procedure_code"],
            "procedure_name": meta["procedure_name"],
            "agency": {
                "code": meta.get("current_agency") or meta["agency"],
                "name": meta.get("current_agency_name") or meta["agency_name"],
            },
            "level": meta["level"],
            "received_at": meta.get("received_at"),
            "due_at": meta.get("due_at"),
            "expected_return_at": meta.get("expected_return_at"),
            "expires_at": datetime.fromtimestamp(meta["expires_at"]).astimezone()
            if meta.get("expires_at")
            else None,
            "applicant": meta.get("applicant", {}),
            "form_data": meta.get("form_data", {}),
            "delivery": meta.get("delivery", {}),
            "documents": meta.get("documents", []),
            "files": [
                {
                    "file_id": f["file_id"],
                    "component_id": f["component_id"],
                    "file_name": f["file_name"],
                    "content_type": f["content_type"],
                    "size": int(f.get("size") or f["declared_size"]),
                    "status": f["status"],
                    "reason": f.get("reason") or None,
                    "uploaded_at": f["created_at"],
                    "supplement": bool(f.get("supplement")),
                }
                for f in files
            ],
            "history": [
                {
                    "at": h["at"],
                    "action": h["action"],
                    "from_status": h.get("from_status"),
                    "to_status": h["to_status"],
                    "note": h.get("note"),
                    "agency": h.get("agency"),
                }
                for h in history
            ],
            "supplement": supplement,
            "withdrawal_requested_at": meta.get("withdrawal_requested_at"),
            "outcome": meta.get("outcome"),
            # the payment service records the delivery; an online one carries the document's key
            "result_available": any(
                i["SK"] == "DELIVERY" and i.get("method") == "online" and i.get("result_key") for i in items
            ),
            "rated": any(i["SK"] == "RATING" for i in items),
            "version": meta["version"],
        }
    )
