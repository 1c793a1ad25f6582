"""Keeps a sent dossier's documents: they stop expiring with abandoned drafts (bucket lifecycle)."""

from __future__ import annotations

from services.core.consumer import event_consumer
from services.core.events import Event
from services.submission.wiring import submission

service = submission()


def keep(event: Event) -> None:
    service.keep_documents(event.dossier_id)


handler = event_consumer("keeper", keep)
