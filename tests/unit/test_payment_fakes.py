"""In-memory fakes the payment unit tests share, and the dossiers they start from (no tests here).

The dossier lives in `InMemoryDossierRepository`; the orders fake writes the PAID marker into the same
items, so "the dossier was already paid" is what the repository holds, as on the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import hash_access_token
from services.core.clock import VN_TZ
from services.core.events import Event
from services.core.repository import InMemoryDossierRepository
from services.payment.logic import vnpay
from services.payment.logic.callbacks import Callbacks
from services.payment.logic.orders import Orders
from services.payment.logic.ports import GatewayUnavailable, Settlement
from services.payment.logic.vnpay import Terminal
from services.payment.settings import PaymentSettings

TOKEN = "citizen-token-0123456789"
SECRET = "unit-test-hash-secret"
TERMINAL = Terminal("TESTTMN1", SECRET, "https://gateway.test/pay", "https://gateway.test/api")
SETTINGS = PaymentSettings(
    _env_file=None,  # type: ignore[call-arg]
    stage="local",
    table_name="t",
    portal_url="https://portal.test",
    officials_issuer="https://issuer.test",
    officials_audience="officials",
    api_url="https://api.test",
    results_bucket="results",
    vnpay_tmn_code=TERMINAL.tmn_code,
    vnpay_hash_secret=SECRET,
    vnpay_pay_url=TERMINAL.pay_url,
    vnpay_api_url=TERMINAL.api_url,
    payment_expiry_minutes=15,
    reconcile_after_minutes=5,
)


def terminal() -> Terminal:
    return TERMINAL


class Clock:
    """A clock the test moves."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def dossier_meta(dossier_id: str = "d1", **fields: Any) -> dict[str, Any]:
    """A submitted dossier owing a 4,000,000 VND fee, reachable with TOKEN."""
    return {
        **keys.dossier(dossier_id),
        "id": dossier_id,
        "code": "000.00.01.H60-261126-0001",
        "status": "PAYMENT_REQUIRED",
        "payment_status": "PENDING",
        "amount_due_vnd": 4_000_000,
        "token_hash": hash_access_token(TOKEN),
        "agency": "A",
        "agency_name": "UBND Phường 6",
        "procedure_name": "Cấp giấy phép kinh doanh karaoke",
        "applicant_name": "Nguyễn Văn A",
        "applicant": {"full_name": "Nguyễn Văn A", "email": "a@example.vn", "phone": "0912345678"},
        "delivery": {"method": "online"},
        "version": 3,
        **fields,
    }


class FakeOrders:
    """Orders by txn_ref, settled the way the table's transaction settles them."""

    def __init__(self, dossiers: InMemoryDossierRepository) -> None:
        self.dossiers = dossiers
        self.items: dict[str, dict[str, Any]] = {}
        self.events: list[Event] = []
        self.busy = False  # answer as if another transaction were writing the order

    def order(self, txn_ref: str) -> dict[str, Any] | None:
        found = self.items.get(txn_ref)
        return dict(found) if found is not None else None

    def orders_of(self, dossier_id: str) -> list[dict[str, Any]]:
        return [dict(o) for o in self.items.values() if o["dossier_id"] == dossier_id]

    def orders_of_day(self, day: str) -> list[dict[str, Any]]:
        return [dict(o) for o in self.items.values() if o["created_at"].startswith(day)]

    def create(self, item: dict[str, Any]) -> bool:
        if item["txn_ref"] in self.items:
            return False
        self.items[item["txn_ref"]] = dict(item)
        return True

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
        if self.busy:
            return Settlement.BUSY
        order = self.items.get(txn_ref)
        if order is None or order["status"] != from_status:
            return Settlement.ALREADY_SETTLED
        if marker is not None and self.dossiers.get(marker) is not None:
            return Settlement.DOSSIER_PAID
        order.update(changes)
        for name in removes:
            order.pop(name, None)
        if marker is not None:
            self.dossiers.put(marker)
        self.events.extend(events)
        return Settlement.SETTLED

    def of_type(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.type.value == kind]


def signed_answer(answer: dict[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    return {**answer, "vnp_SecureHash": vnpay.hmac_sha512(SECRET, vnpay.piped(answer, fields))}


class FakeGateway:
    """The merchant API: querydr answers from a ledger of what the gateway holds, refunds accepted."""

    def __init__(self) -> None:
        self.ledger: dict[str, str] = {}  # txn_ref -> vnp_TransactionStatus
        self.requests: list[dict[str, str]] = []
        self.down = False

    def call(self, url: str, body: dict[str, str], timeout: float) -> dict[str, Any]:
        if self.down:
            raise GatewayUnavailable("connection refused")
        self.requests.append(body)
        base = {
            "vnp_ResponseId": "r1",
            "vnp_Command": body["vnp_Command"],
            "vnp_TmnCode": body["vnp_TmnCode"],
            "vnp_TxnRef": body["vnp_TxnRef"],
            "vnp_Message": "ok",
        }
        if body["vnp_Command"] == "refund":
            answer = {**base, "vnp_ResponseCode": "00", "vnp_Amount": body["vnp_Amount"]}
            return signed_answer(answer, vnpay.RESPONSE_FIELDS)
        status = self.ledger.get(body["vnp_TxnRef"])
        if status is None:
            return signed_answer({**base, "vnp_ResponseCode": "91"}, vnpay.QUERYDR_RESPONSE_FIELDS)
        answer = {
            **base,
            "vnp_ResponseCode": "00",
            "vnp_TransactionStatus": status,
            "vnp_TransactionNo": "14000001",
            "vnp_BankCode": "NCB",
            "vnp_PayDate": "20261126101000",
        }
        return signed_answer(answer, vnpay.QUERYDR_RESPONSE_FIELDS)


class FakeResults:
    """Result documents by key: their versions' ETags and their current SHA-256."""

    def __init__(self) -> None:
        self.etags: dict[tuple[str, str], str] = {}
        self.digests: dict[str, str] = {}

    def link(
        self, key: str, file_name: str, content_type: str, seconds: int, version_id: str | None = None
    ) -> str:
        return f"https://results.test/{key}?versionId={version_id}&expires={seconds}"

    def version_etag(self, key: str, version_id: str) -> str | None:
        return self.etags.get((key, version_id))

    def sha256(self, key: str) -> str | None:
        return self.digests.get(key)


@dataclass
class World:
    dossiers: InMemoryDossierRepository
    store: FakeOrders
    results: FakeResults
    clock: Clock
    orders: Orders
    callbacks: Callbacks


def world(*metas: dict[str, Any]) -> World:
    """The dossiers in the in-memory repository, the fakes, and the citizen's and gateway's use cases."""
    dossiers = InMemoryDossierRepository(metas or [dossier_meta()])
    store, results, clock = FakeOrders(dossiers), FakeResults(), Clock()
    return World(
        dossiers,
        store,
        results,
        clock,
        Orders(dossiers, store, results, SETTINGS, terminal, clock),
        Callbacks(store, SETTINGS, terminal, clock),
    )


def paid_callback(order: dict[str, Any], response_code: str = "00", status: str = "00") -> dict[str, str]:
    """The IPN the gateway sends for an order, signed with the terminal's secret."""
    params = {
        "vnp_Amount": str(int(order["amount_vnd"]) * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": order["order_info"],
        "vnp_PayDate": "20261126101000",
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": TERMINAL.tmn_code,
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": order["txn_ref"],
    }
    return {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}
