"""The province's working calendar: public holidays plus the days an administrator adds, cached briefly."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from typing import Any

from services.core import keys
from services.core.calendar import WorkingCalendar
from services.core.dal import aws, ddb

CACHE_SECONDS = 300
_lock = threading.Lock()
_cached: tuple[float, str, WorkingCalendar] | None = None


def cached(table: str) -> WorkingCalendar | None:
    found = _cached
    if found is not None and found[1] == table and time.monotonic() - found[0] < CACHE_SECONDS:
        return found[2]
    return None


def remember(table: str, item: dict[str, Any] | None) -> WorkingCalendar:
    """The calendar from its table item (read by the caller, alone or batched with another read)."""
    global _cached
    config = json.loads(item["doc"]["S"]) if item else {}
    calendar = WorkingCalendar.with_days(
        days_off=[date.fromisoformat(d) for d in config.get("days_off", [])],
        working_days=[date.fromisoformat(d) for d in config.get("working_days", [])],
    )
    _cached = (time.monotonic(), table, calendar)
    return calendar


def calendar_key() -> dict[str, Any]:
    return ddb.key(keys.catalog_config("CALENDAR"))


def working_calendar(table: str) -> WorkingCalendar:
    """One GetItem every five minutes at most per container."""
    found = cached(table)
    if found is not None:
        return found
    with _lock:
        return remember(table, aws.dynamodb().get_item(TableName=table, Key=calendar_key()).get("Item"))


def save_calendar(table: str, days_off: list[date], working_days: list[date]) -> None:
    global _cached
    doc = {
        "days_off": sorted(d.isoformat() for d in days_off),
        "working_days": sorted(d.isoformat() for d in working_days),
    }
    aws.dynamodb().put_item(
        TableName=table, Item=ddb.serialize({**keys.catalog_config("CALENDAR"), "doc": json.dumps(doc)})
    )
    _cached = None


def calendar_days(table: str) -> dict[str, list[str]]:
    item = aws.dynamodb().get_item(TableName=table, Key=ddb.key(keys.catalog_config("CALENDAR"))).get("Item")
    config = json.loads(item["doc"]["S"]) if item else {}
    return {"days_off": config.get("days_off", []), "working_days": config.get("working_days", [])}
