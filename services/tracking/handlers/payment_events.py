"""The payment-events queue: payments confirmed or refunded move the dossier's payment status."""

from services.core.consumer import event_consumer
from services.tracking.wiring import tracking

handler = event_consumer("tracking-payment-events", tracking().events.on_payment_event)
