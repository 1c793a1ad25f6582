"""What the national public-service portal is told about a dossier: its status, never personal data."""

from __future__ import annotations

from typing import Any

from services.core.events import Event, EventType


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
