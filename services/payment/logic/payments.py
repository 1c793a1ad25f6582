"""The payment use cases side by side, for the handlers: each lives in its own module."""

from __future__ import annotations

from dataclasses import dataclass

from services.payment.logic.callbacks import Callbacks
from services.payment.logic.orders import Orders
from services.payment.logic.reconciliation import Reconciliation
from services.payment.logic.refunds import Refunds
from services.payment.settings import PaymentSettings


@dataclass(frozen=True)
class Payments:
    orders: Orders  # the citizen's orders and result link
    callbacks: Callbacks  # the gateway's IPN and return
    reconciliation: Reconciliation  # querydr, the daily report
    refunds: Refunds
    settings: PaymentSettings
