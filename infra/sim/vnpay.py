"""The gateway's side of VNPay's v2.1.0 protocol, so that the merchant side can be tested against it.

Mounted by the local cloud under `/sim/vnpay`; every route carries the full prefix because the app is
dispatched the whole path unchanged. It shares no code with the merchant side on purpose: signing and
verification are written again here, so that a mistake on one side is caught by the other.

What it follows (VNPay's integration guide for PAY and its `querydr`/`refund` page, as mirrored by VNPay's
own demo code and the widely used open-source clients):

- payment URL, return and IPN: HMAC-SHA512 over the sorted, form-encoded `vnp_*` parameters (API.md);
- `querydr` request checksum: RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|
  OrderInfo; response: ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|
  TransactionNo|TransactionType|TransactionStatus|OrderInfo|PromotionCode|PromotionAmount;
- `refund` request checksum: RequestId|Version|Command|TmnCode|TransactionType|TxnRef|Amount|TransactionNo|
  TransactionDate|CreateBy|CreateDate|IpAddr|OrderInfo; response: the querydr order without the two
  promotion fields.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import itertools
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

PREFIX = "/sim/vnpay"
PAY_PATH = f"{PREFIX}/paymentv2/vpcpay.html"
COMPLETE_PATH = f"{PREFIX}/paymentv2/complete"
API_PATH = f"{PREFIX}/merchant_webapi/api/transaction"

GMT7 = timezone(timedelta(hours=7), "GMT+7")
DATE_FORMAT = "%Y%m%d%H%M%S"
VERSION = "2.1.0"
REQUEST_ID_WINDOW = timedelta(minutes=5)

# The checksum field orders, written again on purpose: the simulator never imports the service it tests.
QUERYDR_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE_FIELDS = (*REFUND_RESPONSE_FIELDS, "vnp_PromotionCode", "vnp_PromotionAmount")

CARD_TYPES = {"NCB": "ATM", "VNPAYQR": "QRCODE", "VISA": "CREDIT"}
BANK_LABELS = {
    "NCB": "Thẻ ATM và tài khoản ngân hàng nội địa (NCB)",
    "VNPAYQR": "Quét mã VNPAY-QR bằng ứng dụng ngân hàng",
    "VISA": "Thẻ thanh toán quốc tế (VISA)",
}

QUERYDR_MESSAGES = {
    "00": "QueryDR Success",
    "02": "Mã định danh kết nối không hợp lệ (kiểm tra lại TmnCode)",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "91": "Không tìm thấy giao dịch yêu cầu",
    "94": "Yêu cầu bị trùng lặp trong thời gian giới hạn của API (Giới hạn trong 5 phút)",
    "97": "Chữ ký không hợp lệ",
    "99": "Các lỗi khác",
}
REFUND_MESSAGES = {
    **QUERYDR_MESSAGES,
    "00": "Refund success",
    "04": "Không cho phép hoàn trả toàn phần sau khi hoàn trả một phần",
    "91": "Không tìm thấy giao dịch yêu cầu hoàn trả",
    "93": "Số tiền hoàn trả không hợp lệ. Số tiền hoàn trả phải nhỏ hơn hoặc bằng số tiền thanh toán.",
    "95": "Giao dịch này không thành công bên VNPAY. VNPAY từ chối xử lý yêu cầu",
}

_REQUEST_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_DIGITS = re.compile(r"\d+")


def _now_gmt7() -> datetime:
    return datetime.now(GMT7)


# ---------------------------------------------------------------------------------------------- signing


def form_encode(value: str) -> str:
    """WHATWG application/x-www-form-urlencoded, as the gateway's own libraries encode values."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, str]) -> str:
    """The string the payment URL, the return and the IPN are signed over."""
    signed = {
        key: value
        for key, value in params.items()
        if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType") and value != ""
    }
    return "&".join(f"{key}={form_encode(signed[key])}" for key in sorted(signed))


def sign_params(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512(secret, hash_data(params))


def same_hash(expected: str, given: str) -> bool:
    """Constant time, case-insensitive: some clients send the hex digest upper-case."""
    return hmac.compare_digest(expected.lower().encode(), given.lower().encode("utf-8", "replace"))


def verify_params(params: Mapping[str, str], secret: str) -> bool:
    return same_hash(sign_params(params, secret), params.get("vnp_SecureHash", ""))


def pipe_data(values: Mapping[str, str], order: Sequence[str]) -> str:
    """The `|`-joined string of the merchant web API; an absent field still takes its place, empty."""
    return "|".join(values.get(name, "") for name in order)


def sign_pipe(values: Mapping[str, str], order: Sequence[str], secret: str) -> str:
    return hmac_sha512(secret, pipe_data(values, order))


def encode_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{form_encode(key)}={form_encode(value)}" for key, value in params.items())


def with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def signed(params: dict[str, str], secret: str) -> dict[str, str]:
    return {**params, "vnp_SecureHash": sign_params(params, secret)}


# ---------------------------------------------------------------------------------------------- config


@dataclass(frozen=True)
class Terminal:
    tmn_code: str
    hash_secret: str
    ipn_url: str
    name: str = ""


@dataclass
class SimulatorConfig:
    terminals: dict[str, Terminal]
    ipn_retry_delays: tuple[float, ...] = (0.5, 1, 2, 4, 8)
    ipn_timeout: float = 5.0
    auto_ipn: bool = True
    clock: Callable[[], datetime] = _now_gmt7
    # VNPay looks the order up by vnp_TxnRef and vnp_TransactionDate (= the payment's vnp_CreateDate)
    strict_transaction_date: bool = True


@dataclass(frozen=True)
class Faults:
    duplicate_ipn: int = 0
    concurrent_ipn: int = 0
    delay_ipn_seconds: float = 0.0
    drop_first_ipn: bool = False

    @classmethod
    def merged(cls, current: Faults, patch: Mapping[str, Any]) -> Faults:
        unknown = set(patch) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        values = asdict(current)
        for name, value in patch.items():
            values[name] = _fault_value(name, value)
        return cls(**values)


def _fault_value(name: str, value: Any) -> Any:
    if name == "drop_first_ipn":
        if not isinstance(value, bool):
            raise ValueError("drop_first_ipn must be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{name} must be a number >= 0")
    if name == "delay_ipn_seconds":
        return float(value)
    if not float(value).is_integer():
        raise ValueError(f"{name} must be an integer")
    return int(value)


# ---------------------------------------------------------------------------------------------- ledger


class Status(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


@dataclass(frozen=True)
class Outcome:
    response_code: str
    transaction_status: str
    status: Status


OUTCOMES = {
    "success": Outcome("00", "00", Status.PAID),
    "cancel": Outcome("24", "02", Status.CANCELLED),
    "failure": Outcome("51", "02", Status.FAILED),
}


@dataclass
class IpnAttempt:
    at: str
    elapsed_seconds: float
    kind: str
    rsp_code: str | None = None
    http_status: int | None = None
    error: str | None = None
    delivered: bool = False


@dataclass
class LedgerEntry:
    tmn_code: str
    txn_ref: str
    amount: int
    order_info: str
    create_date: str
    created_at: str
    status: Status = Status.PENDING
    transaction_no: str = ""
    bank_code: str = ""
    bank_tran_no: str = ""
    card_type: str = ""
    pay_date: str = ""
    response_code: str = ""
    transaction_status: str = "01"
    refunded_amount: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)
    ipn_status: str = "NOT_SENT"
    ipn_attempts: list[IpnAttempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


class GatewayError(Exception):
    """A payment request the gateway refuses; shown to the citizen as VNPay's error page."""

    def __init__(self, message: str, code: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class PayOrder:
    terminal: Terminal
    params: dict[str, str]
    amount: int
    expire_at: datetime


@dataclass(frozen=True)
class Completion:
    location: str
    transaction_no: str


# ---------------------------------------------------------------------------------------------- payment


def parse_query(raw: str) -> dict[str, str]:
    pairs = parse_qsl(raw, keep_blank_values=True)
    params = dict(pairs)
    if len(params) != len(pairs):
        raise GatewayError("Dữ liệu gửi sang không đúng định dạng", "03", "Tham số bị lặp lại.")
    return params


def parse_date(value: str) -> datetime | None:
    if not re.fullmatch(r"\d{14}", value):
        return None
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def format_date(moment: datetime) -> str:
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def format_vnd(amount_x100: int) -> str:
    return f"{amount_x100 // 100:,}".replace(",", ".") + " ₫"


def _format_error(detail: str) -> GatewayError:
    return GatewayError("Dữ liệu gửi sang không đúng định dạng", "03", detail)


def validate_payment(params: Mapping[str, str], terminals: Mapping[str, Terminal], now: datetime) -> PayOrder:
    terminal = terminals.get(params.get("vnp_TmnCode", ""))
    if terminal is None:
        raise GatewayError("Website này chưa được phê duyệt", "02", "Mã website (vnp_TmnCode) không tồn tại.")
    if not verify_params(params, terminal.hash_secret):
        raise GatewayError("Sai chữ ký", "97", "Chữ ký (vnp_SecureHash) không hợp lệ.")
    _check_fixed(params)
    amount = _check_amount(params.get("vnp_Amount", ""))
    for name in ("vnp_TxnRef", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_IpAddr"):
        if not params.get(name):
            raise _format_error(f"Thiếu tham số {name}.")
    if parse_date(params.get("vnp_CreateDate", "")) is None:
        raise _format_error("vnp_CreateDate phải có dạng yyyyMMddHHmmss.")
    expire_at = parse_date(params.get("vnp_ExpireDate", ""))
    if expire_at is None:
        raise _format_error("vnp_ExpireDate phải có dạng yyyyMMddHHmmss.")
    if expire_at < now:
        raise GatewayError(
            "Giao dịch đã quá thời gian chờ thanh toán", "11", "Quý khách vui lòng thực hiện lại giao dịch."
        )
    return PayOrder(terminal, dict(params), amount, expire_at)


def _check_fixed(params: Mapping[str, str]) -> None:
    expected = {"vnp_Version": VERSION, "vnp_Command": "pay", "vnp_CurrCode": "VND"}
    for name, value in expected.items():
        if params.get(name) != value:
            raise _format_error(f"{name} phải là {value}.")
    if params.get("vnp_Locale") not in ("vn", "en"):
        raise _format_error("vnp_Locale phải là vn hoặc en.")


def _check_amount(raw: str) -> int:
    if not _DIGITS.fullmatch(raw) or int(raw) <= 0 or int(raw) % 100:
        raise GatewayError("Số tiền không hợp lệ", "03", "vnp_Amount phải là số nguyên dương, bội số của 100")
    return int(raw)


def result_params(entry: LedgerEntry) -> dict[str, str]:
    """The return and the IPN carry the same parameters; an empty one is simply not sent."""
    params = {
        "vnp_Amount": str(entry.amount),
        "vnp_BankCode": entry.bank_code,
        "vnp_BankTranNo": entry.bank_tran_no,
        "vnp_CardType": entry.card_type,
        "vnp_OrderInfo": entry.order_info,
        "vnp_PayDate": entry.pay_date,
        "vnp_ResponseCode": entry.response_code,
        "vnp_TmnCode": entry.tmn_code,
        "vnp_TransactionNo": entry.transaction_no,
        "vnp_TransactionStatus": entry.transaction_status,
        "vnp_TxnRef": entry.txn_ref,
    }
    return {key: value for key, value in params.items() if value != ""}


# ---------------------------------------------------------------------------------------------- simulator


class Simulator:
    """The gateway's books and behaviour; the ASGI app is a thin shell around it."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], LedgerEntry] = {}
        self._request_ids: dict[tuple[str, str], datetime] = {}
        self._faults = Faults()
        self._numbers = itertools.count(random.randint(14_000_000, 14_900_000))
        self._threads: set[threading.Thread] = set()

    # -- state

    def now(self) -> datetime:
        return self.config.clock().astimezone(GMT7)

    def ledger(self) -> list[dict[str, Any]]:
        with self._lock:
            return [entry.to_json() for entry in self._entries.values()]

    def entry(self, tmn_code: str, txn_ref: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get((tmn_code, txn_ref))
            return found.to_json() if found else None

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._request_ids.clear()

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set_faults(self, patch: Mapping[str, Any]) -> Faults:
        with self._lock:
            self._faults = Faults.merged(self._faults, patch)
            return self._faults

    def reset_faults(self) -> Faults:
        with self._lock:
            self._faults = Faults()
            return self._faults

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait for every IPN delivery under way; True when none is left."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = [thread for thread in self._threads if thread.is_alive()]
            if not threads:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            threads[0].join(remaining)

    def _next_number(self) -> str:
        return f"{next(self._numbers) % 100_000_000:08d}"

    # -- payment page

    def open_payment(self, raw_query: str) -> PayOrder:
        order = validate_payment(parse_query(raw_query), self.config.terminals, self.now())
        key = (order.terminal.tmn_code, order.params["vnp_TxnRef"])
        with self._lock:
            existing = self._entries.get(key)
            if existing is None:
                self._entries[key] = self._pending_entry(order)
            else:
                _check_reopen(existing, order)
        return order

    def _pending_entry(self, order: PayOrder) -> LedgerEntry:
        return LedgerEntry(
            tmn_code=order.terminal.tmn_code,
            txn_ref=order.params["vnp_TxnRef"],
            amount=order.amount,
            order_info=order.params["vnp_OrderInfo"],
            create_date=order.params["vnp_CreateDate"],
            created_at=self.now().isoformat(),
        )

    def complete(self, raw_query: str, outcome_name: str, bank_code: str) -> Completion:
        outcome = OUTCOMES.get(outcome_name)
        if outcome is None or bank_code not in CARD_TYPES:
            raise _format_error("Lựa chọn thanh toán không hợp lệ.")
        order = validate_payment(parse_query(raw_query), self.config.terminals, self.now())
        key = (order.terminal.tmn_code, order.params["vnp_TxnRef"])
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = self._pending_entry(order)
            _check_reopen(entry, order)
            self._settle(entry, outcome, bank_code)
            params = signed(result_params(entry), order.terminal.hash_secret)
            faults = self._faults
        if self.config.auto_ipn:
            self._start_ipn(entry, with_query(order.terminal.ipn_url, encode_query(params)), faults)
        location = with_query(order.params["vnp_ReturnUrl"], encode_query(params))
        return Completion(location, entry.transaction_no)

    def _settle(self, entry: LedgerEntry, outcome: Outcome, bank_code: str) -> None:
        entry.status = outcome.status
        entry.response_code = outcome.response_code
        entry.transaction_status = outcome.transaction_status
        entry.bank_code = bank_code
        entry.card_type = CARD_TYPES[bank_code]
        entry.pay_date = format_date(self.now())
        if outcome.status is Status.CANCELLED:
            # VNPay answers a cancelled payment with transaction number 0 and no bank reference
            entry.transaction_no = "0"
            entry.bank_tran_no = ""
        else:
            entry.transaction_no = self._next_number()
            entry.bank_tran_no = f"VNP{entry.transaction_no}"

    # -- IPN

    def send_ipn(self, tmn_code: str, txn_ref: str) -> bool:
        """Deliver the IPN of a settled order (again), as the gateway's operators can on request."""
        with self._lock:
            entry = self._entries.get((tmn_code, txn_ref))
            if entry is None or entry.status is Status.PENDING:
                return False
            terminal = self.config.terminals[tmn_code]
            params = signed(result_params(entry), terminal.hash_secret)
            faults = self._faults
        self._start_ipn(entry, with_query(terminal.ipn_url, encode_query(params)), faults)
        return True

    def _start_ipn(self, entry: LedgerEntry, url: str, faults: Faults) -> None:
        thread = threading.Thread(
            target=self._deliver_ipn,
            args=(entry, url, faults),
            name=f"vnpay-ipn-{entry.txn_ref}",
            daemon=True,
        )
        with self._lock:
            entry.ipn_status = "IN_PROGRESS"
            self._threads = {t for t in self._threads if t.is_alive()} | {thread}
        thread.start()

    def _deliver_ipn(self, entry: LedgerEntry, url: str, faults: Faults) -> None:
        started = time.monotonic()
        time.sleep(faults.delay_ipn_seconds)
        delivered, sent = False, 0
        for number, wait in enumerate((0.0, *self.config.ipn_retry_delays)):
            time.sleep(wait)
            if number == 0 and faults.drop_first_ipn:
                self._record(entry, self._attempt(started, "dropped", error="lost (fault injection)"))
                continue
            # the race is staged on the first IPN that actually leaves the gateway
            copies = faults.concurrent_ipn if sent == 0 and faults.concurrent_ipn > 1 else 1
            delivered = self._send_copies(entry, url, started, copies, "first" if number == 0 else "retry")
            sent += 1
            if delivered:
                break
        with self._lock:
            entry.ipn_status = "DELIVERED" if delivered else "GAVE_UP"
        for _ in range(faults.duplicate_ipn):
            self._send_once(entry, url, started, "duplicate")

    def _send_copies(self, entry: LedgerEntry, url: str, started: float, copies: int, kind: str) -> bool:
        if copies == 1:
            return self._send_once(entry, url, started, kind)
        barrier = threading.Barrier(copies)
        results: list[bool] = []

        def send() -> None:
            barrier.wait()
            results.append(self._send_once(entry, url, started, "concurrent"))

        threads = [threading.Thread(target=send, daemon=True) for _ in range(copies)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return any(results)

    def _send_once(self, entry: LedgerEntry, url: str, started: float, kind: str) -> bool:
        try:
            with httpx.Client(timeout=self.config.ipn_timeout) as client:
                response = client.get(url)
        except httpx.HTTPError as error:
            attempt = self._attempt(started, kind, error=f"{type(error).__name__}: {error}")
        else:
            attempt = self._judge(response, self._attempt(started, kind, http_status=response.status_code))
        self._record(entry, attempt)
        return attempt.delivered

    def _judge(self, response: httpx.Response, attempt: IpnAttempt) -> IpnAttempt:
        if response.status_code != 200:
            return replace(attempt, error=f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            return replace(attempt, error="the answer is not JSON")
        rsp_code = body.get("RspCode") if isinstance(body, dict) else None
        if not isinstance(rsp_code, str):
            return replace(attempt, error="the answer has no RspCode")
        # the gateway retries anything but 00 and 02
        return replace(attempt, rsp_code=rsp_code, delivered=rsp_code in ("00", "02"))

    def _attempt(self, started: float, kind: str, **details: Any) -> IpnAttempt:
        elapsed = round(time.monotonic() - started, 3)
        return IpnAttempt(at=self.now().isoformat(), elapsed_seconds=elapsed, kind=kind, **details)

    def _record(self, entry: LedgerEntry, attempt: IpnAttempt) -> None:
        with self._lock:
            entry.ipn_attempts.append(attempt)

    # -- merchant web API

    def transaction_api(self, body: bytes) -> dict[str, str]:
        try:
            values = _request_values(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            return {
                "vnp_ResponseId": _response_id(),
                "vnp_ResponseCode": "03",
                "vnp_Message": QUERYDR_MESSAGES["03"],
            }
        command = values.get("vnp_Command", "")
        api = _API.get(command)
        if api is None:
            return {
                "vnp_ResponseId": _response_id(),
                "vnp_Command": command,
                "vnp_ResponseCode": "03",
                "vnp_Message": QUERYDR_MESSAGES["03"],
            }
        terminal = self.config.terminals.get(values.get("vnp_TmnCode", ""))
        if terminal is None:
            return api.answer(values, "02", None)
        code = self._precheck(api, values, terminal)
        if code:
            return api.answer(values, code, terminal)
        return api.handle(self, values, terminal)

    def _precheck(self, api: _Api, values: dict[str, str], terminal: Terminal) -> str:
        if api.malformed(values):
            return "03"
        expected = sign_pipe(values, api.request_fields, terminal.hash_secret)
        if not same_hash(expected, values.get("vnp_SecureHash", "")):
            return "97"
        if self._seen_request(terminal.tmn_code, values["vnp_RequestId"]):
            return "94"
        return ""

    def _seen_request(self, tmn_code: str, request_id: str) -> bool:
        now = self.now()
        with self._lock:
            self._request_ids = {
                key: seen for key, seen in self._request_ids.items() if now - seen < REQUEST_ID_WINDOW
            }
            key = (tmn_code, request_id)
            if key in self._request_ids:
                return True
            self._request_ids[key] = now
            return False

    def _find(self, values: Mapping[str, str], terminal: Terminal) -> LedgerEntry | None:
        entry = self._entries.get((terminal.tmn_code, values["vnp_TxnRef"]))
        if entry is None:
            return None
        if self.config.strict_transaction_date and entry.create_date != values["vnp_TransactionDate"]:
            return None
        return entry

    def querydr(self, values: dict[str, str], terminal: Terminal) -> dict[str, str]:
        with self._lock:
            entry = self._find(values, terminal)
            if entry is None:
                return QUERYDR.answer(values, "91", terminal)
            return QUERYDR.answer(values, "00", terminal, _querydr_details(entry))

    def refund(self, values: dict[str, str], terminal: Terminal) -> dict[str, str]:
        amount = int(values["vnp_Amount"])
        with self._lock:
            entry = self._find(values, terminal)
            code = _refund_refusal(entry, values, amount)
            if code or entry is None:
                return REFUND.answer(values, code or "91", terminal)
            details = self._apply_refund(entry, values, amount)
        return REFUND.answer(values, "00", terminal, details)

    def _apply_refund(self, entry: LedgerEntry, values: Mapping[str, str], amount: int) -> dict[str, str]:
        number, moment = self._next_number(), format_date(self.now())
        entry.refunded_amount += amount
        entry.status = Status.REFUNDED
        entry.refunds.append(
            {
                "request_id": values["vnp_RequestId"],
                "transaction_type": values["vnp_TransactionType"],
                "amount": amount,
                "transaction_no": number,
                "at": moment,
                "create_by": values["vnp_CreateBy"],
            }
        )
        # a refund is accepted, not finished: VNPay reports it as "05", being processed
        return {
            "vnp_Amount": str(amount),
            "vnp_BankCode": entry.bank_code,
            "vnp_PayDate": moment,
            "vnp_TransactionNo": number,
            "vnp_TransactionType": values["vnp_TransactionType"],
            "vnp_TransactionStatus": "05",
            "vnp_OrderInfo": values["vnp_OrderInfo"],
        }


def _check_reopen(entry: LedgerEntry, order: PayOrder) -> None:
    if entry.status is not Status.PENDING:
        raise GatewayError("Giao dịch đã được xử lý", "02", "Đơn hàng này đã được thanh toán hoặc đã bị hủy.")
    if entry.amount != order.amount:
        raise GatewayError("Giao dịch đã tồn tại", "01", "Mã đơn hàng đã được dùng với một số tiền khác.")


def _querydr_details(entry: LedgerEntry) -> dict[str, str]:
    transaction_type, transaction_status = "01", entry.transaction_status
    if entry.status is Status.REFUNDED:
        transaction_type = entry.refunds[-1]["transaction_type"]
        transaction_status = "05"
    return {
        "vnp_Amount": str(entry.amount),
        "vnp_OrderInfo": entry.order_info,
        "vnp_BankCode": entry.bank_code,
        "vnp_PayDate": entry.pay_date,
        "vnp_TransactionNo": entry.transaction_no or "0",
        "vnp_TransactionType": transaction_type,
        "vnp_TransactionStatus": transaction_status,
    }


def _refund_refusal(entry: LedgerEntry | None, values: Mapping[str, str], amount: int) -> str:
    if entry is None:
        return "91"
    asked_no = values.get("vnp_TransactionNo", "")
    if asked_no not in ("", "0") and asked_no != entry.transaction_no:
        return "91"
    if entry.status not in (Status.PAID, Status.REFUNDED) or entry.refunded_amount >= entry.amount:
        return "95"
    if values["vnp_TransactionType"] == "02":
        if entry.refunded_amount:
            return "04"
        return "" if amount == entry.amount else "93"
    return "" if amount <= entry.amount - entry.refunded_amount else "93"


def _request_values(data: Any) -> dict[str, str]:
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    values: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            values[key] = ""
        elif isinstance(value, str):
            values[key] = value
        elif isinstance(value, int) and not isinstance(value, bool):
            values[key] = str(value)
        else:
            raise ValueError(f"{key} is neither a string nor an integer")
    return values


def _response_id() -> str:
    return uuid.uuid4().hex


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Api:
    command: str
    request_fields: tuple[str, ...]
    response_fields: tuple[str, ...]
    messages: Mapping[str, str]
    handle: Callable[[Simulator, dict[str, str], Terminal], dict[str, str]]

    def malformed(self, values: Mapping[str, str]) -> bool:
        required = [name for name in self.request_fields if name != "vnp_TransactionNo"]
        if any(not values.get(name) for name in required) or not values.get("vnp_SecureHash"):
            return True
        if not _REQUEST_ID.fullmatch(values["vnp_RequestId"]) or values["vnp_Version"] != VERSION:
            return True
        dates = (values["vnp_TransactionDate"], values["vnp_CreateDate"])
        if any(parse_date(value) is None for value in dates) or not _valid_ip(values["vnp_IpAddr"]):
            return True
        return self.command == "refund" and _malformed_refund(values)

    def answer(
        self,
        values: Mapping[str, str],
        code: str,
        terminal: Terminal | None,
        details: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        response = {
            "vnp_ResponseId": _response_id(),
            "vnp_Command": self.command,
            "vnp_ResponseCode": code,
            "vnp_Message": self.messages[code],
            "vnp_TmnCode": values.get("vnp_TmnCode", ""),
            "vnp_TxnRef": values.get("vnp_TxnRef", ""),
            **(details or {}),
        }
        if terminal is not None:
            response["vnp_SecureHash"] = sign_pipe(response, self.response_fields, terminal.hash_secret)
        return response


def _malformed_refund(values: Mapping[str, str]) -> bool:
    amount = values["vnp_Amount"]
    if values["vnp_TransactionType"] not in ("02", "03"):
        return True
    if not _DIGITS.fullmatch(amount) or int(amount) <= 0 or int(amount) % 100:
        return True
    return not re.fullmatch(r"\d*", values.get("vnp_TransactionNo", ""))


QUERYDR = _Api(
    "querydr", QUERYDR_REQUEST_FIELDS, QUERYDR_RESPONSE_FIELDS, QUERYDR_MESSAGES, Simulator.querydr
)
REFUND = _Api("refund", REFUND_REQUEST_FIELDS, REFUND_RESPONSE_FIELDS, REFUND_MESSAGES, Simulator.refund)
_API = {"querydr": QUERYDR, "refund": REFUND}


# ---------------------------------------------------------------------------------------------- pages

_STYLE = """
:root { color-scheme: light; --brand: #005baa; --ink: #1b1b1b; --muted: #555; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink);
       background: #eef3f8; }
main { max-width: 40rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: .5rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.15); }
h1 { font-size: 1.4rem; color: var(--brand); margin-top: 0; }
h2 { font-size: 1.1rem; }
.note { color: var(--muted); font-size: .9rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.amount { font-size: 1.3rem; font-weight: 700; color: #c0392b; }
fieldset { border: 1px solid #bbb; border-radius: .4rem; margin: 1rem 0; }
.choice { display: flex; align-items: center; gap: .5rem; padding: .3rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; }
button { font: inherit; padding: .6rem 1rem; border-radius: .4rem; border: 2px solid var(--brand);
         background: var(--brand); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--brand); }
button.danger { background: #a4262c; border-color: #a4262c; }
a:focus-visible, button:focus-visible, input:focus-visible {
  outline: 3px solid #ffbf00; outline-offset: 2px; }
.error { border-left: 4px solid #a4262c; padding: .5rem 1rem; background: #fdecea; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def payment_page(order: PayOrder, raw_query: str) -> str:
    params, terminal = order.params, order.terminal
    merchant = f"{terminal.name} ({terminal.tmn_code})" if terminal.name else terminal.tmn_code
    preselected = params.get("vnp_BankCode", "")
    preselected = preselected if preselected in CARD_TYPES else "NCB"
    rows = [
        ("Đơn vị chấp nhận thanh toán", merchant),
        ("Mã đơn hàng", params["vnp_TxnRef"]),
        ("Nội dung thanh toán", params["vnp_OrderInfo"]),
        ("Hạn thanh toán", order.expire_at.strftime("%H:%M:%S ngày %d/%m/%Y")),
    ]
    listing = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    listing += f'<dt>Số tiền</dt><dd class="amount">{html.escape(format_vnd(order.amount))}</dd>'
    body = f"""<h1>Cổng thanh toán VNPAY</h1>
<p class="note" id="sim-note">Đây là cổng thanh toán mô phỏng dùng để kiểm thử;
không có tiền thật nào được chuyển.</p>
<section aria-labelledby="order-heading">
<h2 id="order-heading">Thông tin đơn hàng</h2>
<dl>{listing}</dl>
</section>
<form method="post" action="{COMPLETE_PATH}" aria-describedby="sim-note">
<input type="hidden" name="query" value="{html.escape(raw_query)}">
<fieldset>
<legend>Chọn phương thức thanh toán</legend>
{_bank_choices(preselected)}
</fieldset>
<div class="actions">
<button type="submit" name="outcome" value="success">Thanh toán thành công</button>
<button type="submit" name="outcome" value="cancel" class="secondary">Hủy giao dịch</button>
<button type="submit" name="outcome" value="failure" class="danger">Giao dịch thất bại</button>
</div>
</form>"""
    return _page("Thanh toán đơn hàng – Cổng thanh toán VNPAY (mô phỏng)", body)


def _bank_choices(preselected: str) -> str:
    return "\n".join(
        f'<div class="choice"><input type="radio" id="bank-{code}" name="bank_code" value="{code}"'
        f"{' checked' if code == preselected else ''}>"
        f'<label for="bank-{code}">{html.escape(label)}</label></div>'
        for code, label in BANK_LABELS.items()
    )


def error_page(error: GatewayError) -> str:
    detail = f"<p>{html.escape(error.detail)}</p>" if error.detail else ""
    body = f"""<h1>Thông báo</h1>
<div class="error" role="alert">
<p><strong>{html.escape(error.message)}</strong></p>
{detail}
<p class="note">Mã lỗi: {html.escape(error.code)}</p>
</div>
<p>Quý khách vui lòng quay lại trang của đơn vị chấp nhận thanh toán và thực hiện lại giao dịch.</p>"""
    return _page(f"{error.message} – Cổng thanh toán VNPAY (mô phỏng)", body)


# ---------------------------------------------------------------------------------------------- app

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _html(content: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status_code, headers=_SECURITY_HEADERS)


def _problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"{}")
    except ValueError:
        return None


def _form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _follow(location: str, timeout: float) -> dict[str, Any]:
    try:
        response = httpx.get(location, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as error:
        return {"return_status": None, "return_error": f"{type(error).__name__}: {error}"}
    return {"return_status": response.status_code, "return_location": response.headers.get("location")}


def create_app(config: SimulatorConfig) -> FastAPI:
    simulator = Simulator(config)
    app = FastAPI(
        title="VNPay gateway simulator",
        version=VERSION,
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.simulator = simulator
    _payment_routes(app, simulator)
    _api_routes(app, simulator)
    _admin_routes(app, simulator)
    return app


def _payment_routes(app: FastAPI, simulator: Simulator) -> None:
    @app.get(PAY_PATH, response_class=HTMLResponse)
    def payment(request: Request) -> Response:
        raw_query = request.url.query
        try:
            order = simulator.open_payment(raw_query)
        except GatewayError as error:
            return _html(error_page(error), 400)
        return _html(payment_page(order, raw_query))

    @app.post(COMPLETE_PATH)
    async def complete(request: Request) -> Response:
        form = _form(await request.body())
        try:
            done = simulator.complete(
                form.get("query", ""), form.get("outcome", "success"), form.get("bank_code", "")
            )
        except GatewayError as error:
            return _html(error_page(error), 400)
        return RedirectResponse(done.location, status_code=302, headers={"Cache-Control": "no-store"})


def _api_routes(app: FastAPI, simulator: Simulator) -> None:
    @app.post(API_PATH)
    async def transaction(request: Request) -> JSONResponse:
        # VNPay answers 200 with a response code, whatever went wrong
        return JSONResponse(simulator.transaction_api(await request.body()))

    @app.get(f"{PREFIX}/ledger")
    def ledger(txn_ref: str | None = None) -> list[dict[str, Any]]:
        entries = simulator.ledger()
        return [entry for entry in entries if txn_ref is None or entry["txn_ref"] == txn_ref]


def _admin_routes(app: FastAPI, simulator: Simulator) -> None:
    @app.get(f"{PREFIX}/admin/faults")
    def get_faults() -> dict[str, Any]:
        return asdict(simulator.faults)

    @app.post(f"{PREFIX}/admin/faults", response_model=None)
    async def set_faults(request: Request) -> dict[str, Any] | JSONResponse:
        patch = await _json_body(request)
        if not isinstance(patch, dict):
            return _problem(422, "Invalid faults", "Cần một đối tượng JSON.", "validation_failed")
        try:
            return asdict(simulator.set_faults(patch))
        except ValueError as error:
            return _problem(422, "Invalid faults", str(error), "validation_failed")

    @app.delete(f"{PREFIX}/admin/faults")
    def reset_faults() -> dict[str, Any]:
        return asdict(simulator.reset_faults())

    @app.post(f"{PREFIX}/admin/reset")
    def reset() -> dict[str, str]:
        simulator.reset()
        return {"status": "reset"}

    @app.post(f"{PREFIX}/admin/ipn", response_model=None)
    async def send_ipn(request: Request) -> dict[str, Any] | JSONResponse:
        body = await _json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("txn_ref"), str):
            return _problem(422, "Invalid request", "Cần txn_ref là một chuỗi.", "validation_failed")
        tmn_code = body.get("tmn_code") or next(iter(simulator.config.terminals), "")
        if not simulator.send_ipn(str(tmn_code), body["txn_ref"]):
            return _problem(404, "Not found", "Không có giao dịch đã xử lý với mã này.", "not_found")
        return {"status": "sending"}

    @app.post(f"{PREFIX}/admin/pay", response_model=None)
    async def pay(request: Request) -> dict[str, Any] | JSONResponse:
        return await _headless_pay(simulator, await _json_body(request))


async def _headless_pay(simulator: Simulator, body: Any) -> dict[str, Any] | JSONResponse:
    """What a citizen's browser does: open the payment page, choose, complete (and maybe come back)."""
    if not isinstance(body, dict) or not isinstance(body.get("pay_url"), str):
        return _problem(422, "Invalid request", "Cần pay_url là một chuỗi.", "validation_failed")
    outcome, bank_code = body.get("outcome", "success"), body.get("bank_code", "NCB")
    if outcome not in OUTCOMES or bank_code not in CARD_TYPES:
        return _problem(422, "Invalid request", "outcome hoặc bank_code không hợp lệ.", "validation_failed")
    raw_query = urlsplit(body["pay_url"]).query
    try:
        simulator.open_payment(raw_query)
        done = simulator.complete(raw_query, outcome, bank_code)
    except GatewayError as error:
        detail = error.detail or error.message
        return _problem(400, error.message, detail, "gateway_refused", vnp_code=error.code)
    answer: dict[str, Any] = {"return_url": done.location, "transaction_no": done.transaction_no}
    if body.get("follow_return"):
        answer |= await run_in_threadpool(_follow, done.location, simulator.config.ipn_timeout)
    return answer
