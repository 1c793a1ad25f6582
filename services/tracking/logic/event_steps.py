"""What citizens, the payment service and the deadline sweeper ask of a dossier, as steps.

Pure, like workflow.py: a dossier's META item in, a `Step` out, or None when there is nothing to do
(already applied, or an older request), so a redelivered event changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.core.calendar import WorkingCalendar
from services.core.clock import iso, parse
from services.core.dossiers import PaymentStatus, Status
from services.core.events import EventType
from services.tracking.logic.steps import (
    ACTIVE_AFTER_ACCEPT,
    DUE_SOON_HOURS,
    WAITING,
    Step,
    refund_if_paid,
    with_stats,
)

S = Status


def resume_after_supplement(
    d: dict[str, Any], round_no: int, now: datetime, calendar: WorkingCalendar
) -> Step | None:
    """The citizen's supplement: the dossier goes back to where it was and the clock moves on."""
    if d["status"] != S.SUPPLEMENT_REQUESTED or int(d.get("supplement_round") or 0) != round_no:
        return None  # already applied, or an older round
    back = Status(d.get("supplement_from") or S.IN_PROCESS)
    target = S.SUBMITTED if back == S.SUBMITTED else S.IN_PROCESS
    step = Step("supplement", target, note="Công dân đã bổ sung giấy tờ")
    step.changes.update({"status": target.value, "resumed_at": iso(now)})
    step.removes.append("paused_at")
    if d.get("due_at") and d.get("paused_at"):
        paused = calendar.working_time_between(parse(d["paused_at"]), now)
        due = calendar.add_working_time(parse(d["due_at"]), paused)
        step.changes.update(
            {
                "due_at": iso(due),
                "paused_hours": round(float(d.get("paused_hours") or 0) + paused.total_seconds() / 3600, 2),
            }
        )
        step.detail["due_at"] = iso(due)
    return with_stats(d, step, "citizen")


def withdraw(d: dict[str, Any], reason: str, now: datetime) -> Step | None:
    if d["status"] in (S.PROCESSED, S.RESULT_RETURNED, S.REFUSED, S.STOPPED, S.WITHDRAWN, S.DRAFT):
        return None
    step = Step("withdraw", S.WITHDRAWN, note=reason)
    step.changes.update({"status": S.WITHDRAWN.value, "withdrawn_at": iso(now)})
    refund_if_paid(d, step, "withdrawn")
    return with_stats(d, step, "citizen")


def payment_confirmed(d: dict[str, Any], now: datetime) -> Step | None:
    if d.get("payment_status") == PaymentStatus.PAID:
        return None
    target = S.IN_PROCESS if d["status"] == S.PAYMENT_REQUIRED else Status(d["status"])
    step = Step("payment_confirmed", target, note="Đã thanh toán phí, lệ phí trực tuyến")
    step.changes.update(
        {"status": target.value, "payment_status": PaymentStatus.PAID.value, "paid_at": iso(now)}
    )
    if d["status"] in (S.REFUSED, S.STOPPED, S.WITHDRAWN):
        # paid after the dossier ended: the money goes back
        step.events.append(
            (
                EventType.REFUND_REQUESTED,
                {
                    "code": d.get("code"),
                    "reason": "paid_after_end",
                    "amount_vnd": int(d.get("amount_due_vnd") or 0),
                },
            )
        )
    return with_stats(d, step, "payment")


def payment_refunded(d: dict[str, Any], now: datetime) -> Step | None:
    if d.get("payment_status") == PaymentStatus.REFUNDED:
        return None
    step = Step("payment_refunded", Status(d["status"]), note="Đã hoàn trả phí, lệ phí")
    step.changes.update({"payment_status": PaymentStatus.REFUNDED.value, "refunded_at": iso(now)})
    return with_stats(d, step, "payment")


def flag_deadline(d: dict[str, Any], now: datetime) -> Step | None:
    """The sweeper's look at one dossier: due soon, or overdue (once each)."""
    if (
        not d.get("due_at")
        or d.get("paused_at")
        or Status(d["status"]) not in ACTIVE_AFTER_ACCEPT + tuple(WAITING)
    ):
        return None
    due = parse(d["due_at"])
    if due < now and not d.get("overdue"):
        step = Step("overdue", Status(d["status"]), note="Hồ sơ đã quá hạn giải quyết")
        step.changes.update({"overdue": True, "overdue_at": iso(now)})
        return with_stats(d, step, "system")
    if due >= now and not d.get("due_soon") and (due - now).total_seconds() <= DUE_SOON_HOURS * 3600 * 3:
        step = Step("due_soon", Status(d["status"]), note="Hồ sơ sắp đến hạn giải quyết")
        step.changes["due_soon"] = True
        return with_stats(d, step, "system")
    return None
