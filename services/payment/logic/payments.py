"""Payment use cases: orders, the gateway's callbacks, reconciliation, refunds, the result download."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import check_access_token
from services.core.clock import iso, now, parse
from services.core.dal.alarms import due
from services.core.ddb import TransactionCancelled
from services.core.dossiers import FINAL, PaymentStatus, Status
from services.core.errors import Conflict, NotFound
from services.core.events import Event, EventType
from services.core.observability import logger
from services.core.text import plain_ascii
from services.payment.dal.store import GatewayUnavailable, PaymentStore
from services.payment.logic import vnpay
from services.payment.logic.vnpay import GatewayState, Outcome, Rsp
from services.payment.settings import PaymentSettings

ALARM_KIND = "payment"
RESULT_LINK_SECONDS = 300
SETTLED = {Outcome.PAID: "PAID", Outcome.CANCELLED: "CANCELLED", Outcome.FAILED: "FAILED"}


def new_txn_ref(moment: datetime) -> str:
    """`P20261126A1B2C3`: unique per merchant and day, as the gateway requires."""
    return f"P{moment:%Y%m%d}{secrets.token_hex(3).upper()}"


class Payments:
    def __init__(
        self, store: PaymentStore, settings: PaymentSettings, terminal: Callable[[], vnpay.Terminal]
    ):
        self.store = store
        self.settings = settings
        self.terminal = terminal

    # -- citizens ------------------------------------------------------------------------------------

    def _dossier(self, dossier_id: str, token: str) -> dict[str, Any]:
        meta = self.store.dossier(dossier_id) if len(dossier_id) <= 64 else None
        if meta is None or "token_hash" not in meta:
            raise NotFound("Không tìm thấy hồ sơ.")
        check_access_token(token, meta["token_hash"])
        return meta

    def create_order(self, dossier_id: str, token: str, ip_address: str) -> dict[str, Any]:
        meta = self._dossier(dossier_id, token)
        amount = int(meta.get("amount_due_vnd") or 0)
        if meta["status"] in FINAL or meta["status"] == Status.DRAFT:
            raise Conflict("Hồ sơ không ở trạng thái cần thanh toán.")
        if meta.get("payment_status") == PaymentStatus.PAID:
            raise Conflict("Hồ sơ đã được thanh toán.")
        if meta.get("payment_status") != PaymentStatus.PENDING or amount <= 0:
            raise Conflict("Hồ sơ không có khoản phí, lệ phí nào cần thanh toán.")
        moment = now()
        orders = self.store.orders_of(dossier_id)
        if any(o["status"] == "PAID" for o in orders):
            raise Conflict("Hồ sơ đã được thanh toán.")
        open_order = next(
            (
                o
                for o in orders
                if o["status"] == "PENDING"
                and o["amount_vnd"] == amount
                and parse(o["expires_at"]) > moment + timedelta(minutes=2)
            ),
            None,
        )
        if open_order is not None:
            return self._order_view(open_order, with_url=True)  # one attempt at a time: the same order again
        expires = moment + timedelta(minutes=self.settings.payment_expiry_minutes)
        order_info = plain_ascii(f"Thanh toan le phi ho so {meta['code']}", 255)
        for _ in range(5):
            txn_ref = new_txn_ref(moment)
            item = {
                **keys.payment(txn_ref),
                **keys.payment_by_dossier(dossier_id, iso(moment)),
                **keys.payment_by_day(moment.date().isoformat(), iso(moment), txn_ref),
                **keys.alarm(
                    ALARM_KIND,
                    iso(expires + timedelta(minutes=self.settings.reconcile_after_minutes)),
                    txn_ref,
                ),
                "payment_id": txn_ref,
                "txn_ref": txn_ref,
                "dossier_id": dossier_id,
                "dossier_code": meta["code"],
                "amount_vnd": amount,
                "status": "PENDING",
                "created_at": iso(moment),
                "create_date": vnpay.timestamp(moment),
                "expires_at": iso(expires),
                "order_info": order_info,
                "ip_address": ip_address,
            }
            if self.store.create(item):
                return self._order_view(item, with_url=True)
        raise Conflict("Không tạo được giao dịch; vui lòng thử lại.")

    def _order_view(self, order: dict[str, Any], with_url: bool = False) -> dict[str, Any]:
        view = {
            "payment_id": order["payment_id"],
            "txn_ref": order["txn_ref"],
            "amount_vnd": int(order["amount_vnd"]),
            "status": order["status"],
            "dossier_id": order["dossier_id"],
            "expires_at": order["expires_at"],
        }
        if with_url:
            view["pay_url"] = vnpay.pay_url(
                self.terminal(),
                txn_ref=order["txn_ref"],
                amount_vnd=int(order["amount_vnd"]),
                order_info=order["order_info"],
                return_url=f"{self.settings.api_url.rstrip('/')}/api/payment/vnpay/return",
                ip_address=order.get("ip_address") or "127.0.0.1",
                created=parse(order["created_at"]),
                expires=parse(order["expires_at"]),
            )
        return view

    def order(self, payment_id: str, token: str) -> dict[str, Any]:
        found = self.store.order(payment_id) if len(payment_id) <= 40 else None
        if found is None:
            raise NotFound("Không tìm thấy giao dịch.")
        self._dossier(found["dossier_id"], token)
        return self._order_view(found)

    def result_link(self, dossier_id: str, token: str) -> str:
        meta = self._dossier(dossier_id, token)
        if meta["status"] != Status.RESULT_RETURNED:
            raise Conflict("Hồ sơ chưa có kết quả để tải.")
        delivery = self.store.part(dossier_id, "DELIVERY")
        if delivery is None or delivery.get("method") != "online" or not delivery.get("result_key"):
            raise NotFound("Kết quả của hồ sơ này không được trả trực tuyến hoặc đang được chuẩn bị.")
        self._check_result(delivery)
        return self.store.result_link(
            delivery["result_key"],
            delivery.get("file_name", "ket-qua.pdf"),
            delivery.get("content_type", "application/pdf"),
            RESULT_LINK_SECONDS,
            delivery.get("result_version_id"),
        )

    def _check_result(self, delivery: dict[str, Any]) -> None:
        """Only the result frozen at return is served: its pinned version, or bytes with its SHA-256."""
        recorded = delivery.get("result_sha256")
        if recorded and delivery.get("result_version_id"):
            etag = self.store.result_version_etag(delivery["result_key"], delivery["result_version_id"])
            intact = etag is not None and etag == delivery.get("result_etag", etag)
        elif recorded:  # a bucket without versioning: the current bytes must be the frozen ones
            intact = self.store.result_sha256(delivery["result_key"]) == recorded
        else:
            intact = False
        if not intact:
            logger.error(
                "result document does not match its frozen version", extra={"code": delivery.get("code")}
            )
            raise Conflict(
                "Văn bản kết quả không khớp với bản cơ quan đã trả; vui lòng liên hệ cơ quan giải quyết "
                "để được cấp lại."
            )

    # -- the gateway's callbacks ---------------------------------------------------------------------------

    def ipn(self, params: Mapping[str, str]) -> dict[str, str]:
        """Instant payment notification: answered in API.md's order; the gateway retries all but 00 and 02."""
        terminal = self.terminal()
        if not vnpay.verify(params, terminal.hash_secret):
            logger.warning("ipn with a bad signature", extra={"txn_ref": params.get("vnp_TxnRef")})
            return vnpay.answer(Rsp.INVALID_SIGNATURE)  # a forged call records nothing
        txn_ref = str(params.get("vnp_TxnRef", ""))
        order = self.store.order(txn_ref) if 0 < len(txn_ref) <= 40 else None
        verdict = vnpay.judge_ipn(params, terminal.hash_secret, order)
        if verdict.record is None or order is None:
            return vnpay.answer(verdict.rsp)
        return vnpay.answer(self._settle(order, verdict.record, params, "ipn"))

    def _settle(self, order: dict[str, Any], outcome: Outcome, params: Mapping[str, Any], by: str) -> Rsp:
        moment = now()
        changes = {
            "status": SETTLED[outcome],
            "settled_at": iso(moment),
            "settled_by": by,
            "response_code": params.get("vnp_ResponseCode"),
            "transaction_status": params.get("vnp_TransactionStatus"),
            "transaction_no": params.get("vnp_TransactionNo"),
            "bank_code": params.get("vnp_BankCode"),
            "pay_date": params.get("vnp_PayDate"),
        }
        changes = {k: v for k, v in changes.items() if v is not None}
        removes = ["GSI3PK", "GSI3SK"]
        marker = None
        events: list[Event] = []
        if outcome == Outcome.PAID:
            marker = {
                **keys.dossier_part(order["dossier_id"], "PAID"),
                "txn_ref": order["txn_ref"],
                "paid_at": iso(moment),
            }
            events.append(
                Event(
                    type=EventType.PAYMENT_CONFIRMED,
                    dossier_id=order["dossier_id"],
                    data={
                        "txn_ref": order["txn_ref"],
                        "amount_vnd": int(order["amount_vnd"]),
                        "code": order["dossier_code"],
                        "settled_by": by,
                    },
                )
            )
        try:
            self.store.settle(
                order["txn_ref"],
                changes,
                from_status="PENDING",
                marker=marker,
                events=events,
                removes=removes,
            )
        except TransactionCancelled as err:
            if err.conflict:
                return Rsp.UNKNOWN  # another callback is writing this order right now: the gateway retries
            if err.failed_condition(0):
                return Rsp.ALREADY_CONFIRMED  # settled meanwhile (a duplicate, or reconciliation)
            if err.failed_condition(1):
                return self._paid_twice(order, changes, removes, by)
            raise
        logger.info(
            "order settled", extra={"txn_ref": order["txn_ref"], "status": changes["status"], "by": by}
        )
        return Rsp.CONFIRMED

    def _paid_twice(self, order: dict[str, Any], changes: dict[str, Any], removes: list[str], by: str) -> Rsp:
        """The gateway took money for a dossier already paid by another order: record it and give it back."""
        refund = Event(
            type=EventType.REFUND_REQUESTED,
            dossier_id=order["dossier_id"],
            data={
                "code": order["dossier_code"],
                "reason": "paid_twice",
                "txn_ref": order["txn_ref"],
                "amount_vnd": int(order["amount_vnd"]),
            },
        )
        try:
            self.store.settle(
                order["txn_ref"],
                {**changes, "duplicate": True},
                from_status="PENDING",
                marker=None,
                events=[refund],
                removes=removes,
            )
        except TransactionCancelled as err:
            return Rsp.ALREADY_CONFIRMED if err.failed_condition(0) else Rsp.UNKNOWN
        logger.warning("dossier paid twice; refunding", extra={"txn_ref": order["txn_ref"]})
        return Rsp.CONFIRMED

    def return_redirect(self, params: Mapping[str, str]) -> str:
        """Where the citizen's browser goes after the gateway: the portal's dossier page, with the outcome.
        It verifies the signature but never marks anything paid (only the IPN and reconciliation do)."""
        portal = self.settings.portal_url.rstrip("/")
        order = None
        txn_ref = str(params.get("vnp_TxnRef", ""))
        if vnpay.verify(params, self.terminal().hash_secret) and 0 < len(txn_ref) <= 40:
            order = self.store.order(txn_ref)
        if order is None:
            return f"{portal}/thanh-toan.html#ket-qua=khong-hop-le"
        outcome = {Outcome.PAID: "thanh-cong", Outcome.CANCELLED: "da-huy", Outcome.FAILED: "that-bai"}[
            vnpay.outcome_of(params)
        ]
        return (
            f"{portal}/ho-so.html#id={order['dossier_id']}&thanh-toan={outcome}"
            f"&giao-dich={order['payment_id']}"
        )

    # -- reconciliation, the daily report, refunds -------------------------------------------------------

    def _querydr(self, order: dict[str, Any]) -> dict[str, Any]:
        terminal = self.terminal()
        body = vnpay.querydr_request(
            terminal,
            request_id=uuid.uuid4().hex,
            txn_ref=order["txn_ref"],
            transaction_date=order["create_date"],
            order_info=order["order_info"],
            ip_address="127.0.0.1",
            now=now(),
        )
        answer = self.store.call_gateway(terminal.api_url, body, self.settings.gateway_timeout_seconds)
        if not vnpay.verify_api_response(answer, terminal.hash_secret):
            raise GatewayUnavailable("querydr answer with a bad signature")
        return answer

    def reconcile(self) -> dict[str, int]:
        """Orders still PENDING after their expiry window: ask the gateway and settle them."""
        moment = now()
        counts = {"checked": 0, "paid": 0, "failed": 0, "unknown": 0}
        # orders expire within minutes: two days back covers a reconciler that was down for a while
        for partition in due(self.settings.table_name, ALARM_KIND, moment, lookback_days=2):
            order = self.store.order(partition.removeprefix("PAY#"))
            if order is None or order["status"] != "PENDING":
                continue
            counts["checked"] += 1
            try:
                answer = self._querydr(order)
            except GatewayUnavailable as err:
                logger.warning("querydr failed", extra={"txn_ref": order["txn_ref"], "error": str(err)})
                counts["unknown"] += 1
                continue
            state = vnpay.gateway_state(answer)
            if state == GatewayState.PAID:
                self._settle(order, Outcome.PAID, answer, "reconciliation")
                counts["paid"] += 1
            elif state in (GatewayState.UNPAID, GatewayState.FAILED):
                self._settle(order, Outcome.FAILED, answer, "reconciliation")
                counts["failed"] += 1
            else:
                counts["unknown"] += 1
        return counts

    def daily_report(self, day: str) -> dict[str, Any]:
        """Every order of a day whose state differs from the gateway's, kept and logged."""
        mismatches = []
        orders = self.store.orders_of_day(day)
        for order in orders:
            try:
                state = vnpay.gateway_state(self._querydr(order))
            except GatewayUnavailable:
                state = GatewayState.UNKNOWN
            if not _agrees(order["status"], state):
                mismatches.append(
                    {
                        "txn_ref": order["txn_ref"],
                        "dossier_code": order["dossier_code"],
                        "amount_vnd": int(order["amount_vnd"]),
                        "ours": order["status"],
                        "gateway": state.value,
                    }
                )
        report = {
            **keys.reconciliation_report(day),
            "day": day,
            "checked": len(orders),
            "mismatches": mismatches,
            "generated_at": iso(now()),
        }
        self.store.put(report)
        logger.info(
            "reconciliation report", extra={"day": day, "checked": len(orders), "mismatches": len(mismatches)}
        )
        return {k: v for k, v in report.items() if k not in ("PK", "SK")}

    def report(self, day: str) -> dict[str, Any]:
        found = self.store.report(day)
        if found is None:
            raise NotFound("Chưa có báo cáo đối soát cho ngày này.")
        return {k: v for k, v in found.items() if k not in ("PK", "SK")}

    def refund(self, event: Event) -> int:
        """Refunds what was paid for a refused, stopped or withdrawn dossier (or paid twice)."""
        wanted = event.data.get("txn_ref")
        refunded = 0
        for order in self.store.orders_of(event.dossier_id):
            if order["status"] != "PAID" or (wanted and order["txn_ref"] != wanted):
                continue
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
                now=now(),
                created_by="he-thong",
            )
            answer = self.store.call_gateway(terminal.api_url, body, self.settings.gateway_timeout_seconds)
            if not vnpay.verify_api_response(answer, terminal.hash_secret):
                raise GatewayUnavailable("refund answer with a bad signature")
            code = answer.get("vnp_ResponseCode")
            if code not in ("00", "95"):  # 95: refunded already (a retry after a crash)
                raise GatewayUnavailable(f"refund refused with code {code}")
            main = not order.get("duplicate")
            events = (
                [
                    Event(
                        type=EventType.PAYMENT_REFUNDED,
                        dossier_id=event.dossier_id,
                        data={
                            "txn_ref": order["txn_ref"],
                            "amount_vnd": int(order["amount_vnd"]),
                            "reason": event.data.get("reason"),
                        },
                    )
                ]
                if main
                else []
            )
            try:
                self.store.settle(
                    order["txn_ref"],
                    {
                        "status": "REFUNDED",
                        "refunded_at": iso(now()),
                        "refund_reason": event.data.get("reason", ""),
                    },
                    from_status="PAID",
                    marker=None,
                    events=events,
                )
                refunded += 1
            except TransactionCancelled as err:
                if not err.failed_condition(0):
                    raise
        return refunded


def _agrees(ours: str, gateway: GatewayState) -> bool:
    return {
        "PAID": {GatewayState.PAID},
        "REFUNDED": {GatewayState.REFUNDED},
        "FAILED": {GatewayState.UNPAID, GatewayState.FAILED},
        "CANCELLED": {GatewayState.UNPAID, GatewayState.FAILED},
        "PENDING": {GatewayState.UNPAID},
    }.get(ours, set()).__contains__(gateway)
