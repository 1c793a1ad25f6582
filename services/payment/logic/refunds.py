"""Refunds: what was paid for a refused, stopped or withdrawn dossier (or paid twice) goes back.

A refund the gateway refuses, or an order being written at the same moment, raises: the refund event is
delivered again, and the gateway answers 95 for a refund it already made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from services.core.clock import iso, now
from services.core.events import Event, EventType
from services.core.text import plain_ascii
from services.payment.logic import vnpay
from services.payment.logic.ports import (
    Clock,
    GatewayUnavailable,
    MerchantApi,
    OrderBusy,
    OrderStore,
    Settlement,
    Terminals,
)
from services.payment.settings import PaymentSettings

REFUNDED_ALREADY = "95"  # a retry after a crash


def refunded(order: dict[str, Any], requested: Event) -> Event:
    return Event(
        type=EventType.PAYMENT_REFUNDED,
        dossier_id=requested.dossier_id,
        data={
            "txn_ref": order["txn_ref"],
            "amount_vnd": int(order["amount_vnd"]),
            "reason": requested.data.get("reason"),
        },
    )


@dataclass
class Refunds:
    orders: OrderStore
    gateway: MerchantApi
    settings: PaymentSettings
    terminal: Terminals
    clock: Clock = now

    def refund(self, event: Event) -> int:
        """Refunds the dossier's paid orders (only `txn_ref`'s if the event names one); how many."""
        wanted = event.data.get("txn_ref")
        count = 0
        for order in self.orders.orders_of(event.dossier_id):
            if order["status"] != "PAID" or (wanted and order["txn_ref"] != wanted):
                continue
            self._ask_gateway(order)
            if self._record(order, event) is Settlement.SETTLED:
                count += 1
        return count

    def _ask_gateway(self, order: dict[str, Any]) -> None:
        terminal = self.terminal()
        body = vnpay.refund_request(
            terminal,
            request_id=f"R{order['txn_ref']}{secrets.token_hex(4)}"[:32],
            txn_ref=order["txn_ref"],
            amount_vnd=int(order["amount_vnd"]),
            transaction_no=str(order.get("transaction_no") or ""),
            transaction_date=order["create_date"],
            order_info=plain_ascii(f"Hoan tien ho so {order['dossier_code']}"),
            ip_address="127.0.0.1",
            now=self.clock(),
            created_by="he-thong",
        )
        answer = self.gateway.call(terminal.api_url, body, self.settings.gateway_timeout_seconds)
        if not vnpay.verify_api_response(answer, terminal.hash_secret):
            raise GatewayUnavailable("refund answer with a bad signature")
        code = answer.get("vnp_ResponseCode")
        if code not in ("00", REFUNDED_ALREADY):
            raise GatewayUnavailable(f"refund refused with code {code}")

    def _record(self, order: dict[str, Any], event: Event) -> Settlement:
        """The order marked REFUNDED; a duplicate payment's refund tells tracking nothing (the dossier's
        own payment stands)."""
        settlement = self.orders.settle(
            order["txn_ref"],
            {
                "status": "REFUNDED",
                "refunded_at": iso(self.clock()),
                "refund_reason": event.data.get("reason", ""),
            },
            from_status="PAID",
            marker=None,
            events=[] if order.get("duplicate") else [refunded(order, event)],
        )
        if settlement is Settlement.BUSY:
            raise OrderBusy(order["txn_ref"])
        return settlement
