"""Where a dossier sits in the indexes: its agency's inbox (most urgent first), its status list, and the
deadline alarm the sweeper looks for. Computed from the dossier after every change."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.clock import iso, parse
from services.core.dossiers import FINAL, Status
from services.core.errors import BadRequest
from services.tracking.logic.workflow import DUE_SOON_HOURS, WAITING

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


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    plain = {k: v["S"] for k, v in last_key.items()}
    return _encode(plain)


def _encode(plain: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def decode_cursor(cursor: str | None, partition_attribute: str, partition: str) -> dict[str, Any] | None:
    """The page's start key; it must belong to the partition being read (no reading another inbox)."""
    if not cursor:
        return None
    try:
        plain = _decode(cursor)
        if not isinstance(plain, dict) or plain.get(partition_attribute) != partition:
            raise ValueError
        return {k: {"S": str(v)} for k, v in plain.items()}
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(
            "Tham số cursor không hợp lệ; hãy dùng giá trị next_cursor của trang trước."
        ) from err


def encode_shard_cursor(starts: list[dict[str, Any] | None], done: list[bool]) -> str | None:
    """Where each shard of a sharded inbox continues; None when every shard is read to its end."""
    if all(done):
        return None
    return _encode(
        {
            "shards": [
                None if d else ({k: v["S"] for k, v in s.items()} if s else {})
                for s, d in zip(starts, done, strict=True)
            ]
        }
    )


def decode_shard_cursor(
    cursor: str | None, attribute: str, partitions: list[str]
) -> tuple[list[dict[str, Any] | None], list[bool]]:
    if not cursor:
        return [None] * len(partitions), [False] * len(partitions)
    try:
        plain = _decode(cursor)
        shards = plain["shards"]
        if not isinstance(shards, list) or len(shards) != len(partitions):
            raise ValueError
        starts: list[dict[str, Any] | None] = []
        done = []
        for entry, partition in zip(shards, partitions, strict=True):
            done.append(entry is None)
            if entry and entry.get(attribute) != partition:
                raise ValueError
            starts.append({k: {"S": str(v)} for k, v in entry.items()} if entry else None)
        return starts, done
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise BadRequest(
            "Tham số cursor không hợp lệ; hãy dùng giá trị next_cursor của trang trước."
        ) from err
