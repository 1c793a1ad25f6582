"""Payment as Lambda runs it: orders, the gateway's IPN (signed by the simulator's own code), delivery."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from infra.sim import vnpay as gateway
from infra.sources import LambdaContext
from services.core import keys
from services.core.dal import aws, ddb
from services.core.events import Event, EventType
from services.core.settings import load
from services.payment.settings import PaymentSettings
from tests.apigw import call
from tests.factories import pdf_bytes, sqs_event
from tests.integration.flows import LEVEL4, auth, complete_draft


@pytest.fixture(scope="module")
def api(cloud, submission_api):
    from services.payment.handlers import delivery, http

    return http, delivery


def fee_dossier(submission_api) -> dict:
    draft = complete_draft(
        submission_api,
        LEVEL4,
        form_data={"noi_dung_de_nghi": "Cấp phép karaoke"},
        delivery={"method": "online"},
    )
    submitted = call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    ).json()
    assert submitted["payment"] == {"required": True, "amount_vnd": 4_000_000}
    return {**draft, "code": submitted["code"]}


def order(api, dossier: dict) -> dict:
    answer = call(
        api[0].handler,
        "POST",
        "/api/payment/payments",
        headers=auth(dossier["access_token"]),
        body={"dossier_id": dossier["id"]},
    )
    assert answer.status == 201, answer.text
    return answer.json()


def gateway_callback(
    pay_url: str, response_code: str = "00", status: str = "00", amount: str | None = None
) -> dict:
    """What the gateway sends back, signed with the gateway simulator's own signer (not the merchant's)."""
    sent = dict(parse_qsl(urlsplit(pay_url).query))
    params = {
        "vnp_Amount": amount or sent["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14000001",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": sent["vnp_OrderInfo"],
        "vnp_PayDate": "20261126110000",
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": sent["vnp_TmnCode"],
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": sent["vnp_TxnRef"],
    }
    return gateway.signed(params, load(PaymentSettings).vnpay_hash_secret)


def ipn(api, params: dict) -> dict:
    answer = call(api[0].handler, "GET", f"/api/payment/vnpay/ipn?{urlencode(params)}")
    assert answer.status == 200
    return answer.json()


def confirmations(dossier_id: str) -> list[dict]:
    items = aws.dynamodb().scan(TableName=os.environ["TABLE_NAME"])["Items"]
    return [
        e
        for e in (json.loads(i["event"]["S"]) for i in items if i["PK"]["S"].startswith("OUTBOX#"))
        if e["dossier_id"] == dossier_id and e["type"] == "PaymentConfirmed"
    ]


def test_an_order_takes_its_amount_from_the_procedure_and_is_reused_while_open(api, submission_api):
    dossier = fee_dossier(submission_api)
    first = order(api, dossier)
    assert first["amount_vnd"] == 4_000_000 and first["status"] == "PENDING"
    assert first["pay_url"].startswith(load(PaymentSettings).vnpay_pay_url)
    assert order(api, dossier)["payment_id"] == first["payment_id"]  # no second attempt while one is open


def test_callbacks_answer_in_api_mds_order(api, submission_api):
    dossier = fee_dossier(submission_api)
    pay = order(api, dossier)
    genuine = gateway_callback(pay["pay_url"])
    # forged: 97, and nothing recorded
    assert ipn(api, {**genuine, "vnp_SecureHash": "ab" * 64})["RspCode"] == "97"
    # unknown order: 01
    unknown = gateway.signed(
        {**{k: v for k, v in genuine.items() if k != "vnp_SecureHash"}, "vnp_TxnRef": "P0"},
        load(PaymentSettings).vnpay_hash_secret,
    )
    assert ipn(api, unknown)["RspCode"] == "01"
    # wrong amount: 04
    assert ipn(api, gateway_callback(pay["pay_url"], amount="100"))["RspCode"] == "04"
    status = call(
        api[0].handler,
        "GET",
        f"/api/payment/payments/{pay['payment_id']}",
        headers=auth(dossier["access_token"]),
    ).json()["status"]
    assert status == "PENDING"
    # genuine: 00, then the duplicate: 02
    assert ipn(api, genuine) == {"RspCode": "00", "Message": "Confirm Success"}
    assert ipn(api, genuine)["RspCode"] == "02"
    assert len(confirmations(dossier["id"])) == 1


def test_twenty_identical_callbacks_at_once_credit_the_order_once(api, submission_api):
    dossier = fee_dossier(submission_api)
    params = gateway_callback(order(api, dossier)["pay_url"])

    def callback(_: int) -> str:
        asyncio.set_event_loop(asyncio.new_event_loop())
        return ipn(api, params)["RspCode"]

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(callback, range(20)))
    assert codes.count("00") == 1
    assert set(codes) <= {"00", "02", "99"}
    assert len(confirmations(dossier["id"])) == 1


def test_a_cancelled_payment_is_recorded_and_the_gateway_told_to_stop(api, submission_api):
    dossier = fee_dossier(submission_api)
    pay = order(api, dossier)
    assert ipn(api, gateway_callback(pay["pay_url"], "24", "02"))["RspCode"] == "00"
    status = call(
        api[0].handler,
        "GET",
        f"/api/payment/payments/{pay['payment_id']}",
        headers=auth(dossier["access_token"]),
    ).json()["status"]
    assert status == "CANCELLED" and confirmations(dossier["id"]) == []
    assert order(api, dossier)["payment_id"] != pay["payment_id"]  # a new attempt is possible


def test_the_return_url_sends_the_citizen_back_without_marking_anything(api, submission_api):
    dossier = fee_dossier(submission_api)
    pay = order(api, dossier)
    answer = call(
        api[0].handler, "GET", f"/api/payment/vnpay/return?{urlencode(gateway_callback(pay['pay_url']))}"
    )
    assert answer.status == 302
    assert answer.headers["location"].endswith(
        f"/ho-so.html#id={dossier['id']}&thanh-toan=thanh-cong&giao-dich={pay['payment_id']}"
    )
    status = call(
        api[0].handler,
        "GET",
        f"/api/payment/payments/{pay['payment_id']}",
        headers=auth(dossier["access_token"]),
    ).json()["status"]
    assert status == "PENDING"
    forged = call(
        api[0].handler, "GET", f"/api/payment/vnpay/return?vnp_TxnRef={pay['payment_id']}&vnp_SecureHash=0"
    )
    assert forged.headers["location"].endswith("thanh-toan.html#ket-qua=khong-hop-le")


def test_orders_are_only_for_dossiers_with_a_fee_due(api, submission_api):
    free = complete_draft(submission_api)
    call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{free['id']}/submit",
        headers=auth(free["access_token"]),
    )
    answer = call(
        api[0].handler,
        "POST",
        "/api/payment/payments",
        headers=auth(free["access_token"]),
        body={"dossier_id": free["id"]},
    )
    assert answer.status == 409 and "phí" in answer.json()["detail"]
    other = call(
        api[0].handler,
        "POST",
        "/api/payment/payments",
        headers=auth("x" * 22),
        body={"dossier_id": free["id"]},
    )
    assert other.status == 403


def _returned(submission_api, method: str, frozen: bool = True) -> tuple[dict, Event]:
    """A dossier whose result was returned, with the event tracking emitted."""
    draft = complete_draft(
        submission_api,
        LEVEL4,
        form_data={"noi_dung_de_nghi": "x" * 10},
        delivery={"method": method, "address": "Số 1 Lê Lợi, Phường 6, TP Sóc Trăng"},
    )
    call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    table = os.environ["TABLE_NAME"]
    result_key = f"results/{draft['id']}/r1.pdf"
    stored = aws.s3().put_object(
        Bucket=os.environ["RESULTS_BUCKET"], Key=result_key, Body=pdf_bytes("ket qua")
    )
    aws.dynamodb().put_item(
        TableName=table,
        Item=ddb.serialize(
            {
                **keys.dossier_part(draft["id"], "RESULT#r1"),
                "file_id": "r1",
                "key": result_key,
                "file_name": "Giay-phep.pdf",
                "content_type": "application/pdf",
                "size": 10,
                # frozen as tracking freezes it at return_result
                **({"sha256": hashlib.sha256(pdf_bytes("ket qua")).hexdigest()} if frozen else {}),
                **({"version_id": stored["VersionId"], "etag": stored["ETag"].strip('"')} if frozen else {}),
            }
        ),
    )
    aws.dynamodb().update_item(
        TableName=table,
        Key=ddb.key(keys.dossier(draft["id"])),
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues=ddb.values(s="RESULT_RETURNED"),
    )
    code = ddb.deserialize(
        aws.dynamodb().get_item(TableName=table, Key=ddb.key(keys.dossier(draft["id"])))["Item"]
    )["code"]
    event = Event(
        type=EventType.RESULT_RETURNED,
        dossier_id=draft["id"],
        data={"code": code, "result_file_id": "r1", "delivery_method": method},
    )
    return draft, event


def _outbox() -> tuple[list, list]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    emails = [m for b in ses_backends["123456789012"].values() for m in getattr(b, "sent_messages", [])]
    texts = [
        m for b in sns_backends["123456789012"].values() for m in getattr(b, "sms_messages", {}).values()
    ]
    return emails, texts


def test_an_online_result_is_downloadable_with_the_token_and_the_citizen_is_told_once(api, submission_api):
    draft, event = _returned(submission_api, "online")
    emails_before, texts_before = _outbox()
    # when the delivery event arrives, twice
    for _ in range(2):
        answer = api[1].handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
        assert answer == {"batchItemFailures": []}
    # then the result downloads through a short-lived link
    link = call(
        api[0].handler,
        "GET",
        f"/api/payment/dossiers/{draft['id']}/result",
        headers=auth(draft["access_token"]),
    )
    assert link.status == 302 and "X-Amz-Expires=300" in link.headers["location"]
    # and one email and one text message were sent, in Vietnamese, with no personal data
    emails, texts = _outbox()
    new_emails, new_texts = emails[len(emails_before) :], texts[len(texts_before) :]
    assert len(new_emails) == 1 and len(new_texts) == 1
    assert "đã có kết quả" in new_emails[0].body and event.data["code"] in new_emails[0].body
    assert "Nguyễn" not in new_emails[0].body and "094190001234" not in new_emails[0].body
    assert new_texts[0][0] == "+84912345678"


def test_a_postal_result_books_a_shipment_once(api, submission_api):
    draft, event = _returned(submission_api, "postal")
    api[1].handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
    api[1].handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
    delivery = ddb.deserialize(
        aws.dynamodb().get_item(
            TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier_part(draft["id"], "DELIVERY"))
        )["Item"]
    )
    assert delivery["method"] == "postal" and delivery["tracking_number"].startswith("EA")
    assert delivery["address"].startswith("Số 1 Lê Lợi")


def test_a_result_whose_frozen_version_is_gone_is_not_served(api, submission_api):
    # given an online result delivered with its frozen version
    draft, event = _returned(submission_api, "online")
    api[1].handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
    result = ddb.deserialize(
        aws.dynamodb().get_item(
            TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier_part(draft["id"], "RESULT#r1"))
        )["Item"]
    )
    # when that version is deleted and another document written under the key
    bucket = os.environ["RESULTS_BUCKET"]
    aws.s3().delete_object(Bucket=bucket, Key=result["key"], VersionId=result["version_id"])
    aws.s3().put_object(Bucket=bucket, Key=result["key"], Body=pdf_bytes("ban thay the"))
    # then the citizen is told, in Vietnamese, and given no link
    link = call(
        api[0].handler,
        "GET",
        f"/api/payment/dossiers/{draft['id']}/result",
        headers=auth(draft["access_token"]),
    )
    assert link.status == 409 and link.headers["content-type"] == "application/problem+json"
    assert "không khớp" in link.json()["detail"] and "location" not in link.headers


def test_a_result_never_frozen_is_not_served(api, submission_api):
    # given a delivery recorded for a result with no frozen hash or version
    draft, event = _returned(submission_api, "online", frozen=False)
    api[1].handler(sqs_event([event.model_dump_json()]), LambdaContext("resultDelivery"))
    # when the citizen asks for it, then it is refused rather than served unchecked
    link = call(
        api[0].handler,
        "GET",
        f"/api/payment/dossiers/{draft['id']}/result",
        headers=auth(draft["access_token"]),
    )
    assert link.status == 409
