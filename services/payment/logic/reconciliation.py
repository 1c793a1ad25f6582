"""Reconciliation with the gateway: orders left pending are settled from its `querydr` answer, and a
daily report keeps every order whose state differs from the gateway's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.core import keys
from services.core.clock import iso, now
from services.core.errors import NotFound
from services.core.observability import logger
from services.payment.logic import vnpay
from services.payment.logic.callbacks import Callbacks
from services.payment.logic.orders import ALARM_KIND
from services.payment.logic.ports import (
    AlarmIndex,
    Clock,
    GatewayUnavailable,
    MerchantApi,
    OrderStore,
    ReportStore,
    Terminals,
)
from services.payment.logic.vnpay import GatewayState, Outcome
from services.payment.settings import PaymentSettings

# raises Forbidden unless the official's agency oversees the province (reports are province-wide)
Oversight = Callable[[str], None]
# orders expire within minutes: two days back covers a reconciler that was down for a while
LOOKBACK_DAYS = 2

AGREES = {
    "PAID": {GatewayState.PAID},
    "REFUNDED": {GatewayState.REFUNDED},
    "FAILED": {GatewayState.UNPAID, GatewayState.FAILED},
    "CANCELLED": {GatewayState.UNPAID, GatewayState.FAILED},
    "PENDING": {GatewayState.UNPAID},
}


def agrees(ours: str, gateway: GatewayState) -> bool:
    return gateway in AGREES.get(ours, set())


def mismatch(order: dict[str, Any], state: GatewayState) -> dict[str, Any]:
    return {
        "txn_ref": order["txn_ref"],
        "dossier_code": order["dossier_code"],
        "amount_vnd": int(order["amount_vnd"]),
        "ours": order["status"],
        "gateway": state.value,
    }


@dataclass
class Reconciliation:
    orders: OrderStore
    reports: ReportStore
    alarms: AlarmIndex
    gateway: MerchantApi
    callbacks: Callbacks
    oversight: Oversight
    settings: PaymentSettings
    terminal: Terminals
    clock: Clock = now

    def _querydr(self, order: dict[str, Any]) -> dict[str, Any]:
        terminal = self.terminal()
        body = vnpay.querydr_request(
            terminal,
            request_id=uuid.uuid4().hex,
            txn_ref=order["txn_ref"],
            transaction_date=order["create_date"],
            order_info=order["order_info"],
            ip_address="127.0.0.1",
            now=self.clock(),
        )
        answer = self.gateway.call(terminal.api_url, body, self.settings.gateway_timeout_seconds)
        if not vnpay.verify_api_response(answer, terminal.hash_secret):
            raise GatewayUnavailable("querydr answer with a bad signature")
        return answer

    def reconcile(self) -> dict[str, int]:
        """Orders still PENDING after their expiry window: ask the gateway and settle them."""
        counts = {"checked": 0, "paid": 0, "failed": 0, "unknown": 0}
        for partition in self.alarms.due(ALARM_KIND, self.clock(), lookback_days=LOOKBACK_DAYS):
            order = self.orders.order(partition.removeprefix("PAY#"))
            if order is None or order["status"] != "PENDING":
                continue
            counts["checked"] += 1
            counts[self._reconcile(order)] += 1
        return counts

    def _reconcile(self, order: dict[str, Any]) -> str:
        """One pending order settled from the gateway's answer; which count it adds to."""
        try:
            answer = self._querydr(order)
        except GatewayUnavailable as err:
            logger.warning("querydr failed", extra={"txn_ref": order["txn_ref"], "error": str(err)})
            return "unknown"
        state = vnpay.gateway_state(answer)
        if state == GatewayState.PAID:
            self.callbacks.settle(order, Outcome.PAID, answer, "reconciliation")
            return "paid"
        if state in (GatewayState.UNPAID, GatewayState.FAILED):
            self.callbacks.settle(order, Outcome.FAILED, answer, "reconciliation")
            return "failed"
        return "unknown"

    def daily_report(self, day: str) -> dict[str, Any]:
        """Every order of a day whose state differs from the gateway's, kept and logged."""
        mismatches = []
        orders = self.orders.orders_of_day(day)
        for order in orders:
            try:
                state = vnpay.gateway_state(self._querydr(order))
            except GatewayUnavailable:
                state = GatewayState.UNKNOWN
            if not agrees(order["status"], state):
                mismatches.append(mismatch(order, state))
        report = {
            **keys.reconciliation_report(day),
            "day": day,
            "checked": len(orders),
            "mismatches": mismatches,
            "generated_at": iso(self.clock()),
        }
        self.reports.save_report(report)
        logger.info(
            "reconciliation report", extra={"day": day, "checked": len(orders), "mismatches": len(mismatches)}
        )
        return {k: v for k, v in report.items() if k not in ("PK", "SK")}

    def report(self, day: str, agency: str) -> dict[str, Any]:
        """A day's report, for the agencies overseeing the province."""
        self.oversight(agency)
        found = self.reports.report(day)
        if found is None:
            raise NotFound("Chưa có báo cáo đối soát cho ngày này.")
        return {k: v for k, v in found.items() if k not in ("PK", "SK")}
