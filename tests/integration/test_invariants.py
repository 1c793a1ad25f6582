"""The invariant checker finds what is wrong (and only that), and the redrive replays dead letters while
keeping poison. The chaos run (tests/chaos) uses both on the started local cloud."""

from __future__ import annotations

import json

from infra.invariants import Checker, explain
from infra.redrive import discover, poison_reason, redrive
from services.core import keys
from services.core.dal import aws
from services.core.events import Event, EventType


def dossier(n: int, **extra):
    meta = {
        **keys.dossier(f"d{n}"),
        "id": f"d{n}",
        "code": f"000.00.01.H53-261126-{n:04d}",
        "status": "SUBMITTED",
        "agency": "000.00.01.H53",
        "procedure_code": "P1",
        "received_at": "2026-11-26T08:00:00+07:00",
        "channel": "online",
        "placed_at": "2026-11-26T08:00:01+07:00",
        "version": 1,
        **extra,
    }
    from services.tracking.logic import inbox

    index, _ = inbox.index_keys(meta)
    return {**meta, **index}


def stats_row(received: int, in_progress: int) -> dict:
    return {
        **keys.stats("000.00.01.H53", "2026-11", "P1", "d1"),
        "agency": "000.00.01.H53",
        "procedure_code": "P1",
        "month": "2026-11",
        "received": received,
        "received_online": received,
        "in_progress": in_progress,
    }


def submitted_event(n: int) -> dict:
    event = Event(id=f"e{n}", type=EventType.DOSSIER_SUBMITTED, dossier_id=f"d{n}", data={"code": "x"})
    return {**keys.outbox(event.id), "event": event.model_dump_json()}


def findings(items, ledger=None):
    checker = Checker(items, ledger, None, None)
    return checker, {name: inv.findings for name, inv in checker.run().items()}


def test_a_consistent_store_has_no_finding():
    items = [dossier(1), dossier(2), stats_row(2, 2), submitted_event(1), submitted_event(2)]
    items += [{**keys.applied("stats", "e1")}, {**keys.applied("stats", "e2")}]
    _, found = findings(items)
    assert all(not f for f in found.values()), found


def test_a_dossier_never_placed_and_its_uncounted_event_are_found_and_explained_by_its_dead_letter():
    unplaced = {k: v for k, v in dossier(2).items() if not k.startswith("GSI") and k != "placed_at"}
    items = [dossier(1), unplaced, stats_row(1, 1), submitted_event(1), submitted_event(2)]
    items.append({**keys.applied("stats", "e1")})
    checker, found = findings(items)
    assert [f.subject for f in found["inbox"]] == ["d2"]
    assert [f.subject for f in found["events"]] == ["e2"]
    assert len(found["statistics"]) == 1 and found["statistics"][0].related == ["d2"]
    every = [f for fs in found.values() for f in fs]
    letter = Event(id="e2", type=EventType.DOSSIER_SUBMITTED, dossier_id="d2").model_dump_json()
    assert explain(every, {"DossierEventsDLQ": [letter]}, checker) == every
    assert explain(every, {"DossierEventsDLQ": []}, checker) == []


def test_two_paid_orders_and_a_ledger_that_disagrees_are_found():
    orders = [
        {**keys.payment(ref), "txn_ref": ref, "dossier_id": "d1", "status": "PAID", "amount_vnd": 200000}
        for ref in ("T1", "T2")
    ]
    ledger = [
        {"txn_ref": "T1", "status": "PAID", "amount": 20000000},
        {"txn_ref": "T2", "status": "CANCELLED", "amount": 20000000},
        {"txn_ref": "T3", "status": "PAID", "amount": 100},
    ]
    items = [dossier(1, payment_status="PAID"), stats_row(1, 1), *orders]
    _, found = findings(items, ledger)
    what = " | ".join(f.what for f in found["payments"])
    assert "2 orders paid for one dossier" in what
    assert "T2 is PAID, the gateway says CANCELLED" in what
    assert "no order of ours knows" in what


def test_the_redrive_replays_events_and_stream_records_and_keeps_poison(cloud):
    queues = discover("local")
    sqs = aws.sqs()
    good = Event(type=EventType.DOSSIER_STATUS_CHANGED, dossier_id="redrive-test").model_dump_json()
    sqs.send_message(QueueUrl=queues["DossierEventsDLQ"]["url"], MessageBody=good)
    sqs.send_message(QueueUrl=queues["DossierEventsDLQ"]["url"], MessageBody="{not json")
    submitted = Event(type=EventType.DOSSIER_SUBMITTED, dossier_id="redrive-relay")
    record = {
        "dynamodb": {
            "NewImage": {"PK": {"S": f"OUTBOX#{submitted.id}"}, "event": {"S": submitted.model_dump_json()}}
        }
    }
    sqs.send_message(QueueUrl=queues["RelayDLQ"]["url"], MessageBody=json.dumps({"record": record}))
    try:
        report = redrive("local", log=lambda _: None)
        assert report.moved == {"DossierEventsDLQ": 1, "RelayDLQ": 1}
        assert [p.queue for p in report.poison] == ["DossierEventsDLQ"]

        def bodies(name: str) -> list[str]:
            got = sqs.receive_message(QueueUrl=queues[name]["url"], MaxNumberOfMessages=10).get(
                "Messages", []
            )
            for m in got:
                sqs.delete_message(QueueUrl=queues[name]["url"], ReceiptHandle=m["ReceiptHandle"])
            return [m["Body"] for m in got]

        events = bodies("DossierEventsQueue")
        assert good in events and any("redrive-relay" in b for b in events)
        # the relay's record went to every queue its type routes to, as the relay would have sent it
        assert any("redrive-relay" in b for b in bodies("SyncEventsQueue"))
        assert any("redrive-relay" in b for b in bodies("SubmissionEventsQueue"))
        assert bodies("DossierEventsDLQ") == ["{not json"]  # the poison stays, visible again
    finally:
        for name in ("DossierEventsDLQ", "RelayDLQ"):
            sqs.purge_queue(QueueUrl=queues[name]["url"])


def test_poison_is_what_no_consumer_can_read():
    assert poison_reason("UploadsQueue", "rác") == "not JSON"
    assert poison_reason("UploadsQueue", json.dumps({"Records": []})) is None
    assert poison_reason("DossierEventsQueue", json.dumps({"type": "NoSuchEvent"})).startswith("not an event")
    assert (
        poison_reason(
            "DossierEventsQueue", Event(type=EventType.PAYMENT_CONFIRMED, dossier_id="x").model_dump_json()
        )
        is None
    )
