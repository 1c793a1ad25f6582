"""The national-portal sync worker: each status change posted to the configured endpoint (logic/sync.py)."""

from __future__ import annotations

from services.core.consumer import event_consumer
from services.core.events import Event
from services.tracking.logic.sync import sync
from services.tracking.wiring import national_portal, sync_states


def apply(event: Event) -> None:
    sync(event, sync_states(), national_portal())


handler = event_consumer("national-sync", apply)
