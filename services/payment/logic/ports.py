"""What the payment use cases need from storage and the gateway, as interfaces: `services.payment.dal`
implements them on DynamoDB, S3 and HTTP; the unit tests pass in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from services.core.events import Event
from services.payment.logic.vnpay import Terminal

Clock = Callable[[], datetime]
Terminals = Callable[[], Terminal]  # read lazily: on AWS the hash secret comes from SSM


class GatewayUnavailable(Exception):
    """The gateway's API could not be reached or answered nonsense: try again later."""


class OrderBusy(Exception):
    """Another transaction was writing the order at the same moment: try again."""


class Settlement(StrEnum):
    """What became of an order's state change."""

    SETTLED = "settled"
    ALREADY_SETTLED = "already settled"  # the order had left the state the change was decided on
    DOSSIER_PAID = "dossier already paid"  # the dossier's PAID marker was there: another order was paid
    BUSY = "busy"  # another transaction was writing the order


class OrderStore(Protocol):
    def order(self, txn_ref: str) -> dict[str, Any] | None: ...

    def orders_of(self, dossier_id: str) -> list[dict[str, Any]]: ...

    def orders_of_day(self, day: str) -> list[dict[str, Any]]: ...

    def create(self, item: dict[str, Any]) -> bool:
        """Writes a new order; False if its txn_ref was taken."""
        ...

    def settle(
        self,
        txn_ref: str,
        changes: dict[str, Any],
        *,
        from_status: str,
        marker: dict[str, Any] | None,
        events: Sequence[Event],
        removes: Sequence[str] = (),
    ) -> Settlement:
        """One order's change from `from_status`, with the dossier's PAID marker (which must be new) and
        the events, written at once or not at all."""
        ...


class ReportStore(Protocol):
    def report(self, day: str) -> dict[str, Any] | None: ...

    def save_report(self, report: dict[str, Any]) -> None: ...


class MerchantApi(Protocol):
    def call(self, url: str, body: dict[str, str], timeout: float) -> dict[str, Any]:
        """The gateway's JSON answer; GatewayUnavailable when it cannot be had."""
        ...


class ResultDocuments(Protocol):
    def link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str: ...

    def version_etag(self, key: str, version_id: str) -> str | None: ...

    def sha256(self, key: str) -> str | None: ...


class AlarmIndex(Protocol):
    def due(self, kind: str, now: datetime, lookback_days: int = 7) -> list[str]: ...
