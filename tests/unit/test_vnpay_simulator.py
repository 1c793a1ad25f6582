"""Stories of the VNPay gateway simulator: payment page, return, IPN, querydr, refund, ledger, faults."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from infra.sim.vnpay import (
    GMT7,
    SimulatorConfig,
    Terminal,
    create_app,
    encode_query,
    hash_data,
    sign_params,
    signed,
    verify_params,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

TMN = "DVCST001"
SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
CREATE_DATE = "20261126103000"
RETURN_URL = "http://127.0.0.1:8000/api/payment/vnpay/return"
FAST_RETRIES = (0.05, 0.05, 0.05)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeMerchant:
    """An IPN endpoint that answers from a script, then with its last answer, and remembers every call."""

    answers: list[str] = field(default_factory=lambda: ["00"])
    calls: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def answer(self) -> str:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def merchant() -> Iterator[FakeMerchant]:
    fake = FakeMerchant()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                fake.calls.append(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))
                answer = fake.answer()
            body = b"oops, not json" if answer == "not-json" else json.dumps({"RspCode": answer}).encode()
            self.send_response(500 if answer == "http-500" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_port}/api/payment/vnpay/ipn"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 26, 10, 35, tzinfo=GMT7))


@pytest.fixture
def make_client(merchant: FakeMerchant, clock: Clock) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        terminal = Terminal(TMN, SECRET, merchant.url, name="Cổng Dịch vụ công tỉnh")
        options: dict[str, Any] = {"ipn_retry_delays": FAST_RETRIES, "ipn_timeout": 2.0, "clock": clock}
        config = SimulatorConfig(terminals={TMN: terminal}, **(options | overrides))
        client = TestClient(create_app(config), follow_redirects=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        assert client.app.state.simulator.wait_idle(10)  # type: ignore[attr-defined]


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def pay_params(txn_ref: str = "P20261126A1B2C3", amount: int = 5_000_000, **extra: str) -> dict[str, str]:
    return {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": TMN,
        "vnp_Amount": str(amount),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": f"Thanh toan le phi ho so {txn_ref}",
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": RETURN_URL,
        "vnp_IpAddr": "127.0.0.1",
        "vnp_CreateDate": CREATE_DATE,
        "vnp_ExpireDate": "20261126104500",
        **extra,
    }


def pay_url(params: dict[str, str] | None = None) -> str:
    return f"/sim/vnpay/paymentv2/vpcpay.html?{encode_query(signed(params or pay_params(), SECRET))}"


def complete(client: TestClient, params: dict[str, str], outcome: str, bank: str = "NCB") -> Any:
    query = encode_query(signed(params, SECRET))
    assert client.get(f"/sim/vnpay/paymentv2/vpcpay.html?{query}").status_code == 200
    form = {"query": query, "outcome": outcome, "bank_code": bank}
    return client.post("/sim/vnpay/paymentv2/complete", content=encode_query(form), headers=FORM)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def returned(response: Any) -> dict[str, str]:
    location = response.headers["location"]
    assert location.startswith(RETURN_URL + "?")
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def simulator(client: TestClient) -> Any:
    return client.app.state.simulator  # type: ignore[attr-defined]


def hmac512(data: str) -> str:
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


QUERYDR_ORDER = "RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo"
REFUND_ORDER = (
    "RequestId|Version|Command|TmnCode|TransactionType|TxnRef|Amount|TransactionNo|TransactionDate|"
    "CreateBy|CreateDate|IpAddr|OrderInfo"
)
REFUND_RESPONSE_ORDER = (
    "ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|TransactionNo|"
    "TransactionType|TransactionStatus|OrderInfo"
)
QUERYDR_RESPONSE_ORDER = REFUND_RESPONSE_ORDER + "|PromotionCode|PromotionAmount"


def pipe_signed(body: dict[str, str], order: str) -> dict[str, str]:
    data = "|".join(body.get(f"vnp_{name}", "") for name in order.split("|"))
    return {**body, "vnp_SecureHash": hmac512(data)}


def assert_response_signed(answer: dict[str, str], order: str) -> None:
    data = "|".join(answer.get(f"vnp_{name}", "") for name in order.split("|"))
    assert answer["vnp_SecureHash"] == hmac512(data)


def querydr(client: TestClient, txn_ref: str, request_id: str = "q1", **extra: str) -> dict[str, str]:
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": TMN,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": f"Truy van giao dich {txn_ref}",
        "vnp_TransactionDate": CREATE_DATE,
        "vnp_CreateDate": "20261126110000",
        "vnp_IpAddr": "10.0.0.5",
        **extra,
    }
    answer = client.post("/sim/vnpay/merchant_webapi/api/transaction", json=pipe_signed(body, QUERYDR_ORDER))
    assert answer.status_code == 200
    return answer.json()


def refund(
    client: TestClient, txn_ref: str, amount: int, kind: str, request_id: str, **extra: str
) -> dict[str, str]:
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": "2.1.0",
        "vnp_Command": "refund",
        "vnp_TmnCode": TMN,
        "vnp_TransactionType": kind,
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": str(amount),
        "vnp_OrderInfo": f"Hoan tien ho so {txn_ref}",
        "vnp_TransactionDate": CREATE_DATE,
        "vnp_CreateBy": "canbo01",
        "vnp_CreateDate": "20261126113000",
        "vnp_IpAddr": "10.0.0.5",
        **extra,
    }
    answer = client.post("/sim/vnpay/merchant_webapi/api/transaction", json=pipe_signed(body, REFUND_ORDER))
    assert answer.status_code == 200
    return answer.json()


def ledger_entry(client: TestClient, txn_ref: str) -> dict[str, Any]:
    (entry,) = client.get("/sim/vnpay/ledger", params={"txn_ref": txn_ref}).json()
    return entry


# ---------------------------------------------------------------------------------- signing


def test_the_signer_reproduces_the_contract_test_vector() -> None:
    # given the parameters and secret of API.md's test vector
    params = pay_params(vnp_OrderInfo="Le phi ho so 000.00.12.H53-261126-0001 ~ Đăng ký kết hôn")
    # when they are signed
    digest = sign_params(params, SECRET)
    # then the digest is the one API.md fixes
    assert digest == (
        "e636b85744a07ccda792bc3c99d917c10ef9fdb732b6bd51fd88d88410a14b13"
        "1cee782729325db72ac7a556e80df1d75bb64ed1f58d2bcde0092389619a1e81"
    )
    assert "vnp_OrderInfo=Le+phi+ho+so+000.00.12.H53-261126-0001+%7E+%C4%90%C4%83ng" in hash_data(params)


def test_verification_ignores_case_and_hash_type_but_not_tampering() -> None:
    # given a signed parameter set
    params = signed(pay_params(), SECRET)
    # when the hash is upper-cased, a hash type is added, or the amount is changed
    upper = {**params, "vnp_SecureHash": params["vnp_SecureHash"].upper(), "vnp_SecureHashType": "HMACSHA512"}
    tampered = {**params, "vnp_Amount": "100"}
    # then only the tampered one fails
    assert verify_params(upper, SECRET)
    assert not verify_params(tampered, SECRET)


# ---------------------------------------------------------------------------------- payment page


def test_a_tampered_payment_url_gets_the_error_page(client: TestClient) -> None:
    # given a signed payment URL whose amount is changed afterwards
    url = pay_url().replace("vnp_Amount=5000000", "vnp_Amount=100")
    # when the citizen's browser opens it
    page = client.get(url)
    # then the gateway refuses it with its error page
    assert page.status_code == 400
    assert "Sai chữ ký" in page.text
    assert page.headers["content-type"].startswith("text/html")
    assert client.get("/sim/vnpay/ledger").json() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vnp_ExpireDate": "20261126103400"}, "Giao dịch đã quá thời gian chờ thanh toán"),
        ({"vnp_Amount": "5000050"}, "Số tiền không hợp lệ"),
        ({"vnp_CurrCode": "USD"}, "Dữ liệu gửi sang không đúng định dạng"),
        ({"vnp_TmnCode": "UNKNOWN1"}, "Website này chưa được phê duyệt"),
    ],
)
def test_an_invalid_payment_request_is_refused(
    client: TestClient, change: dict[str, str], message: str
) -> None:
    # given a correctly signed payment URL with one wrong value
    url = pay_url(pay_params() | change)
    # when it is opened
    page = client.get(url)
    # then the error page says what is wrong
    assert page.status_code == 400
    assert message in page.text


def test_the_payment_page_shows_the_order_and_records_it_pending(client: TestClient) -> None:
    # given a valid payment URL for 50,000 VND
    url = pay_url()
    # when it is opened
    page = client.get(url)
    # then the page shows the order, in Vietnamese, with a form and no script
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "50.000 ₫" in page.text
    assert "P20261126A1B2C3" in page.text
    assert "Cổng Dịch vụ công tỉnh" in page.text
    assert 'action="/sim/vnpay/paymentv2/complete"' in page.text
    for label in ("Thanh toán thành công", "Hủy giao dịch", "Giao dịch thất bại"):
        assert label in page.text
    assert "<script" not in page.text
    assert "focus-visible" in page.text
    # and the gateway knows the order as pending
    entry = ledger_entry(client, "P20261126A1B2C3")
    assert (entry["status"], entry["amount"], entry["transaction_no"]) == ("PENDING", 5_000_000, "")


# ---------------------------------------------------------------------------------- completion


def test_a_successful_payment_returns_signed_00_00(client: TestClient) -> None:
    # given an opened payment page
    params = pay_params()
    # when the citizen pays
    response = complete(client, params, "success", bank="VNPAYQR")
    # then the browser goes back to the merchant with a signed 00/00 result
    assert response.status_code == 302
    result = returned(response)
    assert verify_params(result, SECRET)
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == ("00", "00")
    assert result["vnp_Amount"] == "5000000"
    assert result["vnp_CardType"] == "QRCODE"
    assert len(result["vnp_TransactionNo"]) == 8
    assert result["vnp_PayDate"] == "20261126103500"
    assert "vnp_SecureHashType" not in result
    assert set(result) == {
        "vnp_Amount", "vnp_BankCode", "vnp_BankTranNo", "vnp_CardType", "vnp_OrderInfo", "vnp_PayDate",
        "vnp_ResponseCode", "vnp_TmnCode", "vnp_TransactionNo", "vnp_TransactionStatus", "vnp_TxnRef",
        "vnp_SecureHash",
    }  # fmt: skip
    # and the ledger has it paid
    entry = ledger_entry(client, params["vnp_TxnRef"])
    assert (entry["status"], entry["transaction_no"]) == ("PAID", result["vnp_TransactionNo"])


@pytest.mark.parametrize(
    ("outcome", "codes", "status"),
    [("cancel", ("24", "02"), "CANCELLED"), ("failure", ("51", "02"), "FAILED")],
)
def test_a_cancelled_or_failed_payment_returns_its_code(
    client: TestClient, outcome: str, codes: tuple[str, str], status: str
) -> None:
    # given an opened payment page
    params = pay_params()
    # when the citizen cancels, or the bank refuses
    result = returned(complete(client, params, outcome))
    # then the return carries the matching codes
    assert verify_params(result, SECRET)
    assert (result["vnp_ResponseCode"], result["vnp_TransactionStatus"]) == codes
    assert ledger_entry(client, params["vnp_TxnRef"])["status"] == status
    if outcome == "cancel":
        assert result["vnp_TransactionNo"] == "0"


def test_an_order_is_completed_only_once(client: TestClient) -> None:
    # given a paid order
    params = pay_params()
    query = encode_query(signed(params, SECRET))
    complete(client, params, "success")
    # when the completion form is posted again
    form = encode_query({"query": query, "outcome": "cancel", "bank_code": "NCB"})
    again = client.post("/sim/vnpay/paymentv2/complete", content=form, headers=FORM)
    # then the gateway refuses it and the order stays paid
    assert again.status_code == 400
    assert "Giao dịch đã được xử lý" in again.text
    assert ledger_entry(client, params["vnp_TxnRef"])["status"] == "PAID"


# ---------------------------------------------------------------------------------- IPN


def test_the_ipn_is_retried_until_the_merchant_answers_00(client: TestClient, merchant: FakeMerchant) -> None:
    # given a merchant that fails twice, once with 99 and once with something that is not JSON
    merchant.answers = ["99", "not-json", "00"]
    # when a payment completes
    result = returned(complete(client, pay_params(), "success"))
    assert simulator(client).wait_idle(5)
    # then the IPN reached it three times, signed, with the same parameters as the return
    assert len(merchant.calls) == 3
    assert all(call == result for call in merchant.calls)
    entry = ledger_entry(client, result["vnp_TxnRef"])
    assert [a["rsp_code"] for a in entry["ipn_attempts"]] == ["99", None, "00"]
    assert entry["ipn_attempts"][1]["error"] == "the answer is not JSON"
    assert entry["ipn_status"] == "DELIVERED"


def test_the_ipn_is_not_retried_after_02(client: TestClient, merchant: FakeMerchant) -> None:
    # given a merchant that already confirmed the order
    merchant.answers = ["02"]
    # when a payment completes
    complete(client, pay_params(), "success")
    assert simulator(client).wait_idle(5)
    # then one IPN was enough
    assert len(merchant.calls) == 1
    assert ledger_entry(client, "P20261126A1B2C3")["ipn_status"] == "DELIVERED"


def test_the_gateway_gives_up_after_the_configured_retries(
    client: TestClient, merchant: FakeMerchant
) -> None:
    # given a merchant that always fails
    merchant.answers = ["http-500"]
    # when a payment completes
    complete(client, pay_params(), "failure")
    assert simulator(client).wait_idle(5)
    # then the first attempt and one retry per delay were made
    entry = ledger_entry(client, "P20261126A1B2C3")
    assert len(merchant.calls) == 1 + len(FAST_RETRIES)
    assert [a["error"] for a in entry["ipn_attempts"]] == ["HTTP 500"] * 4
    assert entry["ipn_status"] == "GAVE_UP"


def test_an_unreachable_merchant_is_recorded(make_client: Callable[..., TestClient]) -> None:
    # given a terminal whose IPN URL nobody listens on
    client = make_client(ipn_retry_delays=())
    simulator(client).config.terminals[TMN] = Terminal(TMN, SECRET, "http://127.0.0.1:9/ipn")
    # when a payment completes
    complete(client, pay_params(), "success")
    assert simulator(client).wait_idle(5)
    # then the attempt carries the connection error
    (attempt,) = ledger_entry(client, "P20261126A1B2C3")["ipn_attempts"]
    assert attempt["error"].startswith("ConnectError")


# ---------------------------------------------------------------------------------- faults


def test_fault_injection_is_configured_read_and_reset(client: TestClient) -> None:
    # given the default setting
    assert client.get("/sim/vnpay/admin/faults").json()["duplicate_ipn"] == 0
    # when faults are set
    set_answer = client.post("/sim/vnpay/admin/faults", json={"duplicate_ipn": 2, "drop_first_ipn": True})
    # then they are reported, bad values are refused, and DELETE resets them
    assert set_answer.json() == {
        "duplicate_ipn": 2, "concurrent_ipn": 0, "delay_ipn_seconds": 0.0, "drop_first_ipn": True
    }  # fmt: skip
    assert client.post("/sim/vnpay/admin/faults", json={"duplicate_ipn": -1}).status_code == 422
    assert client.post("/sim/vnpay/admin/faults", json={"nonsense": 1}).status_code == 422
    assert client.delete("/sim/vnpay/admin/faults").json()["drop_first_ipn"] is False


def test_faults_duplicate_drop_and_race_the_ipn(client: TestClient, merchant: FakeMerchant) -> None:
    # given a gateway that loses the first IPN, then sends three at once, then two extra copies
    client.post(
        "/sim/vnpay/admin/faults", json={"drop_first_ipn": True, "concurrent_ipn": 3, "duplicate_ipn": 2}
    )
    # when a payment is made headlessly
    answer = client.post(
        "/sim/vnpay/admin/pay", json={"pay_url": "http://x" + pay_url(), "outcome": "success"}
    )
    assert answer.status_code == 200
    assert simulator(client).wait_idle(5)
    # then the merchant got 3 concurrent copies and 2 duplicates, and the ledger tells the story
    kinds = [a["kind"] for a in ledger_entry(client, "P20261126A1B2C3")["ipn_attempts"]]
    assert sorted(kinds) == sorted(
        ["dropped", "concurrent", "concurrent", "concurrent", "duplicate", "duplicate"]
    )
    assert len(merchant.calls) == 5
    assert answer.json()["transaction_no"] == merchant.calls[0]["vnp_TransactionNo"]


def test_a_delayed_ipn_arrives_after_the_return(client: TestClient, merchant: FakeMerchant) -> None:
    # given an IPN delayed behind the citizen's return
    client.post("/sim/vnpay/admin/faults", json={"delay_ipn_seconds": 0.3})
    # when the payment completes
    returned(complete(client, pay_params(), "success"))
    # then nothing reached the merchant yet, and later the IPN did
    assert merchant.calls == []
    assert simulator(client).wait_idle(5)
    assert len(merchant.calls) == 1


def test_headless_pay_reports_the_return_url_and_refuses_a_bad_url(client: TestClient) -> None:
    # given a valid and a tampered payment URL
    good, bad = pay_url(), pay_url().replace("vnp_Amount=5000000", "vnp_Amount=100")
    # when both are paid headlessly
    paid = client.post("/sim/vnpay/admin/pay", json={"pay_url": good, "outcome": "cancel"})
    refused = client.post("/sim/vnpay/admin/pay", json={"pay_url": bad})
    # then the first returns the merchant's return URL and the second the gateway's refusal
    assert paid.json()["transaction_no"] == "0"
    assert paid.json()["return_url"].startswith(RETURN_URL + "?")
    assert refused.status_code == 400
    assert refused.json()["vnp_code"] == "97"


# ---------------------------------------------------------------------------------- querydr


def test_querydr_reports_a_paid_order(client: TestClient) -> None:
    # given a paid order
    result = returned(complete(client, pay_params(), "success"))
    # when the merchant asks about it
    answer = querydr(client, "P20261126A1B2C3")
    # then the gateway answers 00 with the payment, signed over the documented order
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "00")
    assert answer["vnp_TransactionNo"] == result["vnp_TransactionNo"]
    assert answer["vnp_Amount"] == "5000000"
    assert answer["vnp_TransactionType"] == "01"
    assert answer["vnp_OrderInfo"] == "Thanh toan le phi ho so P20261126A1B2C3"
    assert_response_signed(answer, QUERYDR_RESPONSE_ORDER)


def test_querydr_reports_an_order_never_completed_as_01(client: TestClient) -> None:
    # given an order whose payment page was opened but never completed
    assert client.get(pay_url()).status_code == 200
    # when the merchant asks about it
    answer = querydr(client, "P20261126A1B2C3")
    # then the gateway knows it, not completed
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "01")
    assert_response_signed(answer, QUERYDR_RESPONSE_ORDER)


def test_querydr_for_a_cancelled_order_reports_02(client: TestClient) -> None:
    # given a cancelled order
    complete(client, pay_params(), "cancel")
    # when the merchant asks about it
    answer = querydr(client, "P20261126A1B2C3")
    # then it failed
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "02")


def test_querydr_for_an_unknown_order_or_wrong_date_is_91(client: TestClient) -> None:
    # given one order shown to the gateway
    client.get(pay_url())
    # when the merchant asks about another, or about this one with the wrong transaction date
    unknown = querydr(client, "NEVERSEEN1", request_id="q1")
    wrong_date = querydr(client, "P20261126A1B2C3", request_id="q2", vnp_TransactionDate="20261125103000")
    # then neither is found
    assert unknown["vnp_ResponseCode"] == "91"
    assert wrong_date["vnp_ResponseCode"] == "91"
    assert_response_signed(unknown, QUERYDR_RESPONSE_ORDER)


def test_a_bad_checksum_is_97(client: TestClient) -> None:
    # given a querydr request signed with another secret
    body = pipe_signed({"vnp_RequestId": "q1"}, QUERYDR_ORDER) | {
        "vnp_Version": "2.1.0", "vnp_Command": "querydr", "vnp_TmnCode": TMN, "vnp_TxnRef": "X1",
        "vnp_OrderInfo": "x", "vnp_TransactionDate": CREATE_DATE, "vnp_CreateDate": CREATE_DATE,
        "vnp_IpAddr": "10.0.0.5",
    }  # fmt: skip
    # when it is sent
    answer = client.post("/sim/vnpay/merchant_webapi/api/transaction", json=body).json()
    # then the gateway rejects the checksum
    assert answer["vnp_ResponseCode"] == "97"


def test_a_duplicate_request_id_within_five_minutes_is_94(client: TestClient, clock: Clock) -> None:
    # given a querydr that was just made
    client.get(pay_url())
    assert querydr(client, "P20261126A1B2C3", request_id="same1")["vnp_ResponseCode"] == "00"
    # when the same request id is used again now, and six minutes later
    again = querydr(client, "P20261126A1B2C3", request_id="same1")
    clock.now += timedelta(minutes=6)
    later = querydr(client, "P20261126A1B2C3", request_id="same1")
    # then only the first repeat is a duplicate
    assert again["vnp_ResponseCode"] == "94"
    assert later["vnp_ResponseCode"] == "00"


def test_malformed_requests_and_unknown_terminals(client: TestClient) -> None:
    # given requests that are not JSON, lack a field, or name an unknown terminal
    api = "/sim/vnpay/merchant_webapi/api/transaction"
    not_json = client.post(api, content=b"vnp_Command=querydr").json()
    missing = client.post(
        api, json=pipe_signed({"vnp_Command": "querydr", "vnp_TmnCode": TMN}, QUERYDR_ORDER)
    )
    stranger = querydr(client, "X1", vnp_TmnCode="UNKNOWN1")
    # then they are 03, 03 and 02
    assert not_json["vnp_ResponseCode"] == "03"
    assert missing.json()["vnp_ResponseCode"] == "03"
    assert stranger["vnp_ResponseCode"] == "02"
    assert "vnp_SecureHash" not in stranger


# ---------------------------------------------------------------------------------- refund


def test_a_full_refund_marks_the_order_refunded(client: TestClient) -> None:
    # given a paid order
    result = returned(complete(client, pay_params(), "success"))
    # when the merchant refunds all of it, naming the gateway's transaction number
    answer = refund(
        client, "P20261126A1B2C3", 5_000_000, "02", "r1", vnp_TransactionNo=result["vnp_TransactionNo"]
    )
    # then the refund is accepted, in progress, signed over the documented order
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "05")
    assert (answer["vnp_TransactionType"], answer["vnp_Amount"]) == ("02", "5000000")
    assert_response_signed(answer, REFUND_RESPONSE_ORDER)
    entry = ledger_entry(client, "P20261126A1B2C3")
    assert (entry["status"], entry["refunded_amount"]) == ("REFUNDED", 5_000_000)
    # and querydr now reports the full refund, and a second refund is refused
    after = querydr(client, "P20261126A1B2C3", request_id="q9")
    assert (after["vnp_TransactionType"], after["vnp_TransactionStatus"]) == ("02", "05")
    assert refund(client, "P20261126A1B2C3", 100_000, "03", "r2")["vnp_ResponseCode"] == "95"


def test_partial_refunds_add_up_to_the_amount_paid(client: TestClient) -> None:
    # given a paid order of 50,000 VND
    complete(client, pay_params(), "success")
    # when the merchant refunds 20,000 VND, then asks for 40,000 VND more, then a full refund, then 30,000
    first = refund(client, "P20261126A1B2C3", 2_000_000, "03", "r1")
    too_much = refund(client, "P20261126A1B2C3", 4_000_000, "03", "r2")
    full_after_partial = refund(client, "P20261126A1B2C3", 5_000_000, "02", "r3")
    rest = refund(client, "P20261126A1B2C3", 3_000_000, "03", "r4")
    # then the partial refunds are accepted up to the amount paid, and nothing beyond
    assert [first["vnp_ResponseCode"], too_much["vnp_ResponseCode"]] == ["00", "93"]
    assert [full_after_partial["vnp_ResponseCode"], rest["vnp_ResponseCode"]] == ["04", "00"]
    assert_response_signed(too_much, REFUND_RESPONSE_ORDER)
    entry = ledger_entry(client, "P20261126A1B2C3")
    assert (entry["status"], entry["refunded_amount"], len(entry["refunds"])) == ("REFUNDED", 5_000_000, 2)


def test_a_refund_of_an_unpaid_order_is_95(client: TestClient) -> None:
    # given one order pending and one cancelled
    client.get(pay_url(pay_params("PENDING001")))
    complete(client, pay_params("CANCELLED1"), "cancel")
    # when the merchant asks to refund them, and an order the gateway never saw
    pending = refund(client, "PENDING001", 5_000_000, "02", "r1")
    cancelled = refund(client, "CANCELLED1", 5_000_000, "02", "r2")
    unknown = refund(client, "NEVERSEEN1", 5_000_000, "02", "r3")
    # then the first two are refused and the last is not found
    assert [pending["vnp_ResponseCode"], cancelled["vnp_ResponseCode"]] == ["95", "95"]
    assert unknown["vnp_ResponseCode"] == "91"
    assert ledger_entry(client, "PENDING001")["refunded_amount"] == 0


def test_a_refund_with_a_bad_checksum_is_97_and_changes_nothing(client: TestClient) -> None:
    # given a paid order and a refund request whose amount was changed after signing
    complete(client, pay_params(), "success")
    body = {
        "vnp_RequestId": "r1", "vnp_Version": "2.1.0", "vnp_Command": "refund", "vnp_TmnCode": TMN,
        "vnp_TransactionType": "03", "vnp_TxnRef": "P20261126A1B2C3", "vnp_Amount": "100000",
        "vnp_OrderInfo": "Hoan tien", "vnp_TransactionDate": CREATE_DATE, "vnp_CreateBy": "canbo01",
        "vnp_CreateDate": CREATE_DATE, "vnp_IpAddr": "10.0.0.5",
    }  # fmt: skip
    forged = pipe_signed(body, REFUND_ORDER) | {"vnp_Amount": "5000000"}
    # when it is sent
    answer = client.post("/sim/vnpay/merchant_webapi/api/transaction", json=forged).json()
    # then the checksum is rejected and nothing was refunded
    assert answer["vnp_ResponseCode"] == "97"
    assert ledger_entry(client, "P20261126A1B2C3")["refunded_amount"] == 0


# ---------------------------------------------------------------------------------- ledger


def test_the_ledger_lists_every_entry_and_can_be_reset(client: TestClient) -> None:
    # given one paid, one cancelled and one pending order
    complete(client, pay_params("PAID000001", amount=1_000_000), "success")
    complete(client, pay_params("CANCEL0001"), "cancel")
    client.get(pay_url(pay_params("PENDING001")))
    # when the ledger is read
    entries = client.get("/sim/vnpay/ledger").json()
    # then it lists them all with the fields the invariant checker compares
    assert {(e["txn_ref"], e["status"], e["amount"]) for e in entries} == {
        ("PAID000001", "PAID", 1_000_000), ("CANCEL0001", "CANCELLED", 5_000_000),
        ("PENDING001", "PENDING", 5_000_000),
    }  # fmt: skip
    for key in ("tmn_code", "order_info", "transaction_no", "pay_date", "refunded_amount", "ipn_attempts"):
        assert all(key in e for e in entries)
    assert all(e["created_at"].startswith("2026-11-26T10:35:00+07:00") for e in entries)
    # and a reset empties it
    assert client.post("/sim/vnpay/admin/reset").status_code == 200
    assert client.get("/sim/vnpay/ledger").json() == []


def test_without_auto_ipn_the_ipn_is_sent_on_request(
    make_client: Callable[..., TestClient], merchant: FakeMerchant
) -> None:
    # given a gateway that does not send IPNs by itself
    client = make_client(auto_ipn=False)
    complete(client, pay_params(), "success")
    assert ledger_entry(client, "P20261126A1B2C3")["ipn_status"] == "NOT_SENT"
    # when a test asks for the IPN
    sent = client.post("/sim/vnpay/admin/ipn", json={"txn_ref": "P20261126A1B2C3"})
    assert simulator(client).wait_idle(5)
    # then it is delivered, and an unknown order is a 404
    assert sent.status_code == 200
    assert len(merchant.calls) == 1
    assert client.post("/sim/vnpay/admin/ipn", json={"txn_ref": "NOPE"}).status_code == 404
