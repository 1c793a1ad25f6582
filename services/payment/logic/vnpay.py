"""VNPay v2.1.0, the merchant's side: payment URL, signatures, IPN decisions, querydr and refund.

Pure functions over plain data (no network, no AWS). The gateway simulator in infra/sim/ implements the
gateway's side separately, so a mistake in one is caught by the other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote_plus

from services.core.clock import VN_TZ

VERSION = "2.1.0"
HASH_FIELDS_EXCLUDED = {"vnp_SecureHash", "vnp_SecureHashType"}
# Keys go into the signed string as they are (only values are encoded): a key holding "&" or "=" would
# make a different set of parameters sign to the same string, so only the gateway's own shape is taken.
PARAMETER_KEY = re.compile(r"^vnp_[A-Za-z]+$")


class InvalidParameterKey(ValueError):
    """A vnp_* parameter whose key is not letters only: nothing with it is signed or verified."""


def encode(value: str) -> str:
    """The WHATWG form encoding the gateway's own libraries use: space as '+', '~' as %7E, '*' kept."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def canonical(params: Mapping[str, str]) -> str:
    """Every vnp_* parameter except the hash ones, empty values dropped, sorted by key, form-encoded."""
    kept = sorted(
        (k, v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in HASH_FIELDS_EXCLUDED and v not in (None, "")
    )
    for key, _ in kept:
        if not PARAMETER_KEY.match(key):
            raise InvalidParameterKey(key)
    return "&".join(f"{k}={encode(str(v))}" for k, v in kept)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac_sha512(secret, canonical(params))


def verify(params: Mapping[str, str], secret: str) -> bool:
    try:
        expected = sign(params, secret)
    except InvalidParameterKey:
        return False  # the gateway never sends such a key: answered as a bad signature (97)
    return same_hash(str(params.get("vnp_SecureHash", "")), expected)


def same_hash(given: str, expected: str) -> bool:
    # constant time, and case-insensitive: gateways send upper- or lower-case hex; compared as bytes, since
    # compare_digest refuses non-ASCII text and a forged hash may carry any character
    return bool(given) and hmac.compare_digest(given.lower().encode(), expected.lower().encode())


def timestamp(moment: datetime) -> str:
    """yyyyMMddHHmmss in GMT+7, as the gateway writes dates."""
    return moment.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class Terminal:
    tmn_code: str
    hash_secret: str
    pay_url: str
    api_url: str


def pay_url(
    terminal: Terminal,
    *,
    txn_ref: str,
    amount_vnd: int,
    order_info: str,
    return_url: str,
    ip_address: str,
    created: datetime,
    expires: datetime,
    locale: str = "vn",
) -> str:
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": terminal.tmn_code,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": "other",
        "vnp_Locale": locale,
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_address,
        "vnp_CreateDate": timestamp(created),
        "vnp_ExpireDate": timestamp(expires),
    }
    query = canonical(params)
    return f"{terminal.pay_url}?{query}&vnp_SecureHash={hmac_sha512(terminal.hash_secret, query)}"


# -- the IPN decision table --------------------------------------------------------------------------


class Rsp(StrEnum):
    CONFIRMED = "00"
    ORDER_NOT_FOUND = "01"
    ALREADY_CONFIRMED = "02"
    INVALID_AMOUNT = "04"
    INVALID_SIGNATURE = "97"
    UNKNOWN = "99"


MESSAGES = {
    Rsp.CONFIRMED: "Confirm Success",
    Rsp.ORDER_NOT_FOUND: "Order not found",
    Rsp.ALREADY_CONFIRMED: "Order already confirmed",
    Rsp.INVALID_AMOUNT: "Invalid amount",
    Rsp.INVALID_SIGNATURE: "Invalid signature",
    Rsp.UNKNOWN: "Unknown error",
}


def answer(code: Rsp) -> dict[str, str]:
    return {"RspCode": code.value, "Message": MESSAGES[code]}


class Outcome(StrEnum):
    PAID = "PAID"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"


def outcome_of(params: Mapping[str, str]) -> Outcome:
    """Paid only when both the response code and the transaction status are 00; 24 is a cancellation."""
    response, status = params.get("vnp_ResponseCode"), params.get("vnp_TransactionStatus")
    if response == "00" and status == "00":
        return Outcome.PAID
    if response == "24":
        return Outcome.CANCELLED
    return Outcome.FAILED


@dataclass(frozen=True)
class Verdict:
    """What to answer the gateway, and what to record (nothing unless `record` is set)."""

    rsp: Rsp
    record: Outcome | None = None


def judge_ipn(params: Mapping[str, str], secret: str, order: Mapping[str, object] | None) -> Verdict:
    """API.md's order: 97 bad signature, 01 not found, 04 amount differs, 02 already confirmed, 00."""
    if not verify(params, secret):
        return Verdict(Rsp.INVALID_SIGNATURE)  # nothing recorded for a forged call
    if order is None:
        return Verdict(Rsp.ORDER_NOT_FOUND)
    if str(params.get("vnp_Amount", "")) != str(int(str(order["amount_vnd"])) * 100):
        return Verdict(Rsp.INVALID_AMOUNT)
    if order["status"] != "PENDING":
        return Verdict(Rsp.ALREADY_CONFIRMED)
    return Verdict(Rsp.CONFIRMED, outcome_of(params))


# -- querydr and refund --------------------------------------------------------------------------------

QUERYDR_FIELDS = (
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
REFUND_FIELDS = (
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
RESPONSE_FIELDS = (
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
QUERYDR_RESPONSE_FIELDS = (*RESPONSE_FIELDS, "vnp_PromotionCode", "vnp_PromotionAmount")


def piped(values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    return "|".join("" if values.get(f) is None else str(values.get(f)) for f in fields)


def querydr_request(
    terminal: Terminal,
    *,
    request_id: str,
    txn_ref: str,
    transaction_date: str,
    order_info: str,
    ip_address: str,
    now: datetime,
) -> dict[str, str]:
    command = {"vnp_TxnRef": txn_ref, "vnp_OrderInfo": order_info, "vnp_TransactionDate": transaction_date}
    return _merchant_request(terminal, "querydr", command, QUERYDR_FIELDS, request_id, ip_address, now)


def refund_request(
    terminal: Terminal,
    *,
    request_id: str,
    txn_ref: str,
    amount_vnd: int,
    transaction_no: str,
    transaction_date: str,
    order_info: str,
    ip_address: str,
    now: datetime,
    created_by: str,
    partial: bool = False,
) -> dict[str, str]:
    command = {
        "vnp_TransactionType": "03" if partial else "02",
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_OrderInfo": order_info,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionDate": transaction_date,
        "vnp_CreateBy": created_by,
    }
    return _merchant_request(terminal, "refund", command, REFUND_FIELDS, request_id, ip_address, now)


def _merchant_request(
    terminal: Terminal,
    command: str,
    fields: dict[str, str],
    signed: tuple[str, ...],
    request_id: str,
    ip_address: str,
    now: datetime,
) -> dict[str, str]:
    """A merchant API call's body: the header every command carries around the command's own fields,
    signed over `signed` (each command pipes its fields in its own order)."""
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": command,
        "vnp_TmnCode": terminal.tmn_code,
        **fields,
        "vnp_CreateDate": timestamp(now),
        "vnp_IpAddr": ip_address,
    }
    body["vnp_SecureHash"] = hmac_sha512(terminal.hash_secret, piped(body, signed))
    return body


def verify_api_response(response: Mapping[str, object], secret: str) -> bool:
    fields = QUERYDR_RESPONSE_FIELDS if response.get("vnp_Command") == "querydr" else RESPONSE_FIELDS
    return same_hash(str(response.get("vnp_SecureHash", "")), hmac_sha512(secret, piped(response, fields)))


class GatewayState(StrEnum):
    PAID = "PAID"
    UNPAID = "UNPAID"  # never completed at the gateway, or not found there
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"
    UNKNOWN = "UNKNOWN"  # could not tell: ask again later


def gateway_state(response: Mapping[str, object]) -> GatewayState:
    """What the gateway's querydr answer means for the order."""
    code = response.get("vnp_ResponseCode")
    if code == "91":
        return GatewayState.UNPAID
    if code != "00":
        return GatewayState.UNKNOWN
    status = response.get("vnp_TransactionStatus")
    if status == "00":
        return GatewayState.PAID
    if status == "01":
        return GatewayState.UNPAID
    if status in ("05", "06"):
        return GatewayState.REFUNDED
    if status in ("02", "04", "07", "09"):
        return GatewayState.FAILED
    return GatewayState.UNKNOWN
