"""The gateway's IPN and return as use cases: what is recorded, and what the gateway is answered."""

from __future__ import annotations

from services.core import keys
from services.payment.logic import vnpay
from tests.unit.test_payment_fakes import SECRET, TOKEN, World, paid_callback, world


def ordered(w: World) -> dict:
    """An open order for the dossier d1, as stored."""
    view = w.orders.create_order("d1", TOKEN, "203.0.113.7")
    return w.store.items[view["txn_ref"]]


def test_an_ipn_with_a_bad_signature_records_nothing():
    # given an open order
    w = world()
    order = ordered(w)
    # when a callback arrives whose signature is not the gateway's
    answer = w.callbacks.ipn({**paid_callback(order), "vnp_SecureHash": "ab" * 64})
    # then it is answered 97 and the order, the dossier and the outbox are as they were
    assert answer["RspCode"] == "97"
    assert w.store.items[order["txn_ref"]]["status"] == "PENDING"
    assert w.store.events == [] and w.dossiers.load("d1").paid is None


def test_a_paid_ipn_settles_the_order_once_and_confirms_the_payment():
    # given an open order
    w = world()
    order = ordered(w)
    # when the gateway reports it paid
    answer = w.callbacks.ipn(paid_callback(order))
    # then the order is paid, leaves the reconciliation alarms, the dossier is marked paid
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    settled = w.store.items[order["txn_ref"]]
    assert settled["status"] == "PAID" and settled["settled_by"] == "ipn" and "GSI3PK" not in settled
    assert w.dossiers.load("d1").paid.get("txn_ref") == order["txn_ref"]
    # and tracking is told once
    (confirmed,) = w.store.of_type("PaymentConfirmed")
    assert confirmed.data == {
        "txn_ref": order["txn_ref"],
        "amount_vnd": 4_000_000,
        "code": order["dossier_code"],
        "settled_by": "ipn",
    }


def test_a_duplicate_ipn_answers_02_and_records_nothing_more():
    # given an order the gateway reported paid
    w = world()
    order = ordered(w)
    w.callbacks.ipn(paid_callback(order))
    # when it reports it again
    answer = w.callbacks.ipn(paid_callback(order))
    # then it hears 02 and nothing more is recorded
    assert answer["RspCode"] == "02"
    assert len(w.store.of_type("PaymentConfirmed")) == 1


def test_a_duplicate_settled_meanwhile_answers_02():
    # given an order settled by reconciliation after the IPN read it as pending
    w = world()
    order = ordered(w)
    w.store.items[order["txn_ref"]]["status"] = "PAID"
    # when the IPN settles the copy it read, then the gateway hears 02
    assert w.callbacks.settle(order, vnpay.Outcome.PAID, paid_callback(order), "ipn") == "02"
    assert w.store.events == []


def test_a_second_order_paid_for_a_paid_dossier_records_a_refund_request():
    # given a dossier paid through one order, and a second order for it left open at the gateway
    w = world()
    second = ordered(w)
    w.dossiers.put({**keys.dossier_part("d1", keys.PAID_MARKER), "txn_ref": "P20261126AAAAAA"})
    # when the gateway reports the second one paid too
    answer = w.callbacks.ipn(paid_callback(second))
    # then the money is recorded, as a duplicate, and its refund requested; the dossier is not confirmed again
    assert answer["RspCode"] == "00"
    stored = w.store.items[second["txn_ref"]]
    assert stored["status"] == "PAID" and stored["duplicate"] is True
    assert w.store.of_type("PaymentConfirmed") == []
    (refund,) = w.store.of_type("RefundRequested")
    assert refund.data["reason"] == "paid_twice" and refund.data["txn_ref"] == second["txn_ref"]
    assert w.dossiers.load("d1").paid.get("txn_ref") == "P20261126AAAAAA"


def test_an_ipn_while_another_writes_the_order_answers_99_so_the_gateway_retries():
    # given an open order another callback is writing at this moment
    w = world()
    order = ordered(w)
    w.store.busy = True
    # when the IPN arrives, then it hears 99 and nothing is recorded
    assert w.callbacks.ipn(paid_callback(order))["RspCode"] == "99"
    assert w.store.items[order["txn_ref"]]["status"] == "PENDING" and w.store.events == []
    # and once the other write is done, the gateway's retry settles it
    w.store.busy = False
    assert w.callbacks.ipn(paid_callback(order))["RspCode"] == "00"


def test_a_cancelled_payment_is_recorded_without_a_confirmation():
    w = world()
    order = ordered(w)
    assert w.callbacks.ipn(paid_callback(order, "24", "02"))["RspCode"] == "00"
    assert w.store.items[order["txn_ref"]]["status"] == "CANCELLED"
    assert w.store.events == [] and w.dossiers.load("d1").paid is None


def test_the_return_sends_the_citizen_back_without_marking_anything():
    # given an open order
    w = world()
    order = ordered(w)
    # when the citizen's browser comes back from the gateway
    location = w.callbacks.return_redirect(paid_callback(order))
    # then it goes to the dossier's page with the outcome, and the order is still pending
    assert location == (
        f"https://portal.test/ho-so.html#id=d1&thanh-toan=thanh-cong&giao-dich={order['payment_id']}"
    )
    assert w.store.items[order["txn_ref"]]["status"] == "PENDING"
    forged = {**paid_callback(order), "vnp_SecureHash": vnpay.sign({"vnp_TxnRef": "x"}, SECRET)}
    assert w.callbacks.return_redirect(forged).endswith("thanh-toan.html#ket-qua=khong-hop-le")
