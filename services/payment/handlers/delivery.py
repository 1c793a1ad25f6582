"""The delivery-events queue: a returned result reaches the citizen the way they chose, with notices."""

from services.core.consumer import event_consumer
from services.core.events import Event, EventType
from services.payment.wiring import delivery

service = delivery()


def deliver(event: Event) -> None:
    if event.type == EventType.RESULT_RETURNED:
        service.deliver(event)


handler = event_consumer("result-delivery", deliver)
