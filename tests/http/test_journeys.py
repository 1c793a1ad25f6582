"""Whole journeys on the started local cloud: real uploads to the embedded S3, real queues and stream,
the gateway simulator's pages and callbacks, the officials' workflow, delivery and notices."""

from __future__ import annotations

import itertools
import re
import time

import httpx
import pytest

from tests.factories import html_bytes, pdf_bytes
from tests.http.journeys import (
    act,
    auth,
    checked,
    complete,
    draft,
    in_inbox,
    official,
    procedure,
    submit,
    upload,
    wait_for,
)

MARRIAGE = "Đăng ký kết hôn"  # level 3, free, commune
RECORD = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"  # level 4, 200,000 VND before processing


@pytest.fixture(scope="module")
def api(stack) -> httpx.Client:
    with httpx.Client(base_url=stack.url, timeout=15) as client:
        yield client


def test_a_citizen_submits_online_with_real_uploads_and_gets_a_receipt(api):
    proc = procedure(api, MARRIAGE)
    dossier = draft(api, proc)
    # each document goes straight to object storage and is verified within seconds
    started = time.monotonic()
    complete(api, dossier, proc)
    assert time.monotonic() - started < 30
    submitted = submit(api, dossier)
    assert re.fullmatch(rf"{re.escape(proc['agency']['code'])}-\d{{6}}-\d{{4}}", submitted["code"])
    receipt = api.get(submitted["receipt_url"], headers=auth(dossier["access_token"]))
    assert receipt.status_code == 200 and "<svg" in receipt.text and submitted["code"] in receipt.text
    # and the receiving agency sees it in its inbox within seconds
    item = wait_for(lambda: in_inbox(api, proc["agency"]["code"], submitted["code"]), what="the inbox")
    assert item["status"] == "SUBMITTED"


def test_an_html_file_declared_as_pdf_and_an_oversized_file_end_rejected(api):
    proc = procedure(api, MARRIAGE)
    dossier = draft(api, proc)
    html = checked(api, dossier, upload(api, dossier, proc["components"][0]["id"], html_bytes()))
    assert html["status"] == "REJECTED" and "PDF" in html["reason"]
    big = upload(api, dossier, proc["components"][0]["id"], pdf_bytes(pad_to=11 * 1024 * 1024), declared=1024)
    assert checked(api, dossier, big)["status"] == "REJECTED"


def test_a_path_in_the_file_name_never_reaches_the_object_key(api):
    proc = procedure(api, MARRIAGE)
    dossier = draft(api, proc)
    grant = api.post(
        f"/api/submission/dossiers/{dossier['id']}/files",
        headers=auth(dossier["access_token"]),
        json={
            "component_id": proc["components"][0]["id"],
            "file_name": "../../../etc/passwd",
            "content_type": "application/pdf",
            "size": 10,
        },
    ).json()
    assert grant["upload"]["fields"]["key"].startswith(f"dossiers/{dossier['id']}/")
    assert ".." not in grant["upload"]["fields"]["key"]


def test_bad_requests_are_problem_details_and_write_nothing(api):
    answer = api.post("/api/submission/dossiers", json={"procedure_code": "1.000000", "applicant": {}})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert (
        api.post(
            "/api/submission/dossiers", content=b"{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 422
    )
    assert api.get("/api/submission/dossiers/khong-co").status_code == 401


def test_an_event_survives_the_relay_dying_between_the_write_and_the_publish(api):
    # given a relay that dies on its next invocations (after the table write, before any publish)
    proc = procedure(api, MARRIAGE)
    dossier = draft(api, proc)
    complete(api, dossier, proc)
    before = api.post("/local/faults", json={"function": "relay", "fail_next": 3}).json()["injected"]
    try:
        # when the citizen submits
        submitted = submit(api, dossier)
        # then the outbox item is read again from the stream and the dossier still reaches the inbox
        assert wait_for(lambda: in_inbox(api, proc["agency"]["code"], submitted["code"]), what="the inbox")
    finally:
        after = api.delete("/local/faults").json()["injected"]
    # and the relay really died on the way: the dossier got through in spite of the fault, not around it
    assert after.get("relay:before", 0) - before.get("relay:before", 0) >= 1


def test_level_4_payment_processing_delivery_and_notices(api, stack):
    proc = procedure(api, RECORD)
    agency = proc["agency"]["code"]
    dossier = draft(api, proc, method="online")
    complete(api, dossier, proc)
    submitted = submit(api, dossier)
    assert submitted["payment"] == {"required": True, "amount_vnd": proc["fee_vnd"]}
    wait_for(lambda: in_inbox(api, agency, submitted["code"]), what="the inbox")
    # the receiver cannot accept before the fee is paid
    early = api.post(
        f"/api/tracking/dossiers/{submitted['code']}/actions",
        headers=official(agency),
        json={"action": "accept", "expected_version": in_inbox(api, agency, submitted["code"])["version"]},
    )
    assert early.status_code == 422
    # the citizen pays on the gateway's page (the simulator) and comes back to the portal
    order = api.post(
        "/api/payment/payments", headers=auth(dossier["access_token"]), json={"dossier_id": dossier["id"]}
    ).json()
    paid = api.post("/sim/vnpay/admin/pay", json={"pay_url": order["pay_url"], "outcome": "success"}).json()
    back = api.get(paid["return_url"].replace(stack.url, ""), follow_redirects=False)
    assert back.status_code == 302 and "thanh-toan=thanh-cong" in back.headers["location"]
    wait_for(
        lambda: (
            api.get(
                f"/api/payment/payments/{order['payment_id']}", headers=auth(dossier["access_token"])
            ).json()["status"]
            == "PAID"
        ),
        what="the IPN",
    )
    wait_for(
        lambda: (in_inbox(api, agency, submitted["code"]) or {}).get("payment_status") == "PAID",
        what="tracking to hear of the payment",
    )
    # the official processes it and returns the result online
    act(api, agency, submitted["code"], "accept")
    act(api, agency, submitted["code"], "start")
    act(api, agency, submitted["code"], "complete", outcome="approved")
    document = pdf_bytes("Phieu ly lich tu phap so 1")
    grant = api.post(
        f"/api/tracking/dossiers/{submitted['code']}/result-files",
        headers=official(agency),
        json={"file_name": "Phieu-LLTP.pdf", "content_type": "application/pdf", "size": len(document)},
    )
    upload_form = grant.json()["upload"]
    assert httpx.post(
        upload_form["url"],
        data=upload_form["fields"],
        files={"file": ("Phieu-LLTP.pdf", document, "application/pdf")},
    ).status_code in (200, 204)
    act(api, agency, submitted["code"], "return_result", result=grant.json()["file_id"])
    # the citizen downloads it, and has been told by email and text message
    link = wait_for(
        lambda: (lambda r: r if r.status_code == 302 else None)(
            api.get(f"/api/payment/dossiers/{dossier['id']}/result", headers=auth(dossier["access_token"]))
        ),
        what="delivery",
    )
    assert httpx.get(link.headers["location"]).content == document
    # the portal fetches the link as JSON (token in a header) and opens it itself: no bucket CORS needed
    as_json = api.get(
        f"/api/payment/dossiers/{dossier['id']}/result",
        params={"format": "json"},
        headers=auth(dossier["access_token"]),
    )
    assert as_json.status_code == 200 and httpx.get(as_json.json()["url"]).content == document
    view = api.get(f"/api/submission/dossiers/{dossier['id']}", headers=auth(dossier["access_token"])).json()
    assert view["result_available"] is True
    outbox = wait_for(
        lambda: (lambda o: o if any(submitted["code"] in e["body"] for e in o["emails"]) else None)(
            api.get("/local/outbox").json()
        ),
        what="the email",
    )
    assert any(submitted["code"] in t["message"] for t in outbox["sms"])
    # and the national portal heard about the status changes in the order they happened, up to the end
    national = wait_for(
        lambda: (lambda heard: heard if heard and heard[-1] == "RESULT_RETURNED" else None)(
            [
                u["status"]
                for u in api.get("/sim/national/api/dossiers", params={"code": submitted["code"]}).json()
            ]
        ),
        what="the sync",
    )
    lifecycle = ["SUBMITTED", "ACCEPTED", "IN_PROCESS", "PROCESSED", "RESULT_RETURNED"]
    # a late older event is never sent over a newer one, so what was heard is the lifecycle, in order
    # (the payment's confirmation is sent too, as a second SUBMITTED: the record changed, the status not)
    heard = [status for status, _ in itertools.groupby(national)]
    assert heard == [s for s in lifecycle if s in heard], national
    assert heard[0] == "SUBMITTED" and len(heard) >= 3


def test_a_refused_paid_dossier_is_refunded_through_the_gateway(api):
    proc = procedure(api, RECORD)
    agency = proc["agency"]["code"]
    dossier = draft(api, proc, method="online")
    complete(api, dossier, proc)
    submitted = submit(api, dossier)
    order = api.post(
        "/api/payment/payments", headers=auth(dossier["access_token"]), json={"dossier_id": dossier["id"]}
    ).json()
    api.post("/sim/vnpay/admin/pay", json={"pay_url": order["pay_url"], "outcome": "success"})
    wait_for(
        lambda: (in_inbox(api, agency, submitted["code"]) or {}).get("payment_status") == "PAID",
        what="the payment",
    )
    act(api, agency, submitted["code"], "refuse", note="Hồ sơ không thuộc thẩm quyền giải quyết")
    wait_for(
        lambda: (
            api.get(
                f"/api/payment/payments/{order['payment_id']}", headers=auth(dossier["access_token"])
            ).json()["status"]
            == "REFUNDED"
        ),
        what="the refund",
    )
    ledger = api.get("/sim/vnpay/ledger", params={"txn_ref": order["txn_ref"]}).json()
    assert ledger[0]["status"] == "REFUNDED"
    view = wait_for(
        lambda: (lambda d: d if d["payment_status"] == "REFUNDED" else None)(
            api.get(f"/api/submission/dossiers/{dossier['id']}", headers=auth(dossier["access_token"])).json()
        ),
        what="tracking to record the refund",
    )
    assert view["status"] == "REFUSED"


def test_reconciliation_settles_an_order_whose_ipn_is_late_and_the_late_ipn_answers_02(api):
    proc = procedure(api, RECORD)
    dossier = draft(api, proc, method="online")
    complete(api, dossier, proc)
    submit(api, dossier)
    order = api.post(
        "/api/payment/payments", headers=auth(dossier["access_token"]), json={"dossier_id": dossier["id"]}
    ).json()
    api.post("/sim/vnpay/admin/faults", json={"delay_ipn_seconds": 12})
    try:
        api.post("/sim/vnpay/admin/pay", json={"pay_url": order["pay_url"], "outcome": "success"})
        api.post("/local/clock", json={"seconds": 30 * 60})  # past the order's expiry window
        settled = api.post("/local/schedules/paymentReconciler").json()["result"]
        assert settled["paid"] >= 1, settled
        status = api.get(
            f"/api/payment/payments/{order['payment_id']}", headers=auth(dossier["access_token"])
        )
        assert status.json()["status"] == "PAID"
        attempts = wait_for(
            lambda: api.get("/sim/vnpay/ledger", params={"txn_ref": order["txn_ref"]}).json()[0][
                "ipn_attempts"
            ],
            timeout=30,
            what="the late IPN",
        )
        assert attempts[-1]["rsp_code"] == "02"
    finally:
        api.delete("/local/clock")
        api.delete("/sim/vnpay/admin/faults")
