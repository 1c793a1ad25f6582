"""The one-stop-shop workflow as a transition table, and what each official's action does to a dossier.

Pure: a dossier (its META item as a dict) and an action in, the changes, the history entry and the
events out. The repository applies them in one transaction, conditional on the version read. What
events do (a supplement, a withdrawal, a payment, the deadline sweep) is in event_steps.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.core.auth import Official, Role
from services.core.calendar import WorkingCalendar
from services.core.clock import iso, parse
from services.core.dossiers import PaymentStatus, Status
from services.core.errors import Forbidden, IllegalTransition, ValidationFailed
from services.core.events import EventType
from services.tracking.logic.event_steps import (
    flag_deadline,
    payment_confirmed,
    payment_refunded,
    resume_after_supplement,
    withdraw,
)
from services.tracking.logic.steps import Step, refund_if_paid, with_stats

# the events' steps, re-exported: callers find every step of the workflow here
__all__ = [
    "TRANSITIONS",
    "Action",
    "Request",
    "Rule",
    "Step",
    "allowed_actions",
    "authorize",
    "decide",
    "flag_deadline",
    "payment_confirmed",
    "payment_refunded",
    "record_result",
    "resume_after_supplement",
    "withdraw",
]


class Action(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    START = "start"
    FORWARD = "forward"
    REQUEST_PAYMENT = "request_payment"
    STOP = "stop"
    COMPLETE = "complete"
    RETURN_RESULT = "return_result"
    APOLOGIZE = "apologize"


S = Status


@dataclass(frozen=True)
class Rule:
    sources: tuple[Status, ...]
    target: Status | None  # None: the status stays (forward, apologize)
    role: Role
    needs_note: bool = False


TRANSITIONS: dict[Action, Rule] = {
    Action.ACCEPT: Rule((S.SUBMITTED,), S.ACCEPTED, Role.RECEIVER),
    Action.REFUSE: Rule((S.SUBMITTED,), S.REFUSED, Role.RECEIVER, needs_note=True),
    Action.REQUEST_SUPPLEMENT: Rule(
        (S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS), S.SUPPLEMENT_REQUESTED, Role.RECEIVER, needs_note=True
    ),
    Action.START: Rule((S.ACCEPTED,), S.IN_PROCESS, Role.HANDLER),
    Action.FORWARD: Rule((S.ACCEPTED, S.IN_PROCESS), S.IN_PROCESS, Role.HANDLER),
    Action.REQUEST_PAYMENT: Rule((S.IN_PROCESS,), S.PAYMENT_REQUIRED, Role.HANDLER, needs_note=True),
    Action.STOP: Rule(
        (S.ACCEPTED, S.IN_PROCESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUIRED),
        S.STOPPED,
        Role.HANDLER,
        needs_note=True,
    ),
    Action.COMPLETE: Rule((S.IN_PROCESS,), S.PROCESSED, Role.HANDLER),
    Action.RETURN_RESULT: Rule((S.PROCESSED,), S.RESULT_RETURNED, Role.RECEIVER),
    Action.APOLOGIZE: Rule(
        (S.ACCEPTED, S.IN_PROCESS, S.PAYMENT_REQUIRED), None, Role.HANDLER, needs_note=True
    ),
}


@dataclass(frozen=True)
class Request:
    action: Action
    note: str = ""
    to_agency: str | None = None
    to_agency_name: str | None = None
    outcome: str | None = None
    result: str | None = None
    new_due_at: datetime | None = None
    amount_vnd: int | None = None


def allowed_actions(dossier: dict[str, Any], official: Official) -> list[str]:
    """What this official may do now (the console shows only these)."""
    status = Status(dossier["status"])
    return [
        a.value
        for a, rule in TRANSITIONS.items()
        if status in rule.sources and (rule.role in official.roles or Role.LEADER in official.roles)
    ]


def authorize(action: Action, official: Official) -> None:
    rule = TRANSITIONS[action]
    if rule.role not in official.roles and Role.LEADER not in official.roles:
        raise Forbidden(f"Thao tác «{action.value}» cần vai trò {rule.role.value} hoặc leader.")


def decide(
    dossier: dict[str, Any], request: Request, official: Official, now: datetime, calendar: WorkingCalendar
) -> Step:
    """The step an official's action makes, or the reason it cannot be made."""
    rule = TRANSITIONS[request.action]
    status = Status(dossier["status"])
    if status not in rule.sources:
        allowed = ", ".join(s.value for s in rule.sources)
        raise IllegalTransition(
            f"Không thể «{request.action.value}» hồ sơ ở trạng thái {status.value}; "
            f"thao tác này chỉ áp dụng cho: {allowed}.",
            current_status=status.value,
        )
    if rule.needs_note and not request.note.strip():
        raise ValidationFailed(
            "Thao tác này cần ghi rõ lý do hoặc nội dung.",
            errors=[{"field": "note", "message": "Vui lòng nhập nội dung."}],
        )
    step = Step(request.action.value, rule.target or status, note=request.note or None)
    handler = _STEPS[request.action]
    handler(dossier, request, step, now, calendar)
    step.changes.setdefault("status", step.to_status.value)
    return with_stats(dossier, step, "official")


# -- one function per action -------------------------------------------------------------------------


def _accept(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    if d.get("payment_status") == PaymentStatus.PENDING and int(d.get("amount_due_vnd") or 0) > 0:
        raise IllegalTransition(
            "Hồ sơ có lệ phí nộp trước khi xử lý và chưa được thanh toán; chưa thể tiếp nhận.",
            current_status=d["status"],
        )
    due = calendar.add_working_days(now, float(d.get("processing_days") or 0))
    step.changes.update({"accepted_at": iso(now), "due_at": iso(due), "overdue": False, "due_soon": False})
    step.detail["due_at"] = iso(due)


def _refuse(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    step.changes["refusal_reason"] = r.note
    refund_if_paid(d, step, "refused")


def _request_supplement(
    d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar
) -> None:
    step.changes.update(
        {
            "supplement_round": int(d.get("supplement_round") or 0) + 1,
            "supplement_requested_at": iso(now),
            "supplement_note": r.note,
            "supplement_from": d["status"],
        }
    )
    if d.get("due_at"):
        step.changes["paused_at"] = iso(now)  # the clock stops until the citizen answers


def _start(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    step.changes["started_at"] = iso(now)


def _forward(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    current = d.get("current_agency") or d["agency"]
    if not r.to_agency or r.to_agency == current:
        raise ValidationFailed(
            "Cần chọn cơ quan nhận hồ sơ khác với cơ quan hiện tại.",
            errors=[{"field": "to_agency", "message": "Chọn cơ quan nhận."}],
        )
    step.changes.update(
        {
            "current_agency": r.to_agency,
            "current_agency_name": r.to_agency_name or r.to_agency,
            "forwarded_at": iso(now),
        }
    )
    step.detail.update({"from_agency": current, "to_agency": r.to_agency})


def _request_payment(
    d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar
) -> None:
    amount = r.amount_vnd if r.amount_vnd is not None else int(d.get("fee_vnd") or 0)
    if amount <= 0:
        raise ValidationFailed(
            "Số tiền nghĩa vụ tài chính phải lớn hơn 0.",
            errors=[{"field": "amount_vnd", "message": "Nhập số tiền (đồng)."}],
        )
    if d.get("payment_status") == PaymentStatus.PAID:
        raise IllegalTransition("Hồ sơ đã được thanh toán.", current_status=d["status"])
    step.changes.update(
        {
            "payment_status": PaymentStatus.PENDING.value,
            "amount_due_vnd": amount,
            "payment_requested_at": iso(now),
        }
    )


def _stop(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    step.changes["stop_reason"] = r.note
    refund_if_paid(d, step, "stopped")


def _require_paid(d: dict[str, Any], detail: str) -> None:
    """A fee asked for during processing is paid before the dossier is completed or its result returned."""
    if d.get("payment_status") == PaymentStatus.PENDING:
        raise IllegalTransition(detail, current_status=d["status"])


def _complete(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    if r.outcome not in ("approved", "denied"):
        raise ValidationFailed(
            "Cần ghi kết quả giải quyết: approved (chấp thuận) hoặc denied (từ chối).",
            errors=[{"field": "outcome", "message": "Chọn approved hoặc denied."}],
        )
    _require_paid(d, "Công dân chưa thực hiện xong nghĩa vụ tài chính.")
    on_time = not d.get("due_at") or now <= parse(d["due_at"])
    step.changes.update({"outcome": r.outcome, "processed_at": iso(now), "processed_on_time": on_time})


def _return_result(
    d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar
) -> None:
    if not r.result:
        raise ValidationFailed(
            "Cần tải lên và chọn văn bản kết quả trước khi trả.",
            errors=[{"field": "result", "message": "Chọn tệp kết quả đã tải lên."}],
        )
    _require_paid(d, "Công dân chưa nộp phí, lệ phí; chưa thể trả kết quả.")
    step.changes.update({"result_file_id": r.result, "returned_at": iso(now)})
    delivery = d.get("delivery") or {}
    step.events.append(
        (
            EventType.RESULT_RETURNED,
            {
                "code": d["code"],
                "agency": d.get("current_agency") or d["agency"],
                "procedure_name": d["procedure_name"],
                "outcome": d.get("outcome"),
                "result_file_id": r.result,
                "delivery_method": delivery.get("method"),
                "returned_at": iso(now),
            },
        )
    )


def record_result(step: Step, frozen: dict[str, Any]) -> None:
    """The returned result's pinned version, on the dossier and in the event delivery copies it from."""
    pinned = {
        "result_sha256": frozen["sha256"],
        **({"result_version_id": frozen["version_id"]} if frozen.get("version_id") else {}),
    }
    step.changes.update(pinned)
    for kind, data in step.events:
        if kind == EventType.RESULT_RETURNED:
            data.update(pinned)


def _apologize(d: dict[str, Any], r: Request, step: Step, now: datetime, calendar: WorkingCalendar) -> None:
    if not d.get("due_at") or parse(d["due_at"]) >= now:
        raise IllegalTransition(
            "Chỉ hồ sơ đã quá hạn mới cần phiếu xin lỗi và hẹn lại ngày trả.", current_status=d["status"]
        )
    if r.new_due_at is None or r.new_due_at <= now:
        raise ValidationFailed(
            "Ngày hẹn mới phải ở tương lai.",
            errors=[{"field": "new_due_at", "message": "Chọn ngày hẹn trả mới sau hôm nay."}],
        )
    apologies = [
        *d.get("apologies", []),
        {"at": iso(now), "previous_due_at": d["due_at"], "new_due_at": iso(r.new_due_at), "note": r.note},
    ]
    step.changes.update(
        {"due_at": iso(r.new_due_at), "overdue": False, "due_soon": False, "apologies": apologies}
    )
    step.detail.update({"previous_due_at": d["due_at"], "new_due_at": iso(r.new_due_at)})


_STEPS = {
    Action.ACCEPT: _accept,
    Action.REFUSE: _refuse,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.START: _start,
    Action.FORWARD: _forward,
    Action.REQUEST_PAYMENT: _request_payment,
    Action.STOP: _stop,
    Action.COMPLETE: _complete,
    Action.RETURN_RESULT: _return_result,
    Action.APOLOGIZE: _apologize,
}
