"""The outbox item of an event, written in the same TransactWriteItems as the change that caused it."""

from __future__ import annotations

from typing import Any

from services.core import keys
from services.core.dal import ddb
from services.core.events import OUTBOX_TTL_SECONDS, Event


def outbox_put(table: str, event: Event) -> dict[str, Any]:
    """The TransactWriteItems entry that records an event in the outbox."""
    item = {
        **keys.outbox(event.id),
        "event_type": event.type.value,
        "event": event.model_dump_json(),
        "expires_at": int(event.occurred_at.timestamp()) + OUTBOX_TTL_SECONDS,
    }
    return {
        "Put": {
            "TableName": table,
            "Item": ddb.serialize(item),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }
