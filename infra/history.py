"""`python -m infra history --dossiers N`: a year of finished dossiers in the local table, to try the
console and the statistics at a province's volume (about 480,000 dossiers a year).

The dossiers are written straight into the table with BatchWriteItem through core's dal (the keys of
`services.core.keys`, the index placement of tracking, the statistics counters each dossier
contributes), not through the HTTP APIs: a year through the APIs would take the local cloud days. Each
one is what the system leaves after a dossier was received, accepted, processed and returned: META in
its agency's "returned" list (GSI2), what the citizen declared, two documents, five history entries, its
code's lookup, and its share of the month's counters. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ, iso, iso_ms
from services.core.dal import aws, ddb
from services.core.dal.calendar_config import working_calendar
from services.core.dossiers import dossier_code
from services.tracking.logic import inbox, stats

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Lâm", "Thạch")
GIVEN = ("Văn An", "Thị Lan", "Minh Tuấn", "Thị Hồng", "Quốc Bảo", "Ngọc Hân", "Thanh Sơn", "Kim Liên")
LATE_SHARE = 0.08  # a province's late share, before the reform of the one-stop shop


@dataclass
class LoadReport:
    dossiers: int
    items: int
    seconds: float

    def line(self) -> str:
        rate = self.dossiers / self.seconds if self.seconds else 0
        return (
            f"{self.dossiers:,} finished dossiers ({self.items:,} items) written in {self.seconds:.0f} s "
            f"({rate:,.0f} a second), through the dal in batches of 25, not through the APIs"
        )


def procedures(table: str) -> list[dict[str, Any]]:
    """The catalogue's listing records (one GSI1 partition)."""
    found = ddb.all_items(
        aws.dynamodb().query,
        TableName=table,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :p",
        ExpressionAttributeValues={":p": {"S": keys.CATALOG_PARTITION}},
        ProjectionExpression="listing",
    )
    return [json.loads(item["listing"]["S"]) for item in found]


def dossiers(
    catalogue: list[dict[str, Any]],
    count: int,
    calendar: WorkingCalendar,
    seed: int = 2026,
    end: datetime | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Each dossier's items, received over the year before `end` on working days."""
    rng = random.Random(seed)
    end = end or datetime.now(VN_TZ).replace(hour=8, minute=0, second=0, microsecond=0)
    online = [p for p in catalogue if int(p.get("level") or 0) >= 3] or catalogue
    sequences: dict[tuple[str, str], int] = defaultdict(int)
    for n in range(count):
        procedure = rng.choice(online)
        received = end - timedelta(days=rng.uniform(1, 365), minutes=rng.randrange(0, 8 * 60))
        received = received.replace(hour=7 + rng.randrange(0, 9))
        yymmdd = received.strftime("%y%m%d")
        agency = procedure["agency"]["code"]
        sequences[(agency, yymmdd)] += 1
        yield _dossier(
            rng, procedure, dossier_code(agency, yymmdd, sequences[(agency, yymmdd)]), received, calendar, n
        )


@dataclass(frozen=True)
class Life:
    """When a finished dossier went through each step."""

    received: datetime
    accepted: datetime
    due: datetime
    processed: datetime
    returned: datetime

    @property
    def on_time(self) -> bool:
        return self.processed <= self.due


def _life(rng: random.Random, received: datetime, days: float, calendar: WorkingCalendar) -> Life:
    accepted = received + timedelta(hours=rng.uniform(0.5, 6))
    due = calendar.add_working_days(accepted, days)
    if rng.random() < LATE_SHARE:
        processed = due + timedelta(days=rng.uniform(0.5, 4))
    else:
        processed = accepted + (due - accepted) * rng.uniform(0.3, 0.95)
    return Life(received, accepted, due, processed, processed + timedelta(hours=rng.uniform(1, 24)))


def _dossier(
    rng: random.Random,
    procedure: dict[str, Any],
    code: str,
    received: datetime,
    calendar: WorkingCalendar,
    n: int,
) -> list[dict[str, Any]]:
    dossier_id = uuid.UUID(int=rng.getrandbits(128)).hex
    life = _life(rng, received, float(procedure.get("processing_days") or 5), calendar)
    name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
    meta = _meta(dossier_id, code, procedure, life, name)
    content = {
        **keys.dossier_part(dossier_id, keys.CONTENT),
        "applicant": {"full_name": name, "id_number": f"0{rng.randrange(10**10, 10**11)}"},
        "form_data": {},
        "delivery": {"method": "online"},
        "documents": [],
    }
    lookup = {**keys.code_lookup(code), "dossier_id": dossier_id, "agency": meta["agency"]}
    return [meta, content, *_files(dossier_id, life), *_history(dossier_id, meta["agency"], life, n), lookup]


def _meta(dossier_id: str, code: str, procedure: dict[str, Any], life: Life, name: str) -> dict[str, Any]:
    agency = procedure["agency"]
    meta = {
        **keys.dossier(dossier_id),
        "id": dossier_id,
        "code": code,
        "status": "RESULT_RETURNED",
        "version": 6,
        "procedure_code": procedure["code"],
        "procedure_name": procedure["name"],
        "agency": agency["code"],
        "agency_name": agency["name"],
        "current_agency": agency["code"],
        "current_agency_name": agency["name"],
        "level": procedure.get("level", 3),
        "processing_days": float(procedure.get("processing_days") or 5),
        "payment_status": "NOT_REQUIRED",
        "applicant_name": name,
        "delivery_method": "online",
        "channel": "online",
        "received_at": iso(life.received),
        "submitted_at": iso(life.received),
        "placed_at": iso(life.received),
        "accepted_at": iso(life.accepted),
        "due_at": iso(life.due),
        "processed_at": iso(life.processed),
        "processed_on_time": life.on_time,
        "returned_at": iso(life.returned),
        "updated_at": iso(life.returned),
        "outcome": "approved",
    }
    index, _ = inbox.index_keys(meta)
    return {**meta, **index}


def _history(dossier_id: str, agency: str, life: Life, n: int) -> list[dict[str, Any]]:
    steps = [
        ("submit", "DRAFT", "SUBMITTED", life.received, "citizen"),
        ("accept", "SUBMITTED", "ACCEPTED", life.accepted, "official"),
        ("start", "ACCEPTED", "IN_PROCESS", life.accepted + timedelta(hours=1), "official"),
        ("decide", "IN_PROCESS", "PROCESSED", life.processed, "official"),
        ("return_result", "PROCESSED", "RESULT_RETURNED", life.returned, "official"),
    ]
    return [
        {
            **keys.history(dossier_id, iso_ms(at), version),
            "at": iso_ms(at),
            "action": action,
            "from_status": before,
            "to_status": after,
            "agency": agency,
            "by": "citizen" if actor == "citizen" else f"can-bo-{n % 40}",
            "actor": actor,
        }
        for version, (action, before, after, at, actor) in enumerate(steps, start=1)
    ]


def _files(dossier_id: str, life: Life) -> list[dict[str, Any]]:
    return [
        {
            **keys.dossier_file(dossier_id, f"f{k}"),
            "file_id": f"f{k}",
            "component_id": f"TP{k}",
            "key": f"dossiers/{dossier_id}/f{k}.pdf",
            "file_name": f"giay-to-{k}.pdf",
            "content_type": "application/pdf",
            "size": 180_000 + k,
            "status": "VERIFIED",
            "submitted": True,
            "created_at": iso_ms(life.received - timedelta(minutes=5 - k)),
        }
        for k in (1, 2)
    ]


def load(
    table: str,
    count: int,
    seed: int = 2026,
    end: datetime | None = None,
    catalogue: list[dict[str, Any]] | None = None,
) -> LoadReport:
    """Writes `count` finished dossiers of the table's catalogue (or of `catalogue`)."""
    started = time.perf_counter()
    metas: list[dict[str, Any]] = []
    written = 0
    batch: list[dict[str, Any]] = []
    chosen = catalogue if catalogue is not None else procedures(table)
    for items in dossiers(chosen, count, working_calendar(table), seed, end):
        metas.append(items[0])
        batch.extend(items)
        while len(batch) >= 25:
            written += _write(table, batch[:25])
            batch = batch[25:]
    written += _write(table, batch) if batch else 0
    for counter in counters(metas):  # each counter once, with what all its dossiers contribute
        fields = {k: v for k, v in counter.items() if k in ("agency", "procedure_code", "month")}
        adds = {k: v for k, v in counter.items() if k in stats.FIELDS}
        op = ddb.update_op(table, {"PK": counter["PK"], "SK": counter["SK"]}, fields, add=adds)
        aws.dynamodb().update_item(**op["Update"])
        written += 1
    return LoadReport(count, written, time.perf_counter() - started)


def counters(metas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statistics counter items the dossiers add up to (sharded as the live counters are)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for meta in metas:
        for (agency, procedure, month, name), amount in stats.contribution(meta).items():
            key = keys.stats(agency, month, procedure, meta["id"])
            entry = found.setdefault(
                (key["PK"], key["SK"]), {**key, "agency": agency, "procedure_code": procedure, "month": month}
            )
            entry[name] = entry.get(name, 0) + amount
    return list(found.values())


def _write(table: str, items: list[dict[str, Any]]) -> int:
    pending = [{"PutRequest": {"Item": ddb.serialize(item)}} for item in items]
    while pending:
        answer = aws.dynamodb().batch_write_item(RequestItems={table: pending})
        pending = answer.get("UnprocessedItems", {}).get(table, [])
    return len(items)
