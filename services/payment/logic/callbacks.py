"""The gateway's callbacks: the IPN that settles an order, and the citizen's return from the gateway.

Only the IPN and reconciliation settle an order, each at most once: the order's state change, the
dossier's PAID marker and the PAYMENT_CONFIRMED event are written together, so a duplicate, a race or a
second order paid for the same dossier is told apart by what refused the write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.core import keys
from services.core.clock import iso, now
from services.core.dossier import PartConflict
from services.core.events import Event, EventType
from services.core.observability import logger
from services.payment.logic import vnpay
from services.payment.logic.ports import Clock, OrderStore, Settlement, Terminals
from services.payment.logic.vnpay import Outcome, Rsp
from services.payment.settings import PaymentSettings

SETTLED = {Outcome.PAID: "PAID", Outcome.CANCELLED: "CANCELLED", Outcome.FAILED: "FAILED"}
RETURNED = {Outcome.PAID: "thanh-cong", Outcome.CANCELLED: "da-huy", Outcome.FAILED: "that-bai"}
ALARM_FIELDS = ["GSI3PK", "GSI3SK"]  # a settled order leaves the reconciliation alarms


def settled_fields(outcome: Outcome, params: Mapping[str, Any], by: str, at: str) -> dict[str, Any]:
    """What an order records when it is settled: its state and what the gateway said."""
    changes = {
        "status": SETTLED[outcome],
        "settled_at": at,
        "settled_by": by,
        "response_code": params.get("vnp_ResponseCode"),
        "transaction_status": params.get("vnp_TransactionStatus"),
        "transaction_no": params.get("vnp_TransactionNo"),
        "bank_code": params.get("vnp_BankCode"),
        "pay_date": params.get("vnp_PayDate"),
    }
    return {k: v for k, v in changes.items() if v is not None}


def confirmed(order: Mapping[str, Any], by: str) -> Event:
    return Event(
        type=EventType.PAYMENT_CONFIRMED,
        dossier_id=order["dossier_id"],
        data={
            "txn_ref": order["txn_ref"],
            "amount_vnd": int(order["amount_vnd"]),
            "code": order["dossier_code"],
            "settled_by": by,
        },
    )


def paid_twice_refund(order: Mapping[str, Any]) -> Event:
    return Event(
        type=EventType.REFUND_REQUESTED,
        dossier_id=order["dossier_id"],
        data={
            "code": order["dossier_code"],
            "reason": "paid_twice",
            "txn_ref": order["txn_ref"],
            "amount_vnd": int(order["amount_vnd"]),
        },
    )


@dataclass
class Callbacks:
    orders: OrderStore
    settings: PaymentSettings
    terminal: Terminals
    clock: Clock = now

    def ipn(self, params: Mapping[str, str]) -> dict[str, str]:
        """Instant payment notification: answered in API.md's order; the gateway retries all but 00 and 02."""
        terminal = self.terminal()
        if not vnpay.verify(params, terminal.hash_secret):
            logger.warning("ipn with a bad signature", extra={"txn_ref": params.get("vnp_TxnRef")})
            return vnpay.answer(Rsp.INVALID_SIGNATURE)  # a forged call records nothing
        txn_ref = str(params.get("vnp_TxnRef", ""))
        order = self.orders.order(txn_ref) if 0 < len(txn_ref) <= 40 else None
        verdict = vnpay.judge_ipn(params, terminal.hash_secret, order)
        if verdict.record is None or order is None:
            return vnpay.answer(verdict.rsp)
        return vnpay.answer(self.settle(order, verdict.record, params, "ipn"))

    def settle(self, order: dict[str, Any], outcome: Outcome, params: Mapping[str, Any], by: str) -> Rsp:
        """Records the gateway's outcome on a pending order (by the IPN or reconciliation)."""
        moment = self.clock()
        changes = settled_fields(outcome, params, by, iso(moment))
        paid = outcome == Outcome.PAID
        marker = None
        if paid:  # at most one PAID order per dossier: the store writes this marker only if it is new
            marker = {
                **keys.dossier_part(order["dossier_id"], keys.PAID_MARKER),
                "txn_ref": order["txn_ref"],
                "paid_at": iso(moment),
            }
        settlement = self.orders.settle(
            order["txn_ref"],
            changes,
            from_status="PENDING",
            marker=marker,
            events=[confirmed(order, by)] if paid else [],
            removes=ALARM_FIELDS,
        )
        if settlement is Settlement.BUSY:
            return Rsp.UNKNOWN  # another callback is writing this order right now: the gateway retries
        if settlement is Settlement.ALREADY_SETTLED:
            return Rsp.ALREADY_CONFIRMED  # settled meanwhile (a duplicate, or reconciliation)
        if settlement is Settlement.DOSSIER_PAID:
            return self._paid_twice(order, changes)
        logger.info(
            "order settled", extra={"txn_ref": order["txn_ref"], "status": changes["status"], "by": by}
        )
        return Rsp.CONFIRMED

    def _paid_twice(self, order: dict[str, Any], changes: dict[str, Any]) -> Rsp:
        """The gateway took money for a dossier already paid by another order: record it and give it back."""
        try:
            settlement = self.orders.settle(
                order["txn_ref"],
                {**changes, "duplicate": True},
                from_status="PENDING",
                marker=None,
                events=[paid_twice_refund(order)],
                removes=ALARM_FIELDS,
            )
        except PartConflict:  # refused for another reason: the gateway asks again
            return Rsp.UNKNOWN
        if settlement is Settlement.ALREADY_SETTLED:
            return Rsp.ALREADY_CONFIRMED
        if settlement is not Settlement.SETTLED:
            return Rsp.UNKNOWN
        logger.warning("dossier paid twice; refunding", extra={"txn_ref": order["txn_ref"]})
        return Rsp.CONFIRMED

    def return_redirect(self, params: Mapping[str, str]) -> str:
        """Where the citizen's browser goes after the gateway: the portal's dossier page, with the outcome.
        It verifies the signature but never marks anything paid (only the IPN and reconciliation do)."""
        portal = self.settings.portal_url.rstrip("/")
        order = None
        txn_ref = str(params.get("vnp_TxnRef", ""))
        if vnpay.verify(params, self.terminal().hash_secret) and 0 < len(txn_ref) <= 40:
            order = self.orders.order(txn_ref)
        if order is None:
            return f"{portal}/thanh-toan.html#ket-qua=khong-hop-le"
        outcome = RETURNED[vnpay.outcome_of(params)]
        return (
            f"{portal}/ho-so.html#id={order['dossier_id']}&thanh-toan={outcome}"
            f"&giao-dich={order['payment_id']}"
        )
