"""The events tracking hears, applied to dossiers: a submission enters its agency's inbox, a citizen's
supplement or withdrawal and a payment move the dossier, and every status change moves the counters.
Each is applied once however often it is delivered."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.core.calendar import WorkingCalendar
from services.core.clock import iso, now
from services.core.dossier import DossierChange, DossierRecord, Missing, StaleDossier
from services.core.dossiers import Status
from services.core.errors import VersionConflict
from services.core.events import Event, EventType
from services.core.observability import logger
from services.core.repository import DossierRepository
from services.tracking.logic import event_steps
from services.tracking.logic import inbox as placement
from services.tracking.logic import stats as counting
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.commits import Actor, StepWriter
from services.tracking.logic.ports import Clock, Counters
from services.tracking.logic.steps import Step

# An applied-event marker outlives any copy of its event: 4 days in a queue, then 14 in its DLQ.
MARKER_DAYS = 21
ATTEMPTS = 5

Decide = Callable[[dict[str, Any], datetime], Step | None]


@dataclass
class Events:
    dossiers: DossierRepository
    counters: Counters
    agencies: Agencies
    writer: StepWriter
    calendar: Callable[[], WorkingCalendar]
    clock: Clock = now

    def on_dossier_event(self, event: Event) -> None:
        """Everything on the dossier-events queue: submissions, citizens' requests, counters."""
        if event.type == EventType.DOSSIER_SUBMITTED:
            self.on_submitted(event)
        elif event.type == EventType.SUPPLEMENT_SUBMITTED:
            round_no = int(event.data.get("round", 0))
            self.apply(
                event, lambda d, m: event_steps.resume_after_supplement(d, round_no, m, self.calendar())
            )
        elif event.type == EventType.WITHDRAWAL_REQUESTED:
            reason = str(event.data.get("reason", ""))
            self.apply(event, lambda d, m: event_steps.withdraw(d, reason, m))
        elif event.type == EventType.DOSSIER_STATUS_CHANGED:
            self.count(event, event.data.get("stats", []))

    def on_payment_event(self, event: Event) -> None:
        if event.type == EventType.PAYMENT_CONFIRMED:
            self.apply(event, event_steps.payment_confirmed)
        elif event.type == EventType.PAYMENT_REFUNDED:
            self.apply(event, event_steps.payment_refunded)

    def on_submitted(self, event: Event) -> bool:
        """A submitted dossier enters its agency's inbox (once) and is counted as received."""
        record = self.dossiers.load(event.dossier_id, whole=False)
        if record is None or not record.meta.get("code"):
            # the submit and its event are one transaction, so this is not a dossier of ours
            logger.warning("submitted event without a submitted dossier", extra={"event_id": event.id})
            return False
        if not record.meta.get("placed_at"):
            self._place(record)
        # count the dossier as it was when submitted; later changes carry their own differences
        as_submitted = {
            "received_at": event.data["received_at"],
            "agency": event.data["agency"],
            "procedure_code": event.data["procedure_code"],
            "status": Status.SUBMITTED.value,
            "channel": event.data.get("channel", "online"),
        }
        self.count(event, counting.difference({}, counting.contribution(as_submitted)))
        return True

    def _place(self, record: DossierRecord) -> None:
        agency = record.current_agency
        index, _ = placement.index_keys(
            {**record.meta, "current_agency": agency}, self.agencies.shards(agency)
        )
        placed = {
            **index,
            "current_agency": agency,
            "placed_at": iso(self.clock()),
            "current_agency_name": record.meta["agency_name"],
            "channel": "online",
        }
        with suppress(StaleDossier):  # placed by an earlier delivery of the same event
            self.dossiers.commit(DossierChange(record.id, set=placed, conditions=[Missing("placed_at")]))

    def apply(self, event: Event, decide: Decide) -> None:
        """One event's step on the dossier as it stands, read again if an official acted meanwhile."""
        for _ in range(ATTEMPTS):
            record = self.dossiers.load(event.dossier_id, whole=False)
            if record is None:
                return
            step = decide(record.meta, self.clock())
            if step is None:
                return  # nothing to do, or already done (a redelivered event)
            by = "citizen" if step.detail.get("actor") == "citizen" else "system"
            try:
                self.writer.write(record.meta, step, Actor(by, record.current_agency), self.clock())
                return
            except VersionConflict:
                continue
        raise RuntimeError("dossier kept changing; the event will be retried")

    def count(self, event: Event, deltas: list[dict[str, Any]]) -> None:
        if deltas:
            expires = int((self.clock() + timedelta(days=MARKER_DAYS)).timestamp())
            self.counters.apply_counts("stats", event.id, deltas, event.dossier_id, expires)
