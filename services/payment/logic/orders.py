"""The citizen's side of payment: an order for the fee a dossier owes, its state, and the link to the
result document once it was returned online (served only if it is the version frozen at return)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.auth import check_access_token
from services.core.clock import iso, now, parse
from services.core.dossier import DossierRecord
from services.core.dossiers import FINAL, PaymentStatus, Status
from services.core.errors import Conflict, NotFound
from services.core.observability import logger
from services.core.repository import DossierRepository
from services.core.text import plain_ascii
from services.payment.logic import vnpay
from services.payment.logic.ports import Clock, OrderStore, ResultDocuments, Terminals
from services.payment.settings import PaymentSettings

ALARM_KIND = "payment"
RESULT_LINK_SECONDS = 300
REUSE_MARGIN = timedelta(minutes=2)  # an order about to expire is not offered again


def new_txn_ref(moment: datetime) -> str:
    """`P20261126A1B2C3`: unique per merchant and day, as the gateway requires."""
    return f"P{moment:%Y%m%d}{secrets.token_hex(3).upper()}"


def check_payable(meta: dict[str, Any]) -> int:
    """The amount the dossier owes, or a Conflict saying why nothing is to be paid."""
    amount = int(meta.get("amount_due_vnd") or 0)
    if meta["status"] in FINAL or meta["status"] == Status.DRAFT:
        raise Conflict("Hồ sơ không ở trạng thái cần thanh toán.")
    if meta.get("payment_status") == PaymentStatus.PAID:
        raise Conflict("Hồ sơ đã được thanh toán.")
    if meta.get("payment_status") != PaymentStatus.PENDING or amount <= 0:
        raise Conflict("Hồ sơ không có khoản phí, lệ phí nào cần thanh toán.")
    return amount


def open_order(orders: list[dict[str, Any]], amount: int, moment: datetime) -> dict[str, Any] | None:
    """A pending order for the same amount that stays open long enough to be paid."""
    return next(
        (
            o
            for o in orders
            if o["status"] == "PENDING"
            and o["amount_vnd"] == amount
            and parse(o["expires_at"]) > moment + REUSE_MARGIN
        ),
        None,
    )


@dataclass
class Orders:
    dossiers: DossierRepository
    orders: OrderStore
    results: ResultDocuments
    settings: PaymentSettings
    terminal: Terminals
    clock: Clock = now

    def _dossier(self, dossier_id: str, token: str, whole: bool = False) -> DossierRecord:
        record = self.dossiers.load(dossier_id, whole=whole) if len(dossier_id) <= 64 else None
        if record is None or "token_hash" not in record.meta:
            raise NotFound("Không tìm thấy hồ sơ.")
        check_access_token(token, record.meta["token_hash"])
        return record

    def create_order(self, dossier_id: str, token: str, ip_address: str) -> dict[str, Any]:
        meta = self._dossier(dossier_id, token).meta
        amount = check_payable(meta)
        moment = self.clock()
        orders = self.orders.orders_of(dossier_id)
        if any(o["status"] == "PAID" for o in orders):
            raise Conflict("Hồ sơ đã được thanh toán.")
        found = open_order(orders, amount, moment)
        if found is not None:
            return self._order_view(found, with_url=True)  # one attempt at a time: the same order again
        for _ in range(5):
            item = self._new_order(dossier_id, meta["code"], amount, new_txn_ref(moment), moment, ip_address)
            if self.orders.create(item):
                return self._order_view(item, with_url=True)
        raise Conflict("Không tạo được giao dịch; vui lòng thử lại.")

    def _new_order(
        self, dossier_id: str, code: str, amount: int, txn_ref: str, moment: datetime, ip_address: str
    ) -> dict[str, Any]:
        expires = moment + timedelta(minutes=self.settings.payment_expiry_minutes)
        reconcile_at = expires + timedelta(minutes=self.settings.reconcile_after_minutes)
        return {
            **keys.payment(txn_ref),
            **keys.payment_by_dossier(dossier_id, iso(moment)),
            **keys.payment_by_day(moment.date().isoformat(), iso(moment), txn_ref),
            **keys.alarm(ALARM_KIND, iso(reconcile_at), txn_ref),
            "payment_id": txn_ref,
            "txn_ref": txn_ref,
            "dossier_id": dossier_id,
            "dossier_code": code,
            "amount_vnd": amount,
            "status": "PENDING",
            "created_at": iso(moment),
            "create_date": vnpay.timestamp(moment),
            "expires_at": iso(expires),
            "order_info": plain_ascii(f"Thanh toan le phi ho so {code}", 255),
            "ip_address": ip_address,
        }

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
        found = self.orders.order(payment_id) if len(payment_id) <= 40 else None
        if found is None:
            raise NotFound("Không tìm thấy giao dịch.")
        self._dossier(found["dossier_id"], token)
        return self._order_view(found)

    def result_link(self, dossier_id: str, token: str) -> str:
        # the whole dossier: its META and the DELIVERY part in one read
        record = self._dossier(dossier_id, token, whole=True)
        if record.status != Status.RESULT_RETURNED:
            raise Conflict("Hồ sơ chưa có kết quả để tải.")
        delivery = record.delivery
        if delivery is None or delivery.get("method") != "online" or not delivery.get("result_key"):
            raise NotFound("Kết quả của hồ sơ này không được trả trực tuyến hoặc đang được chuẩn bị.")
        self._check_result(delivery.raw())
        return self.results.link(
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
            etag = self.results.version_etag(delivery["result_key"], delivery["result_version_id"])
            intact = etag is not None and etag == delivery.get("result_etag", etag)
        elif recorded:  # a bucket without versioning: the current bytes must be the frozen ones
            intact = self.results.sha256(delivery["result_key"]) == recorded
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
