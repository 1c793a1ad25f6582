"""The refund-events queue: money paid for a refused, stopped or withdrawn dossier goes back."""

from services.core.consumer import event_consumer
from services.core.events import Event, EventType
from services.payment.wiring import payments

service = payments()


def refund(event: Event) -> None:
    if event.type == EventType.REFUND_REQUESTED:
        service.refunds.refund(event)


handler = event_consumer("refunder", refund)
