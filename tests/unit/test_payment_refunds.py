"""Refunds as a use case: the gateway asked once, the order marked refunded, tracking told."""

from __future__ import annotations

from services.core.events import Event, EventType
from services.payment.logic.refunds import Refunds
from tests.unit.test_payment_fakes import SETTINGS, TOKEN, FakeGateway, terminal, world


def refund_requested(txn_ref: str | None = None, reason: str = "refused") -> Event:
    data = {
        "code": "000.00.01.H60-261126-0001",
        "reason": reason,
        **({"txn_ref": txn_ref} if txn_ref else {}),
    }
    return Event(type=EventType.REFUND_REQUESTED, dossier_id="d1", data=data)


def test_the_paid_order_of_a_refused_dossier_is_refunded_once():
    # given a dossier paid through one order
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    w.store.items[txn_ref].update(status="PAID", transaction_no="14000001")
    refunds = Refunds(w.store, gateway, SETTINGS, terminal, w.clock)
    # when its refund is requested, twice (a redelivered event)
    first, second = refunds.refund(refund_requested()), refunds.refund(refund_requested())
    # then the gateway is asked once, the order is refunded and tracking told once
    assert (first, second) == (1, 0)
    assert [r["vnp_Command"] for r in gateway.requests] == ["refund"]
    assert (
        gateway.requests[0]["vnp_Amount"] == "400000000"
        and gateway.requests[0]["vnp_TransactionNo"] == "14000001"
    )
    assert (
        w.store.items[txn_ref]["status"] == "REFUNDED"
        and w.store.items[txn_ref]["refund_reason"] == "refused"
    )
    (refunded,) = w.store.of_type("PaymentRefunded")
    assert refunded.data == {"txn_ref": txn_ref, "amount_vnd": 4_000_000, "reason": "refused"}


def test_a_duplicate_payment_is_refunded_without_telling_tracking():
    # given a second order paid for a dossier already paid
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    w.store.items[txn_ref].update(status="PAID", duplicate=True)
    # when its refund is requested, then it is refunded and the dossier's own payment stands
    refunds = Refunds(w.store, gateway, SETTINGS, terminal, w.clock)
    assert refunds.refund(refund_requested(txn_ref, "paid_twice")) == 1
    assert w.store.items[txn_ref]["status"] == "REFUNDED" and w.store.events == []
