"""What officials do to a dossier: a workflow action, decided on the version they read and written as
one change; and the upload of a result document."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from services.core import keys
from services.core.auth import Official, Role
from services.core.calendar import WorkingCalendar
from services.core.clock import iso_ms, now
from services.core.dossier import DossierChange, DossierRecord, PartWrite
from services.core.dossiers import FINAL, Status
from services.core.errors import Conflict, ValidationFailed, VersionConflict
from services.core.repository import DossierRepository
from services.core.text import safe_file_name
from services.tracking.logic import results as result_documents
from services.tracking.logic import workflow
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.commits import Actor, StepWriter
from services.tracking.logic.detail import detail_view
from services.tracking.logic.ports import Clock, Links, ResultObjects
from services.tracking.logic.records import scoped
from services.tracking.logic.workflow import Action, Request, Step
from services.tracking.models.api import ActionRequest

# An official's result upload grant: used at once by the console; short, so it cannot be re-posted later.
RESULT_GRANT_SECONDS = 300
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass
class Actions:
    dossiers: DossierRepository
    results: ResultObjects
    links: Links
    agencies: Agencies
    writer: StepWriter
    calendar: Callable[[], WorkingCalendar]
    clock: Clock = now

    def act(self, official: Official, code: str, body: ActionRequest) -> dict[str, Any]:
        workflow.authorize(body.action, official)
        record = scoped(self.dossiers, official, code)
        if record.version != body.expected_version:
            raise VersionConflict(
                f"Hồ sơ đã được cập nhật (phiên bản {record.version}); vui lòng tải lại trước khi thao tác.",
                current_version=record.version,
            )
        moment = self.clock()
        step = workflow.decide(_as_decided(record), self._request(body), official, moment, self.calendar())
        record, checks = self._pin_results(record, body, step)
        after, entry = self.writer.write(
            record.meta, step, Actor(official.sub, official.agency, official.name), moment, checks
        )
        done = replace(record, meta=after, history=[*record.history, entry])
        return detail_view(done, official, self.links, self.clock())

    def result_upload(
        self, official: Official, code: str, file_name: str, content_type: str, size: int
    ) -> dict[str, Any]:
        official.require(Role.HANDLER, Role.RECEIVER, Role.LEADER)
        record = scoped(self.dossiers, official, code, whole=False)
        if Status(record.status) in FINAL:
            raise Conflict("Hồ sơ đã kết thúc; không tải thêm văn bản kết quả.")
        file_id = uuid.uuid4().hex
        key = f"results/{record.id}/{file_id}{EXTENSIONS[content_type]}"
        result = {
            "file_id": file_id,
            "key": key,
            "file_name": safe_file_name(file_name),
            "content_type": content_type,
            "size": size,
            "uploaded_by": official.sub,
            "agency": official.agency,
            "created_at": iso_ms(self.clock()),
        }
        part = PartWrite(sk=f"{keys.RESULT_PREFIX}{file_id}", item=result)
        self.dossiers.commit(DossierChange(record.id, parts=[part], touch_meta=False))
        grant = self.results.result_upload(key, content_type, size, RESULT_GRANT_SECONDS)
        return {"file_id": file_id, "upload": grant, "expires_in": RESULT_GRANT_SECONDS}

    def _request(self, body: ActionRequest) -> Request:
        return Request(
            action=body.action,
            note=body.note,
            to_agency=body.to_agency,
            to_agency_name=self.agencies.name(body.to_agency) if body.to_agency else None,
            outcome=body.outcome,
            result=body.result,
            new_due_at=body.new_due_at,
            amount_vnd=body.amount_vnd,
        )

    def _pin_results(
        self, record: DossierRecord, body: ActionRequest, step: Step
    ) -> tuple[DossierRecord, list[PartWrite]]:
        """The results as they stand once pinned, and the part the step must still find: the results
        this agency uploaded stay as they are once the dossier leaves it, and the one returned is the
        version the citizen receives."""
        if body.action == Action.FORWARD:
            pinned = result_documents.freeze_uploaded(self.results, record.id, record.results, self.clock)
            return replace(record, results=pinned), []
        if body.action != Action.RETURN_RESULT:
            return record, []
        result = record.result(str(body.result))
        if result is None:
            raise ValidationFailed(
                "Văn bản kết quả chưa được tải lên.",
                errors=[{"field": "result", "message": "Tải văn bản kết quả lên trước."}],
            )
        frozen = result_documents.freeze(self.results, record.id, result, self.clock)
        workflow.record_result(step, frozen.raw())
        results = [frozen if r.file_id == result.file_id else r for r in record.results]
        check = PartWrite(sk=f"{keys.RESULT_PREFIX}{result.file_id}", must_exist=True)
        return replace(record, results=results), [check]


def _as_decided(record: DossierRecord) -> dict[str, Any]:
    """The dossier as the workflow decides on it: META, with the delivery the citizen chose (kept in
    the CONTENT part; returning the result names it in its event)."""
    return {**record.meta, "delivery": record.delivery_choice}
