"""Petitions (phản ánh, kiến nghị): sent by anyone, routed to the agency that answers them, answered in
versions, and listed publicly once answered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from services.core import keys
from services.core.auth import Official, Role
from services.core.clock import iso_ms, now
from services.core.cursors import Cursors
from services.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.core.repository import DossierRepository
from services.tracking.logic import inbox as placement
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.ports import Clock, FeedbackStore
from services.tracking.models.api import FeedbackAnswer, FeedbackRequest

# where a petition about no dossier and no procedure waits when the structure names no oversight agency
GENERAL_FEEDBACK = "GENERAL"
# versions of one answer kept: ten of 5,000 characters stay well inside a DynamoDB item
MAX_ANSWER_VERSIONS = 10
VIEW_FIELDS = (
    "id",
    "title",
    "content",
    "procedure_code",
    "agency",
    "created_at",
    "answer",
    "answered_at",
    "answered_by_agency",
)


@dataclass
class Feedback:
    dossiers: DossierRepository
    store: FeedbackStore
    agencies: Agencies
    cursors: Cursors
    clock: Clock = now

    def create(self, body: FeedbackRequest) -> dict[str, str]:
        agency = self._routed_to(body)
        feedback_id = uuid.uuid4().hex
        moment = iso_ms(self.clock())
        self.store.add_feedback(
            {
                **keys.feedback(feedback_id),
                **keys.open_feedback(agency, moment, feedback_id),
                "id": feedback_id,
                "title": body.title,
                "content": body.content,
                "contact": body.contact,
                "procedure_code": body.procedure_code,
                "dossier_code": body.dossier_code,
                "agency": agency,
                "created_at": moment,
            }
        )
        return {"id": feedback_id}

    def public_list(self, limit: int, cursor: str | None) -> dict[str, Any]:
        partition = keys.PUBLIC_FEEDBACK_PARTITION
        start = placement.decode_cursor(self.cursors, cursor, "GSI1PK", partition)
        items, last = self.store.index_page("GSI1", partition, limit, start)
        return {
            "items": [feedback_view(f) for f in items],
            "next_cursor": placement.encode_cursor(self.cursors, last, "GSI1PK", partition),
        }

    def open_list(self, official: Official, limit: int, cursor: str | None) -> dict[str, Any]:
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        partition = keys.open_feedback_partition(official.agency)
        start = placement.decode_cursor(self.cursors, cursor, "GSI2PK", partition)
        items, last = self.store.index_page("GSI2", partition, limit, start, newest_first=False)
        return {
            "items": [feedback_view(f) for f in items],
            "next_cursor": placement.encode_cursor(self.cursors, last, "GSI2PK", partition),
        }

    def answer(self, official: Official, feedback_id: str, body: FeedbackAnswer) -> dict[str, Any]:
        """One answer per petition, by the agency it was routed to: answering again makes a new version
        of it (every version is kept), and the latest version says whether it is public."""
        official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
        found = self.store.feedback(feedback_id) if len(feedback_id) <= 64 else None
        if found is None:
            raise NotFound("Không tìm thấy phản ánh, kiến nghị.")
        self._may_answer(official, found)
        earlier = answer_versions(found)
        if len(earlier) >= MAX_ANSWER_VERSIONS:  # the versions live in the petition's item (400 KB at most)
            raise Conflict(
                f"Phản ánh đã được trả lời {len(earlier)} lần; không cập nhật thêm câu trả lời.",
                versions=len(earlier),
            )
        changes, removes = answered(official, feedback_id, body, earlier, iso_ms(self.clock()))
        # two officials answering at once: the second finds the versions it read changed, and reloads (409)
        read = len(found["answers"]) if "answers" in found else None
        if not self.store.record_answer(feedback_id, changes, removes, read):
            raise Conflict("Phản ánh vừa được trả lời; vui lòng tải lại rồi trả lời lại.")
        after = {**found, **changes}
        for name in removes:
            after.pop(name, None)
        return feedback_view(after, versions=True)

    def _routed_to(self, body: FeedbackRequest) -> str:
        """The agency that answers: the dossier's, the procedure's, or (about neither) the province's
        oversight agency, the first the structure names; GENERAL only while the structure names none."""
        if body.dossier_code:
            record = self.dossiers.load_by_code(body.dossier_code, whole=False)
            if record is None:
                raise ValidationFailed(
                    "Không tìm thấy hồ sơ được nêu.",
                    errors=[{"field": "dossier_code", "message": "Mã hồ sơ không tồn tại."}],
                )
            return record.current_agency
        if body.procedure_code:
            procedure = self.store.procedure(body.procedure_code)
            if procedure is None:
                raise ValidationFailed(
                    "Không tìm thấy thủ tục được nêu.",
                    errors=[{"field": "procedure_code", "message": "Mã thủ tục không tồn tại."}],
                )
            return procedure.agency.code
        return next(iter(self.agencies.overseers()), GENERAL_FEEDBACK)

    def _may_answer(self, official: Official, found: dict[str, Any]) -> None:
        """Only the agency a petition was routed to answers it (a general one: the oversight agency's
        leaders), and once answered only the agency that answered gives later versions."""
        routed = found["agency"]
        if routed == GENERAL_FEEDBACK:
            if official.agency not in set(self.agencies.overseers()):
                raise Forbidden("Phản ánh chung do cơ quan quản lý chung của tỉnh trả lời.")
        elif routed != official.agency:
            raise Forbidden("Phản ánh này thuộc cơ quan khác.")
        general = not (found.get("procedure_code") or found.get("dossier_code"))
        if general and Role.LEADER not in official.roles:
            raise Forbidden("Phản ánh chung do lãnh đạo trả lời.")
        answered_by = found.get("answered_by_agency")
        if answered_by and answered_by != official.agency:
            raise Forbidden("Phản ánh đã được cơ quan khác trả lời; chỉ cơ quan đó cập nhật câu trả lời.")


def answered(
    official: Official, feedback_id: str, body: FeedbackAnswer, earlier: list[dict[str, Any]], moment: str
) -> tuple[dict[str, Any], list[str]]:
    """The petition's fields set and removed by a new answer (a new version of it)."""
    version = {
        "answer": body.answer,
        "public": body.public,
        "agency": official.agency,
        "by": official.sub,
        "at": moment,
    }
    changes: dict[str, Any] = {
        "answer": body.answer,
        "answered_at": moment,
        "answered_by": official.sub,
        "answered_by_agency": official.agency,
        "public": body.public,
        "answers": [*earlier, version],
    }
    removes = ["GSI2PK", "GSI2SK"]
    if body.public:
        changes.update(keys.public_feedback(moment, feedback_id))
    else:
        removes += ["GSI1PK", "GSI1SK"]  # off the public list, whatever an earlier version said
    return changes, removes


def feedback_view(f: dict[str, Any], versions: bool = False) -> dict[str, Any]:
    view = {k: f.get(k) for k in VIEW_FIELDS}
    if versions:  # for the answering official only: who answered is not public
        view["public"] = f.get("public")
        view["answers"] = answer_versions(f)
    return view


def answer_versions(f: dict[str, Any]) -> list[dict[str, Any]]:
    """Every answer given to a petition, oldest first (one given before versions were kept included)."""
    if "answers" in f:
        return list(f["answers"])
    if not f.get("answer"):
        return []
    return [
        {
            "answer": f["answer"],
            "public": bool(f.get("public", True)),
            "agency": f.get("answered_by_agency"),
            "by": f.get("answered_by"),
            "at": f.get("answered_at"),
        }
    ]
