"""The events tracking hears, on the in-memory repository: a submission enters its inbox once, a citizen's
supplement or withdrawal and a payment move the dossier once, however often they are delivered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.core.clock import iso
from services.core.dossier import DossierChange
from services.core.events import Event, EventType
from tests.unit.tracking_fakes import CODE, MONDAY, A, World, dossier_items, official


def submitted(world: World) -> Event:
    meta = world.dossiers.meta()
    return Event(
        type=EventType.DOSSIER_SUBMITTED,
        dossier_id="d1",
        data={
            "code": CODE,
            "received_at": meta["received_at"],
            "agency": A,
            "procedure_code": meta["procedure_code"],
            "channel": "online",
        },
    )


def inbox_codes(world: World) -> list[str]:
    page = world.tracking.queries.inbox(official(A), None, None, None, 20, None)
    return [item["code"] for item in page["items"]]


def test_a_submitted_dossier_enters_its_agencys_inbox_and_is_counted_once():
    # given a dossier just submitted
    world = World()
    world.given(*dossier_items())
    event = submitted(world)
    # when its event is delivered twice (at-least-once delivery)
    assert world.tracking.events.on_submitted(event)
    placed = world.dossiers.meta()
    world.clock.move(timedelta(minutes=5))
    world.tracking.on_dossier_event(event)
    # then it is in the ward's inbox, placed by the first delivery only
    assert inbox_codes(world) == [CODE]
    assert world.dossiers.meta() == placed and placed["placed_at"] == iso(MONDAY)
    # and counted as received once
    month = placed["received_at"][:7]
    assert world.store.counters == {
        (A, placed["procedure_code"], month): {"received": 1, "received_online": 1, "in_progress": 1}
    }


def test_a_placement_raced_by_another_delivery_of_the_event_keeps_the_first():
    # given a submitted dossier that another delivery of its event places between this one's read and write
    world = World()
    world.given(*dossier_items())
    world.dossiers.race = lambda: world.dossiers.commit(
        DossierChange("d1", set={"placed_at": "2026-11-30T07:59:00+07:00", "current_agency": A})
    )
    # when this delivery places it
    world.tracking.events.on_submitted(submitted(world))
    # then the first placement stands
    assert world.dossiers.meta()["placed_at"] == "2026-11-30T07:59:00+07:00"


def test_a_submitted_event_without_a_submitted_dossier_changes_nothing():
    # given no dossier at all
    world = World()
    # when a submitted event names one
    event = Event(type=EventType.DOSSIER_SUBMITTED, dossier_id="d1", data={})
    # then it is not applied, and nothing is written
    assert world.tracking.events.on_submitted(event) is False
    assert world.dossiers.items == {} and world.store.counters == {}


def paused(**meta: Any) -> list[dict[str, Any]]:
    """A dossier in process for which the receiver asked a supplement on Friday at 13:00: four and a
    half office hours before Monday 8:00 (Friday afternoon, and Monday from 7:30)."""
    fields = {
        "status": "SUPPLEMENT_REQUESTED",
        "version": 4,
        "current_agency": A,
        "due_at": "2026-12-02T17:00:00+07:00",
        "paused_at": "2026-11-27T13:00:00+07:00",
        "supplement_round": 1,
        "supplement_from": "IN_PROCESS",
    }
    return dossier_items(**{**fields, **meta})


def test_a_supplement_resumes_processing_and_moves_the_due_date_by_the_time_paused():
    # given a dossier waiting for the citizen's supplement since Friday afternoon
    world = World()
    world.given(*paused())
    event = Event(type=EventType.SUPPLEMENT_SUBMITTED, dossier_id="d1", data={"round": 1})
    # when the citizen's supplement arrives, and is delivered again
    world.tracking.on_dossier_event(event)
    resumed = world.dossiers.meta()
    world.tracking.on_dossier_event(event)
    # then the dossier is in process again, its clock running, due 4 h 30 of office hours later than it was
    assert resumed["status"] == "IN_PROCESS" and "paused_at" not in resumed
    assert resumed["due_at"] == "2026-12-03T13:30:00+07:00"
    # and the citizen is who acted, once
    lines = [(h.action, h.by, h.actor) for h in world.dossiers.record().history]
    assert lines == [("supplement", "citizen", "citizen")]
    assert world.dossiers.meta() == resumed


def test_a_supplement_of_an_earlier_round_changes_nothing():
    # given a dossier waiting for its second supplement
    world = World()
    world.given(*paused(supplement_round=2))
    before = world.dossiers.snapshot()
    # when a late copy of the first round's event arrives
    world.tracking.on_dossier_event(
        Event(type=EventType.SUPPLEMENT_SUBMITTED, dossier_id="d1", data={"round": 1})
    )
    # then nothing moved
    assert world.dossiers.snapshot() == before


def test_withdrawing_a_paid_dossier_ends_it_and_asks_for_the_refund():
    # given an accepted dossier whose fee was paid
    world = World()
    world.given(
        *dossier_items(
            status="ACCEPTED", version=2, current_agency=A, payment_status="PAID", amount_due_vnd=50_000
        )
    )
    # when the citizen withdraws it
    world.tracking.on_dossier_event(
        Event(type=EventType.WITHDRAWAL_REQUESTED, dossier_id="d1", data={"reason": "Nộp nhầm thủ tục"})
    )
    # then it is withdrawn, out of the inbox, and the fee goes back
    meta = world.dossiers.meta()
    assert meta["status"] == "WITHDRAWN" and "GSI1PK" not in meta
    refunds = world.dossiers.events("RefundRequested")
    assert [(r["data"]["reason"], r["data"]["amount_vnd"]) for r in refunds] == [("withdrawn", 50_000)]
    assert world.dossiers.record().history[-1].note == "Nộp nhầm thủ tục"


def test_a_confirmed_payment_moves_a_dossier_waiting_for_it_back_in_process_once():
    # given a dossier waiting for its fee
    world = World()
    world.given(
        *dossier_items(
            status="PAYMENT_REQUIRED",
            version=5,
            current_agency=A,
            payment_status="PENDING",
            amount_due_vnd=50_000,
        )
    )
    event = Event(type=EventType.PAYMENT_CONFIRMED, dossier_id="d1", data={"code": CODE})
    # when the payment service confirms the payment, twice
    world.tracking.events.on_payment_event(event)
    world.tracking.events.on_payment_event(event)
    # then the dossier is paid and in process again, one step later, recorded by the system for payment
    meta = world.dossiers.meta()
    assert (meta["status"], meta["payment_status"], meta["version"]) == ("IN_PROCESS", "PAID", 6)
    lines = [(h.action, h.by, h.actor) for h in world.dossiers.record().history]
    assert lines == [("payment_confirmed", "system", "payment")]


def test_an_event_raced_by_an_officials_action_is_applied_on_the_dossier_as_it_then_stands():
    # given a dossier waiting for its fee, noted by an official between the event's read and write
    world = World()
    world.given(
        *dossier_items(
            status="PAYMENT_REQUIRED",
            version=5,
            current_agency=A,
            payment_status="PENDING",
            amount_due_vnd=50_000,
        )
    )
    world.dossiers.race = lambda: world.dossiers.commit(
        DossierChange("d1", set={"version": 6, "handler_note": "đã gọi công dân"}, expected_version=5)
    )
    # when the payment is confirmed
    world.tracking.events.on_payment_event(Event(type=EventType.PAYMENT_CONFIRMED, dossier_id="d1"))
    # then it is applied on top of the official's change
    meta = world.dossiers.meta()
    assert (meta["status"], meta["version"], meta["handler_note"]) == ("IN_PROCESS", 7, "đã gọi công dân")


def test_a_status_change_moves_the_counters_once():
    # given the counters a status change carries
    world = World()
    deltas = [{"agency": A, "procedure": "P", "month": "2026-11", "field": "processed", "delta": 1}]
    event = Event(type=EventType.DOSSIER_STATUS_CHANGED, dossier_id="d1", data={"stats": deltas})
    # when its event is delivered twice
    world.tracking.on_dossier_event(event)
    world.tracking.on_dossier_event(event)
    # then the counters moved once
    assert world.store.counters == {(A, "P", "2026-11"): {"processed": 1}}
