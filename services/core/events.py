"""The event envelope, the event types and where each type is delivered.

A state change and the events it causes are written in one TransactWriteItems: the change plus one
OUTBOX# item per event (`services.core.dal.outbox.outbox_put`). The relay (core.handlers.relay)
publishes outbox items from the table stream to the queues below, so a crash between the write and the
publish loses nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from services.core.clock import now

OUTBOX_TTL_SECONDS = 7 * 24 * 3600


class EventType(StrEnum):
    # submission
    DOSSIER_SUBMITTED = "DossierSubmitted"
    SUPPLEMENT_SUBMITTED = "SupplementSubmitted"
    WITHDRAWAL_REQUESTED = "WithdrawalRequested"
    # tracking
    DOSSIER_STATUS_CHANGED = "DossierStatusChanged"
    RESULT_RETURNED = "ResultReturned"
    REFUND_REQUESTED = "RefundRequested"
    # payment
    PAYMENT_CONFIRMED = "PaymentConfirmed"
    PAYMENT_REFUNDED = "PaymentRefunded"
    RESULT_DELIVERED = "ResultDelivered"


class Queue(StrEnum):
    """Logical queues; each maps to the setting `{name}_queue_url` (e.g. DOSSIER_EVENTS_QUEUE_URL)."""

    DOSSIER_EVENTS = "dossier_events"  # to tracking: inbox, status changes asked by citizens, statistics
    PAYMENT_EVENTS = "payment_events"  # to tracking: payment status
    DELIVERY_EVENTS = "delivery_events"  # to payment: result delivery
    REFUND_EVENTS = "refund_events"  # to payment: refunds of refused or withdrawn paid dossiers
    SYNC_EVENTS = "sync_events"  # to tracking: the national-portal sync
    SUBMISSION_EVENTS = "submission_events"  # to submission: documents of a sent dossier are kept


ROUTES: dict[EventType, tuple[Queue, ...]] = {
    EventType.DOSSIER_SUBMITTED: (Queue.DOSSIER_EVENTS, Queue.SYNC_EVENTS, Queue.SUBMISSION_EVENTS),
    EventType.SUPPLEMENT_SUBMITTED: (Queue.DOSSIER_EVENTS, Queue.SUBMISSION_EVENTS),
    EventType.WITHDRAWAL_REQUESTED: (Queue.DOSSIER_EVENTS,),
    EventType.DOSSIER_STATUS_CHANGED: (Queue.DOSSIER_EVENTS, Queue.SYNC_EVENTS),
    EventType.RESULT_RETURNED: (Queue.DELIVERY_EVENTS,),
    EventType.REFUND_REQUESTED: (Queue.REFUND_EVENTS,),
    EventType.PAYMENT_CONFIRMED: (Queue.PAYMENT_EVENTS,),
    EventType.PAYMENT_REFUNDED: (Queue.PAYMENT_EVENTS,),
    EventType.RESULT_DELIVERED: (Queue.SYNC_EVENTS,),
}


class Event(BaseModel):
    """The one envelope every event travels in."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    type: EventType
    version: int = 1
    occurred_at: datetime = Field(default_factory=now)
    dossier_id: str
    data: dict[str, Any] = Field(default_factory=dict)


def from_outbox_image(image: dict[str, Any]) -> Event:
    """The event recorded in an outbox item (a stream NewImage in DynamoDB JSON)."""
    return Event.model_validate_json(image["event"]["S"])
