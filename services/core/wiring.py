"""Core's own function (the outbox relay) assembled: the storage its handler is handed, as each
service's wiring.py does for its handlers."""

from collections.abc import Callable

from services.core.dal.queues import send


def publisher() -> Callable[[str, str, str], None]:
    """Sends an event's body to a queue: (queue URL, body, event type)."""
    return send
