"""The dossier-events queue: submissions into inboxes, citizens' supplements and withdrawals, counters."""

from services.core.consumer import event_consumer
from services.tracking.wiring import tracking

handler = event_consumer("tracking-dossier-events", tracking().events.on_dossier_event)
