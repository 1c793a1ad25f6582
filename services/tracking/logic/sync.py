"""What the national public-service portal is told about a dossier, and when: its status, never
personal data; an older event arriving late is not sent over a newer one.

A refused or unreachable post raises, so SQS delivers the event again (and finally to the dead-letter
queue, from which `python -m infra redrive` replays it).
"""

from __future__ import annotations

from typing import Any, Protocol

from services.core.clock import iso, now
from services.core.events import Event, EventType
from services.core.observability import logger


class NationalPortalRefused(Exception):
    pass


class SyncStates(Protocol):
    def sync_state(self, dossier_id: str) -> dict[str, Any]: ...

    def record_sync(self, dossier_id: str, state: dict[str, Any]) -> bool: ...


class Portal(Protocol):
    def post(self, payload: dict[str, Any]) -> int: ...


def national_update(event: Event) -> dict[str, Any] | None:
    if event.type not in (EventType.DOSSIER_SUBMITTED, EventType.DOSSIER_STATUS_CHANGED):
        return None
    data = event.data
    status = data.get("to_status") or "SUBMITTED"
    if data.get("action") in ("due_soon", "overdue") and event.type == EventType.DOSSIER_STATUS_CHANGED:
        return None  # internal flags, not status changes
    return {
        "event_id": event.id,
        "dossier_code": data["code"],
        "procedure_code": data.get("procedure_code"),
        "agency_code": data.get("agency"),
        "status": status,
        "status_label": data.get("status_label", "Mới đăng ký"),
        "occurred_at": event.occurred_at.isoformat(),
        "due_at": data.get("due_at"),
        "received_at": data.get("received_at"),
    }


def is_newer(event: Event, last_synced_at: str | None) -> bool:
    return last_synced_at is None or event.occurred_at.isoformat() > last_synced_at


def sync(event: Event, states: SyncStates, portal: Portal) -> bool:
    """Tells the portal about one event if it is news; False when there was nothing to send."""
    payload = national_update(event)
    if payload is None:
        return False
    if not is_newer(event, states.sync_state(event.dossier_id).get("last_event_at")):
        return False
    portal.post(payload)
    # a newer status recorded meanwhile keeps its place: record_sync then changes nothing
    states.record_sync(
        event.dossier_id,
        {
            "last_event_at": event.occurred_at.isoformat(),
            "last_event_id": event.id,
            "last_status": payload["status"],
            "synced_at": iso(now()),
        },
    )
    logger.info("status synced", extra={"dossier_code": payload["dossier_code"], "status": payload["status"]})
    return True
