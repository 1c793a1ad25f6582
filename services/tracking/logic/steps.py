"""What one action or event does to a dossier (a `Step`), and what every step carries: the counters it
moves and who acted. Shared by the officials' actions (workflow.py) and the events' (event_steps.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.core.dossiers import PaymentStatus, Status
from services.core.events import EventType
from services.tracking.logic.stats import contribution, difference

S = Status
ACTIVE_AFTER_ACCEPT = (S.ACCEPTED, S.IN_PROCESS)
# A dossier waits for the citizen in these statuses: its clock is paused or it sorts after the rest.
WAITING = frozenset({S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUIRED})
DUE_SOON_HOURS = 8


@dataclass
class Step:
    """Everything one action or event does to a dossier."""

    action: str
    to_status: Status
    changes: dict[str, Any] = field(default_factory=dict)
    removes: list[str] = field(default_factory=list)
    note: str | None = None
    events: list[tuple[EventType, dict[str, Any]]] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def refund_if_paid(d: dict[str, Any], step: Step, why: str) -> None:
    if d.get("payment_status") == PaymentStatus.PAID:
        step.events.append(
            (
                EventType.REFUND_REQUESTED,
                {"code": d.get("code"), "reason": why, "amount_vnd": int(d.get("amount_due_vnd") or 0)},
            )
        )


def with_stats(d: dict[str, Any], step: Step, actor: str) -> Step:
    after = {**d, **step.changes}
    for name in step.removes:
        after.pop(name, None)
    step.detail["stats"] = difference(contribution(d), contribution(after))
    step.detail["actor"] = actor
    return step
