"""The invariant checker (`python -m infra check`, the chaos run): reads everything back and says what
does not hold.

- **inbox**: every submitted dossier is in exactly one inbox, its agency's, under the keys its state
  gives (finished dossiers in none);
- **payments**: no dossier has two settled orders, every order agrees with the gateway's ledger (the
  simulator's, on the local cloud), money taken is always recorded, and the dossier's payment status
  follows its orders;
- **events**: every event had its effect: a submitted dossier was placed and counted, its documents
  kept, a payment reached tracking, a result was delivered and its notices sent, a refund happened, and
  the national portal holds each dossier's latest status;
- **statistics**: the counters equal a recomputation from the dossiers;
- **dead letters**: what the dead-letter queues hold.

A failure that a dead-letter message names (its dossier, event or document) is *explained*: the system
knows and an operator can replay it (`python -m infra redrive`). Only unexplained failures are
violations; after a redrive, nothing should be left to explain.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dossiers import FINAL, Status
from services.core.events import Event, EventType
from services.tracking.logic import inbox as placement
from services.tracking.logic.stats import FIELDS, recompute
from services.tracking.logic.sync import national_update

SERVICE = "dichvucong"
LEDGER_STATUS = {"PAID": {"PAID"}, "REFUNDED": {"REFUNDED"}, "FAILED": {"FAILED"}, "CANCELLED": {"CANCELLED"}}


@dataclass
class Finding:
    invariant: str
    subject: str  # a dossier id, event id or key: what a dead letter would name
    what: str
    related: list[str] = field(default_factory=list)  # dossiers whose dead letters would explain it


@dataclass
class Invariant:
    name: str
    description: str
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Result:
    invariants: dict[str, Invariant]
    explained: list[Finding]
    dead_letters: dict[str, int]
    poison: int

    @property
    def violations(self) -> list[Finding]:
        return [f for inv in self.invariants.values() for f in inv.findings]

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_json(self) -> dict[str, Any]:
        explained = Counter(f.invariant for f in self.explained)
        return {
            "ok": self.ok,
            "invariants": {
                inv.name: {
                    "description": inv.description,
                    "checked": inv.checked,
                    "violations": len(inv.findings),
                    "explained": explained[inv.name],
                }
                for inv in self.invariants.values()
            },
            "violations": [f.__dict__ for f in self.violations],
            "explained": [f.__dict__ for f in self.explained],
            "dead_letters": self.dead_letters,
            "poison": self.poison,
        }

    def lines(self) -> list[str]:
        out = ["| invariant | checked | violations | explained by a dead letter |", "|---|---:|---:|---:|"]
        explained = Counter(f.invariant for f in self.explained)
        for inv in self.invariants.values():
            out.append(f"| {inv.description} | {inv.checked} | {len(inv.findings)} | {explained[inv.name]} |")
        out.append(
            f"| dead-letter messages | {sum(self.dead_letters.values())} | - | poison: {self.poison} |"
        )
        for finding in self.violations[:20]:
            out.append(f"- VIOLATION {finding.invariant} {finding.subject}: {finding.what}")
        return out


# -- reading everything ------------------------------------------------------------------------------


def _scan(table: str) -> list[dict[str, Any]]:
    return [ddb.deserialize(i) or {} for i in ddb.all_items(aws.dynamodb().scan, TableName=table)]


def find_table(stage: str) -> str:
    import os

    return os.environ.get("TABLE_NAME") or f"{SERVICE}-{stage}"  # serverless.yml names it so


def _find_bucket(stage: str, logical: str) -> str | None:
    prefix = f"{SERVICE}-{stage}-{logical}".lower()
    return next((b["Name"] for b in aws.s3().list_buckets()["Buckets"] if b["Name"].startswith(prefix)), None)


def _dead_letters(stage: str) -> tuple[dict[str, list[str]], int]:
    """Bodies of every message in every dead-letter queue (read, then released), and the poison count."""
    from infra.redrive import RELAY_DLQ, _messages, _release, discover, poison_reason

    queues = discover(stage)
    by_arn = {entry["arn"]: logical for logical, entry in queues.items()}
    sources = {by_arn[e["dlq_arn"]]: logical for logical, e in queues.items() if e.get("dlq_arn") in by_arn}
    bodies: dict[str, list[str]] = {}
    poison = 0
    for dlq in [*sources, RELAY_DLQ]:
        if dlq not in queues:
            continue
        messages = _messages(queues[dlq]["url"])
        _release(queues[dlq]["url"], messages)
        bodies[dlq] = [m["Body"] for m in messages]
        if dlq in sources:
            poison += sum(1 for m in messages if poison_reason(sources[dlq], m["Body"]))
    return bodies, poison


def _get_json(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


# -- the checks --------------------------------------------------------------------------------------


class Checker:
    def __init__(
        self,
        items: list[dict[str, Any]],
        ledger: list[dict[str, Any]] | None,
        national: list[dict[str, Any]] | None,
        uploads_bucket: str | None,
    ):
        self.items = items
        self.ledger = ledger
        self.national = national
        self.uploads_bucket = uploads_bucket
        self.parts: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.events: list[Event] = []
        self.applied: set[str] = set()
        self.stats: list[dict[str, Any]] = []
        self.uncounted: set[str] = set()  # dossiers with an event the counters never applied
        structure: dict[str, Any] = {}
        for item in items:
            pk, sk = item["PK"], item["SK"]
            if pk.startswith("DOSSIER#"):
                self.parts[pk.removeprefix("DOSSIER#")][sk] = item
            elif pk.startswith("PAY#"):
                self.orders[item["dossier_id"]].append(item)
            elif pk.startswith("OUTBOX#"):
                self.events.append(Event.model_validate_json(item["event"]))
            elif pk.startswith("APPLIED#"):
                self.applied.add(pk)
            elif pk.startswith("STATS#"):
                self.stats.append(item)
            elif pk == keys.catalog_config("STRUCTURE")["PK"]:
                structure = json.loads(item["doc"])
        self.shards = {
            a["code"]: max(1, int(a.get("inbox_shards", 1))) for a in structure.get("agencies", [])
        }
        self.dossiers = {
            i: p["META"] for i, p in self.parts.items() if "META" in p and p["META"].get("status") != "DRAFT"
        }
        self.invariants = {
            name: Invariant(name, description)
            for name, description in (
                ("inbox", "every submitted dossier in exactly one inbox, its agency's"),
                ("payments", "no order paid twice; orders = gateway ledger; dossiers follow orders"),
                ("events", "every event had its effect (nothing lost or stuck)"),
                ("statistics", "statistics = recomputation from the dossiers"),
            )
        }

    def fail(self, invariant: str, subject: str, what: str, related: list[str] | None = None) -> None:
        self.invariants[invariant].findings.append(Finding(invariant, subject, what, related or []))

    def run(self) -> dict[str, Invariant]:
        self.inbox()
        self.payments()
        self.effects()
        self.statistics()
        return self.invariants

    def inbox(self) -> None:
        listed: Counter[str] = Counter()
        for item in self.items:
            if str(item.get("GSI1PK", "")).startswith("INBOX#"):
                listed[str(item["GSI1SK"]).rsplit("#", 1)[-1]] += 1
        inv = self.invariants["inbox"]
        for dossier_id, meta in self.dossiers.items():
            inv.checked += 1
            if not meta.get("placed_at"):
                self.fail("inbox", dossier_id, "submitted but never placed in an inbox")
                continue
            agency = meta.get("current_agency") or meta["agency"]
            expected, _ = placement.index_keys(meta, self.shards.get(agency, 1))
            final = Status(meta["status"]) in FINAL
            wanted = 0 if final else 1
            if listed[meta["code"]] != wanted:
                self.fail("inbox", dossier_id, f"listed in {listed[meta['code']]} inboxes, expected {wanted}")
            for name in ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"):
                if expected.get(name) != meta.get(name):
                    self.fail(
                        "inbox",
                        dossier_id,
                        f"{name} is {meta.get(name)!r}, its state gives {expected.get(name)!r}",
                    )
                    break

    def payments(self) -> None:
        ledger = {e["txn_ref"]: e for e in self.ledger or []}
        ours = {o["txn_ref"] for orders in self.orders.values() for o in orders}
        inv = self.invariants["payments"]
        for dossier_id, orders in self.orders.items():
            settled = [o for o in orders if o["status"] in ("PAID", "REFUNDED")]
            inv.checked += 1
            if len(settled) > 1:
                self.fail("payments", dossier_id, f"{len(settled)} orders paid for one dossier")
            for order in orders:
                inv.checked += 1
                entry = ledger.get(order["txn_ref"])
                if self.ledger is None:
                    continue
                if entry is None:
                    if order["status"] in ("PAID", "REFUNDED"):
                        self.fail(
                            "payments",
                            dossier_id,
                            f"order {order['txn_ref']} {order['status']} but unknown to the gateway",
                        )
                    continue
                if entry["amount"] != int(order["amount_vnd"]) * 100:
                    self.fail(
                        "payments", dossier_id, f"order {order['txn_ref']} amount differs from the ledger"
                    )
                gateway = entry["status"]
                if order["status"] in LEDGER_STATUS and gateway not in LEDGER_STATUS[order["status"]]:
                    self.fail(
                        "payments",
                        dossier_id,
                        f"order {order['txn_ref']} is {order['status']}, the gateway says {gateway}",
                    )
                if gateway in ("PAID", "REFUNDED") and order["status"] not in ("PAID", "REFUNDED"):
                    self.fail(
                        "payments",
                        dossier_id,
                        f"the gateway took the money for {order['txn_ref']} "
                        f"but the order is {order['status']}",
                    )
            meta = self.dossiers.get(dossier_id)
            if meta is not None:
                state = (
                    "REFUNDED"
                    if any(o["status"] == "REFUNDED" for o in orders)
                    else ("PAID" if settled else None)
                )
                if state and meta.get("payment_status") != state:
                    self.fail("payments", dossier_id, f"order {state}, dossier {meta.get('payment_status')}")
                if not state and meta.get("payment_status") in ("PAID", "REFUNDED"):
                    self.fail(
                        "payments", dossier_id, f"dossier {meta.get('payment_status')} without an order"
                    )
        for entry in self.ledger or []:
            if entry["txn_ref"] not in ours and entry["status"] in ("PAID", "REFUNDED"):
                inv.checked += 1
                self.fail("payments", entry["txn_ref"], "the gateway holds a payment no order of ours knows")

    def effects(self) -> None:
        inv = self.invariants["events"]
        latest_sync: dict[str, Event] = {}
        for event in self.events:
            inv.checked += 1
            parts = self.parts.get(event.dossier_id, {})
            meta = parts.get("META", {})
            if event.type in (EventType.DOSSIER_SUBMITTED, EventType.DOSSIER_STATUS_CHANGED):
                counted = event.type == EventType.DOSSIER_SUBMITTED or bool(event.data.get("stats"))
                if counted and f"APPLIED#stats#{event.id}" not in self.applied:
                    self.uncounted.add(event.dossier_id)
                    self.fail("events", event.id, f"{event.type.value} of {event.dossier_id} never counted")
                if national_update(event) is not None:
                    current = latest_sync.get(event.dossier_id)
                    if current is None or event.occurred_at > current.occurred_at:
                        latest_sync[event.dossier_id] = event
            if event.type == EventType.DOSSIER_SUBMITTED:
                self._documents_kept(event, parts)
            elif event.type == EventType.PAYMENT_CONFIRMED:
                if meta.get("payment_status") not in ("PAID", "REFUNDED"):
                    self.fail("events", event.id, f"payment of {event.dossier_id} never reached tracking")
            elif event.type == EventType.RESULT_RETURNED:
                delivery = parts.get("DELIVERY")
                if delivery is None:
                    self.fail("events", event.id, f"result of {event.dossier_id} never delivered")
                # the applicant is in the CONTENT part (on META for dossiers written before it)
                applicant = (parts.get("CONTENT") or {}).get("applicant") or meta.get("applicant") or {}
                for channel, address in (("email", applicant.get("email")), ("sms", applicant.get("phone"))):
                    if (
                        delivery is not None
                        and address
                        and (parts.get(f"NOTICE#{channel}") or {}).get("state") != "sent"
                    ):
                        self.fail("events", event.id, f"{channel} notice of {event.dossier_id} not sent")
            elif event.type == EventType.REFUND_REQUESTED and any(
                o["status"] == "PAID" for o in self.orders.get(event.dossier_id, [])
            ):
                self.fail("events", event.id, f"refund of {event.dossier_id} never made")
        if self.national is None:
            return
        heard: dict[str, dict[str, Any]] = {}
        for update in self.national:
            code = update["dossier_code"]
            if code not in heard or update["occurred_at"] > heard[code]["occurred_at"]:
                heard[code] = update
        for dossier_id, event in latest_sync.items():
            inv.checked += 1
            told = heard.get(str(event.data.get("code")))
            if told is None or told["event_id"] != event.id:
                self.fail(
                    "events",
                    event.id,
                    f"the national portal does not hold the latest status of "
                    f"{dossier_id} ({event.data.get('to_status') or 'SUBMITTED'})",
                )

    def _documents_kept(self, event: Event, parts: dict[str, dict[str, Any]]) -> None:
        if not self.uploads_bucket:
            return
        for sk, item in parts.items():
            if sk.startswith("FILE#") and item.get("status") == "VERIFIED" and item.get("submitted"):
                self.invariants["events"].checked += 1
                try:
                    tags = aws.s3().get_object_tagging(Bucket=self.uploads_bucket, Key=item["key"])["TagSet"]
                except Exception:
                    tags = []
                if {"Key": "state", "Value": "submitted"} not in tags:
                    self.fail("events", event.id, f"document {item['key']} of a sent dossier not kept")

    def statistics(self) -> None:
        counted: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
        for item in self.stats:
            row = counted[(item["agency"], item["procedure_code"], item["month"])]
            for name in FIELDS:
                row[name] += int(item.get(name, 0))
        expected = recompute(self.dossiers.values())
        inv = self.invariants["statistics"]
        for key in sorted(set(counted) | set(expected)):
            inv.checked += 1
            have = counted.get(key, dict.fromkeys(FIELDS, 0))
            want = expected.get(key, dict.fromkeys(FIELDS, 0))
            if have != want:
                diff = {n: (have[n], want[n]) for n in FIELDS if have[n] != want[n]}
                # a row is behind when one of its dossiers has an event not yet counted
                behind = [
                    i for i in self.uncounted if (self.dossiers.get(i) or {}).get("procedure_code") == key[1]
                ]
                self.fail("statistics", "/".join(key), f"counters (have, want): {diff}", behind)


def explain(
    findings: Iterable[Finding], dead_letters: dict[str, list[str]], checker: Checker
) -> list[Finding]:
    """The findings some dead letter names: by event id, dossier id or document key."""
    text = "\n".join(body for bodies in dead_letters.values() for body in bodies)
    explained = []
    for finding in findings:
        subject = finding.subject
        names = {subject, *finding.related}
        event = next((e for e in checker.events if e.id == subject), None)
        if event is not None:
            names.add(event.dossier_id)
        if any(name and name in text for name in names):
            explained.append(finding)
    return explained


def check(stage: str, local_url: str | None = None) -> Result:
    items = _scan(find_table(stage))
    ledger = national = None
    if stage == "local" and local_url:
        ledger = _get_json(f"{local_url}/sim/vnpay/ledger")
        national = _get_json(f"{local_url}/sim/national/api/dossiers")
    checker = Checker(items, ledger, national, _find_bucket(stage, "UploadsBucket"))
    invariants = checker.run()
    dead_letters, poison = _dead_letters(stage)
    explained = explain([f for inv in invariants.values() for f in inv.findings], dead_letters, checker)
    for inv in invariants.values():
        inv.findings = [f for f in inv.findings if f not in explained]
    return Result(invariants, explained, {q: len(b) for q, b in dead_letters.items()}, poison)
