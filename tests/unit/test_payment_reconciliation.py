"""Reconciliation and the daily report as use cases, against a fake gateway's merchant API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services.core.clock import iso
from services.core.errors import Forbidden, NotFound
from services.payment.logic.reconciliation import Reconciliation
from tests.unit.test_payment_fakes import SETTINGS, TOKEN, FakeGateway, FakeOrders, World, terminal, world


class FakeAlarms:
    """The alarm index over the fake's orders: those whose alarm time has come."""

    def __init__(self, store: FakeOrders) -> None:
        self.store = store

    def due(self, kind: str, now: datetime, lookback_days: int = 7) -> list[str]:
        return [
            o["PK"]
            for o in self.store.items.values()
            if str(o.get("GSI3PK", "")).startswith(f"ALARM#{kind}#") and o["GSI3SK"] <= iso(now) + "~"
        ]


class FakeReports:
    def __init__(self) -> None:
        self.saved: dict[str, dict[str, Any]] = {}

    def report(self, day: str) -> dict[str, Any] | None:
        return self.saved.get(day)

    def save_report(self, report: dict[str, Any]) -> None:
        self.saved[report["day"]] = report


def oversees_only(agency: str):
    def check(official_agency: str) -> None:
        if official_agency != agency:
            raise Forbidden("not the overseeing agency")

    return check


def reconciliation(w: World, gateway: FakeGateway, reports: FakeReports | None = None) -> Reconciliation:
    return Reconciliation(
        w.store,
        reports or FakeReports(),
        FakeAlarms(w.store),
        gateway,
        w.callbacks,
        oversees_only("UBND-TINH"),
        SETTINGS,
        terminal,
        w.clock,
    )


def test_reconciliation_settles_an_expired_order_the_gateway_holds_as_paid():
    # given an order whose IPN never came, and which the gateway holds as paid
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    gateway.ledger[txn_ref] = "00"
    # when reconciliation runs after the order's expiry window
    w.clock.advance(minutes=21)
    counts = reconciliation(w, gateway).reconcile()
    # then the order is settled from the gateway's answer, and the payment confirmed once
    assert counts == {"checked": 1, "paid": 1, "failed": 0, "unknown": 0}
    order = w.store.items[txn_ref]
    assert order["status"] == "PAID" and order["settled_by"] == "reconciliation"
    assert order["transaction_no"] == "14000001"
    assert [e.data["settled_by"] for e in w.store.of_type("PaymentConfirmed")] == ["reconciliation"]
    assert gateway.requests[0]["vnp_Command"] == "querydr"


def test_reconciliation_leaves_orders_whose_window_is_still_open():
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    gateway.ledger[txn_ref] = "00"
    w.clock.advance(minutes=10)
    assert reconciliation(w, gateway).reconcile()["checked"] == 0
    assert w.store.items[txn_ref]["status"] == "PENDING" and gateway.requests == []


def test_an_order_the_gateway_never_saw_is_settled_failed():
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    w.clock.advance(minutes=21)
    assert reconciliation(w, gateway).reconcile()["failed"] == 1
    assert w.store.items[txn_ref]["status"] == "FAILED" and w.store.events == []


def test_an_unreachable_gateway_leaves_the_order_pending_for_the_next_run():
    w, gateway = world(), FakeGateway()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    gateway.down = True
    w.clock.advance(minutes=21)
    assert reconciliation(w, gateway).reconcile() == {"checked": 1, "paid": 0, "failed": 0, "unknown": 1}
    assert w.store.items[txn_ref]["status"] == "PENDING"


def test_the_daily_report_keeps_orders_that_differ_from_the_gateway():
    # given a pending order the gateway holds as paid
    w, gateway, reports = world(), FakeGateway(), FakeReports()
    txn_ref = w.orders.create_order("d1", TOKEN, "203.0.113.7")["txn_ref"]
    gateway.ledger[txn_ref] = "00"
    # when the day's report is made
    report = reconciliation(w, gateway, reports).daily_report("2026-11-26")
    # then the mismatch is kept, and shown to the overseeing agency only
    assert report["checked"] == 1
    assert report["mismatches"] == [
        {
            "txn_ref": txn_ref,
            "dossier_code": "000.00.01.H60-261126-0001",
            "amount_vnd": 4_000_000,
            "ours": "PENDING",
            "gateway": "PAID",
        }
    ]
    assert (
        reconciliation(w, gateway, reports).report("2026-11-26", "UBND-TINH")["mismatches"]
        == report["mismatches"]
    )
    with pytest.raises(Forbidden):
        reconciliation(w, gateway, reports).report("2026-11-26", "UBND-PHUONG-6")
    with pytest.raises(NotFound):
        reconciliation(w, gateway, reports).report("2026-11-25", "UBND-TINH")
