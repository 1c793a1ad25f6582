"""Where a dossier sits in the indexes: its agency's inbox (most urgent first), its status list, and the
deadline alarm the sweeper looks for. Computed from the dossier after every change."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.clock import iso, parse
from services.core.cursors import Cursors, InvalidCursor
from services.core.dossiers import FINAL, Status
from services.tracking.logic.steps import DUE_SOON_HOURS, WAITING

INDEX_ATTRIBUTES = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK")
ALARM_KIND = "deadline"
ALARMED = frozenset({Status.ACCEPTED, Status.IN_PROCESS, Status.PAYMENT_REQUIRED})


def urgency(d: dict[str, Any]) -> str:
    """Due date (or receipt) first; dossiers waiting for the citizen after the rest ('~' sorts last)."""
    moment = d.get("due_at") or d.get("received_at") or ""
    waiting = Status(d["status"]) in WAITING or bool(d.get("paused_at"))
    return f"~{moment}" if waiting else moment


def alarm_at(d: dict[str, Any]) -> str | None:
    if Status(d["status"]) not in ALARMED or not d.get("due_at") or d.get("paused_at") or d.get("overdue"):
        return None
    due = parse(d["due_at"])
    return iso(due if d.get("due_soon") else due - timedelta(hours=DUE_SOON_HOURS * 3))


def index_keys(d: dict[str, Any], shards: int = 1) -> tuple[dict[str, str], list[str]]:
    """The index attributes to set and to remove for a dossier in this state (in an agency whose
    inbox has `shards` partitions)."""
    agency = d.get("current_agency") or d["agency"]
    status = Status(d["status"])
    when = urgency(d)
    shard = keys.shard_of(d["id"], shards) if shards > 1 else 0
    values = dict(keys.inbox_by_status(agency, status.value, when, d["code"], shard, shards))
    removed = []
    if status in FINAL:
        removed += ["GSI1PK", "GSI1SK"]
    else:
        values.update(keys.inbox(agency, when, d["code"], shard, shards))
    alarm = alarm_at(d)
    if alarm:
        values.update(keys.alarm(ALARM_KIND, alarm, d["id"]))
    else:
        removed += ["GSI3PK", "GSI3SK"]
    return values, removed


def is_overdue(d: dict[str, Any], now: datetime) -> bool:
    return (
        bool(d.get("due_at"))
        and not d.get("paused_at")
        and Status(d["status"]) in ALARMED | WAITING
        and parse(d["due_at"]) < now
    )


def encode_cursor(
    cursors: Cursors, last_key: dict[str, Any] | None, partition_attribute: str, partition: str
) -> str | None:
    """The next page's cursor, good only for this partition of this index."""
    if not last_key:
        return None
    return cursors.issue(_scope(partition_attribute, [partition]), {k: v["S"] for k, v in last_key.items()})


def decode_cursor(
    cursors: Cursors, cursor: str | None, partition_attribute: str, partition: str
) -> dict[str, Any] | None:
    """The page's start key; it must belong to the partition being read (no reading another inbox)."""
    plain = cursors.read(_scope(partition_attribute, [partition]), cursor)
    if plain is None:
        return None
    return _start_key(plain, partition_attribute, partition)


def encode_shard_cursor(
    cursors: Cursors,
    starts: list[dict[str, Any] | None],
    done: list[bool],
    attribute: str,
    partitions: list[str],
) -> str | None:
    """Where each shard of a sharded inbox continues; None when every shard is read to its end."""
    if all(done):
        return None
    shards = [
        None if d else ({k: v["S"] for k, v in s.items()} if s else {})
        for s, d in zip(starts, done, strict=True)
    ]
    return cursors.issue(_scope(attribute, partitions), {"shards": shards})


def decode_shard_cursor(
    cursors: Cursors, cursor: str | None, attribute: str, partitions: list[str]
) -> tuple[list[dict[str, Any] | None], list[bool]]:
    plain = cursors.read(_scope(attribute, partitions), cursor)
    if plain is None:
        return [None] * len(partitions), [False] * len(partitions)
    shards = plain.get("shards") if isinstance(plain, dict) else None
    if not isinstance(shards, list) or len(shards) != len(partitions):
        raise InvalidCursor()
    starts: list[dict[str, Any] | None] = []
    done = []
    for entry, partition in zip(shards, partitions, strict=True):
        done.append(entry is None)
        starts.append(_start_key(entry, attribute, partition) if entry else None)
    return starts, done


def _scope(attribute: str, partitions: list[str]) -> str:
    return f"dynamodb:{attribute}={'|'.join(partitions)}"


def _start_key(plain: Any, attribute: str, partition: str) -> dict[str, Any]:
    # signed, so issued here; checked again so a key leak alone cannot aim a cursor at another inbox
    if (
        not isinstance(plain, dict)
        or plain.get(attribute) != partition
        or not all(isinstance(v, str) for v in plain.values())
    ):
        raise InvalidCursor()
    return {k: {"S": v} for k, v in plain.items()}
