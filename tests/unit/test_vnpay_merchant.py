"""The merchant's side of VNPay v2.1.0: signatures, the payment URL, the IPN decision table."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from services.core.clock import VN_TZ
from services.payment.logic import vnpay
from services.payment.logic.vnpay import GatewayState, Outcome, Rsp

SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
VECTOR = {
    "vnp_Amount": "5000000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20261126103000",
    "vnp_CurrCode": "VND",
    "vnp_ExpireDate": "20261126104500",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Le phi ho so 000.00.12.H53-261126-0001 ~ Đăng ký kết hôn",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "http://127.0.0.1:8000/api/payment/vnpay/return",
    "vnp_TmnCode": "DVCST001",
    "vnp_TxnRef": "P20261126A1B2C3",
    "vnp_Version": "2.1.0",
}
EXPECTED = (
    "e636b85744a07ccda792bc3c99d917c10ef9fdb732b6bd51fd88d88410a14b131cee782729325db72ac7a556e80df1d7"
    "5bb64ed1f58d2bcde0092389619a1e81"
)


def test_the_signature_matches_the_api_md_test_vector():
    assert vnpay.sign(VECTOR, SECRET) == EXPECTED


def test_the_encoding_is_the_whatwg_form_encoding():
    assert vnpay.encode("a b~c*d/é") == "a+b%7Ec*d%2F%C3%A9"


def test_verification_is_case_insensitive_and_ignores_the_hash_fields_and_empty_values():
    signed = {
        **VECTOR,
        "vnp_SecureHash": EXPECTED.upper(),
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_BankCode": "",
    }
    assert vnpay.verify(signed, SECRET)
    assert not vnpay.verify({**signed, "vnp_Amount": "5000100"}, SECRET)
    assert not vnpay.verify({**signed, "vnp_SecureHash": ""}, SECRET)


def test_the_payment_url_carries_every_parameter_and_a_signature_that_verifies():
    terminal = vnpay.Terminal(
        "DVCST001", SECRET, "https://gw.example/paymentv2/vpcpay.html", "https://gw.example/api"
    )
    created = datetime(2026, 11, 26, 10, 30, tzinfo=VN_TZ)
    url = vnpay.pay_url(
        terminal,
        txn_ref="P1",
        amount_vnd=50_000,
        order_info="Thanh toan le phi ho so X",
        return_url="https://dvc.example/return",
        ip_address="14.1.2.3",
        created=created,
        expires=datetime(2026, 11, 26, 10, 45, tzinfo=VN_TZ),
    )
    params = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("https://gw.example/paymentv2/vpcpay.html?")
    assert params["vnp_Amount"] == "5000000" and params["vnp_CreateDate"] == "20261126103000"
    assert params["vnp_ExpireDate"] == "20261126104500" and params["vnp_Version"] == "2.1.0"
    assert vnpay.verify(params, SECRET)


ORDER = {"amount_vnd": 50_000, "status": "PENDING"}


def _ipn(**overrides: str) -> dict[str, str]:
    params = {
        "vnp_Amount": "5000000",
        "vnp_BankCode": "NCB",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "P1",
        "vnp_TmnCode": "DVCST001",
        "vnp_TransactionNo": "14000001",
        **overrides,
    }
    params["vnp_SecureHash"] = vnpay.sign(params, SECRET)
    return params


@pytest.mark.parametrize(
    "params,order,expected",
    [
        ({**_ipn(), "vnp_Amount": "1"}, ORDER, Rsp.INVALID_SIGNATURE),
        (_ipn(), None, Rsp.ORDER_NOT_FOUND),
        (_ipn(vnp_Amount="4900000"), ORDER, Rsp.INVALID_AMOUNT),
        (_ipn(), {**ORDER, "status": "PAID"}, Rsp.ALREADY_CONFIRMED),
        (_ipn(), ORDER, Rsp.CONFIRMED),
    ],
)
def test_the_ipn_is_answered_in_api_mds_order(params, order, expected):
    assert vnpay.judge_ipn(params, SECRET, order).rsp == expected


def test_a_bad_signature_wins_over_everything_and_records_nothing():
    forged = {**_ipn(vnp_Amount="1"), "vnp_SecureHash": "00" * 64}
    verdict = vnpay.judge_ipn(forged, SECRET, None)
    assert verdict.rsp == Rsp.INVALID_SIGNATURE and verdict.record is None


def test_a_hash_with_non_ascii_characters_is_a_bad_signature_not_an_error():
    # found by the fuzzer: compare_digest raised TypeError, so the return URL answered 500 and the IPN 99
    forged = {**_ipn(), "vnp_SecureHash": "é" + EXPECTED[1:]}
    assert not vnpay.verify(forged, SECRET)
    assert vnpay.judge_ipn(forged, SECRET, ORDER).rsp == Rsp.INVALID_SIGNATURE
    assert not vnpay.verify_api_response({"vnp_Command": "querydr", "vnp_SecureHash": "ñ"}, SECRET)


def test_a_key_carrying_separators_is_a_bad_signature_though_the_signed_string_matches():
    # given a genuinely signed IPN, its keys split differently: the string the hash covers is the same,
    # but vnp_ResponseCode is no longer a parameter (keys are not encoded in the signed string)
    signed = _ipn(vnp_ResponseCode="51", vnp_TransactionStatus="02")
    rekeyed = {k: v for k, v in signed.items() if k not in ("vnp_BankCode", "vnp_ResponseCode")}
    rekeyed["vnp_BankCode=NCB&vnp_ResponseCode"] = "51"
    # then it does not verify: answered 97, nothing recorded
    assert not vnpay.verify(rekeyed, SECRET)
    verdict = vnpay.judge_ipn(rekeyed, SECRET, ORDER)
    assert verdict.rsp == Rsp.INVALID_SIGNATURE and verdict.record is None


@pytest.mark.parametrize("key", ["vnp_Order&Info", "vnp_Amount=1", "vnp_Amount2", "vnp_", "vnp_Số"])
def test_signing_refuses_a_key_that_is_not_vnp_and_letters(key):
    with pytest.raises(vnpay.InvalidParameterKey):
        vnpay.sign({**VECTOR, key: "x"}, SECRET)


def test_paid_only_when_both_codes_are_00_and_24_is_a_cancellation():
    assert vnpay.outcome_of(_ipn()) == Outcome.PAID
    assert vnpay.outcome_of(_ipn(vnp_TransactionStatus="01")) == Outcome.FAILED
    assert vnpay.outcome_of(_ipn(vnp_ResponseCode="24", vnp_TransactionStatus="02")) == Outcome.CANCELLED
    assert (
        vnpay.judge_ipn(_ipn(vnp_ResponseCode="51", vnp_TransactionStatus="02"), SECRET, ORDER).record
        == Outcome.FAILED
    )


def test_querydr_and_refund_requests_are_signed_over_their_piped_fields():
    terminal = vnpay.Terminal("DVCST001", SECRET, "", "")
    moment = datetime(2026, 11, 26, 11, 0, tzinfo=VN_TZ)
    query = vnpay.querydr_request(
        terminal,
        request_id="r1",
        txn_ref="P1",
        transaction_date="20261126103000",
        order_info="x",
        ip_address="127.0.0.1",
        now=moment,
    )
    assert query["vnp_SecureHash"] == vnpay.hmac_sha512(
        SECRET, "r1|2.1.0|querydr|DVCST001|P1|20261126103000|20261126110000|127.0.0.1|x"
    )
    refund = vnpay.refund_request(
        terminal,
        request_id="r2",
        txn_ref="P1",
        amount_vnd=50_000,
        transaction_no="1",
        transaction_date="20261126103000",
        order_info="y",
        ip_address="127.0.0.1",
        now=moment,
        created_by="he-thong",
    )
    assert refund["vnp_TransactionType"] == "02" and refund["vnp_Amount"] == "5000000"


def test_querydr_answers_map_to_gateway_states():
    assert vnpay.gateway_state({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"}) == GatewayState.PAID
    assert (
        vnpay.gateway_state({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "01"}) == GatewayState.UNPAID
    )
    assert vnpay.gateway_state({"vnp_ResponseCode": "91"}) == GatewayState.UNPAID
    assert (
        vnpay.gateway_state({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "05"})
        == GatewayState.REFUNDED
    )
    assert vnpay.gateway_state({"vnp_ResponseCode": "99"}) == GatewayState.UNKNOWN
