"""Submission as Lambda runs it: API Gateway events through Mangum, S3-to-SQS events to the verifier."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from infra.sources import LambdaContext
from services.core import keys
from services.core.dal import aws, ddb
from tests.apigw import call
from tests.factories import applicant, html_bytes, pdf_bytes, png_bytes, s3_created, sqs_event
from tests.integration.flows import LEVEL2, LEVEL4, auth, complete_draft, create, upload, view


@pytest.fixture(scope="module")
def api(submission_api):
    return submission_api


def test_a_draft_gets_a_capability_token_whose_hash_alone_is_stored(api):
    # when
    answer = create(api)
    # then
    assert answer.status == 201
    draft = answer.json()
    assert draft["status"] == "DRAFT" and len(base64.urlsafe_b64decode(draft["access_token"] + "==")) == 16
    assert [d["component_id"] for d in draft["documents"]] == ["GT1", "GT2"]
    stored = json.dumps(
        aws.dynamodb().get_item(TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier(draft["id"])))[
            "Item"
        ]
    )
    assert draft["access_token"] not in stored and "token_hash" in stored


def test_a_level_2_procedure_is_not_online_and_says_where_to_go(api):
    answer = create(api, LEVEL2)
    assert answer.status == 409
    problem = answer.json()
    assert problem["code"] == "not_online" and "Bộ phận tiếp nhận" in problem["detail"]


def test_bad_applicant_data_is_a_422_listing_each_field_in_vietnamese(api):
    answer = create(api, applicant=applicant(id_number="12345", phone="12345", email="khong-phai-email"))
    assert answer.status == 422 and answer.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert "12 chữ số" in fields["applicant.id_number"]
    assert "Số điện thoại" in fields["applicant.phone"] and "email" in fields["applicant.email"]


def test_phone_numbers_are_normalised():
    from services.submission.models.api import Applicant

    assert Applicant(**applicant(phone="+84 912-345-678")).phone == "0912345678"
    assert Applicant(**applicant(phone="02993822222")).phone == "02993822222"


def test_form_data_is_checked_against_the_procedures_schema(api):
    answer = create(api, form_data={"ghi_chu": "x" * 1001})
    assert answer.status == 422
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert "bắt buộc" in errors["form_data.noi_dung_de_nghi"]
    assert "1000" in errors["form_data.ghi_chu"]


def test_the_delivery_method_must_be_one_the_procedure_allows(api):
    answer = create(api, delivery={"method": "online"})
    assert answer.status == 422 and answer.json()["errors"][0]["field"] == "delivery.method"


def test_the_presigned_post_pins_key_type_size_and_expiry(api):
    # given a draft and a hostile file name
    draft = create(api).json()
    # when
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/files",
        headers=auth(draft["access_token"]),
        body={
            "component_id": "GT1",
            "file_name": "../../etc/passwd.pdf",
            "content_type": "application/pdf",
            "size": 2048,
        },
    )
    # then
    assert answer.status == 201
    grant = answer.json()
    key = grant["upload"]["fields"]["key"]
    assert re.fullmatch(rf"dossiers/{draft['id']}/[0-9a-f]{{32}}\.pdf", key) and ".." not in key
    policy = json.loads(base64.b64decode(grant["upload"]["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": key} in conditions and {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 2048, 2048] in conditions
    assert grant["expires_in"] <= 900
    stored = view(api, draft)["files"][0]
    assert stored["file_name"] == "passwd.pdf" and stored["status"] == "PENDING"


def test_only_pdf_jpeg_png_within_the_size_limit_are_granted(api):
    draft = create(api).json()
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/files",
        headers=auth(draft["access_token"]),
        body={
            "component_id": "GT9",
            "file_name": "a.exe",
            "content_type": "application/x-msdownload",
            "size": 11 * 1024 * 1024,
        },
    )
    assert answer.status == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"component_id", "content_type", "size"}


def test_the_verifier_accepts_a_real_pdf_and_records_its_checksum(api):
    draft = create(api).json()
    upload(api, draft, "GT1", pdf_bytes())
    file = view(api, draft)["files"][0]
    assert file["status"] == "VERIFIED" and file["reason"] is None
    stored = ddb.deserialize(
        aws.dynamodb().get_item(
            TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier_file(draft["id"], file["file_id"]))
        )["Item"]
    )
    import hashlib

    assert stored["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()


def test_html_declared_as_pdf_is_rejected_and_removed(api):
    draft = create(api).json()
    grant = upload(api, draft, "GT1", html_bytes())
    file = view(api, draft)["files"][0]
    assert file["status"] == "REJECTED" and "không phải PDF" in file["reason"]
    listed = aws.s3().list_objects_v2(
        Bucket=os.environ["UPLOADS_BUCKET"], Prefix=grant["upload"]["fields"]["key"]
    )
    assert listed.get("KeyCount", 0) == 0


def test_an_11_mib_file_declared_as_1_kb_is_rejected(api):
    draft = create(api).json()
    upload(api, draft, "GT1", pdf_bytes(pad_to=11 * 1024 * 1024), declared=1024)
    file = view(api, draft)["files"][0]
    assert file["status"] == "REJECTED" and "10 MB" in file["reason"]


def test_a_redelivered_upload_event_changes_nothing(api):
    # given a verified document
    draft = create(api).json()
    grant = upload(api, draft, "GT1", png_bytes(), content_type="image/png", name="anh.png")
    before = view(api, draft)["files"]
    # when S3's event arrives again
    bucket, key = os.environ["UPLOADS_BUCKET"], grant["upload"]["fields"]["key"]
    etag = aws.s3().head_object(Bucket=bucket, Key=key)["ETag"]
    answer = api[1].handler(
        sqs_event([s3_created(bucket, key, len(png_bytes()), etag)]), LambdaContext("verifier")
    )
    # then
    assert answer == {"batchItemFailures": []}
    assert view(api, draft)["files"] == before


def test_submit_lists_what_is_missing_and_writes_nothing(api):
    draft = create(api).json()
    upload(api, draft, "GT1", pdf_bytes())
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    assert answer.status == 422 and answer.json()["code"] == "validation_failed"
    assert [e["field"] for e in answer.json()["errors"]] == ["documents.GT2"]
    assert view(api, draft)["status"] == "DRAFT"


def test_submit_assigns_the_code_and_writes_status_history_lookup_and_event_together(api):
    # given a draft with every document verified
    draft = complete_draft(api)
    # when
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    # then
    assert answer.status == 200, answer.text
    submitted = answer.json()
    assert re.fullmatch(r"000\.00\.31\.H53-\d{6}-\d{4}", submitted["code"])
    assert submitted["status"] == "SUBMITTED" and submitted["payment"] == {"required": False, "amount_vnd": 0}
    table = os.environ["TABLE_NAME"]
    lookup = aws.dynamodb().get_item(TableName=table, Key=ddb.key(keys.code_lookup(submitted["code"])))[
        "Item"
    ]
    assert lookup["dossier_id"]["S"] == draft["id"]
    dossier = view(api, draft)
    assert dossier["history"][0]["to_status"] == "SUBMITTED" and dossier["expires_at"] is None
    outbox = [
        ddb.deserialize(i)
        for i in aws.dynamodb().scan(TableName=table)["Items"]
        if i["PK"]["S"].startswith("OUTBOX#") and draft["id"] in i["event"]["S"]
    ]
    assert [json.loads(o["event"])["type"] for o in outbox] == ["DossierSubmitted"]
    # and submitting again returns the same code
    again = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    ).json()
    assert again["code"] == submitted["code"]


def test_two_submits_at_once_give_one_code(api):
    draft = complete_draft(api)

    def submit(_: int) -> tuple[int, dict]:
        asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum expects one, as in Lambda's main thread
        answer = call(
            api[0].handler,
            "POST",
            f"/api/submission/dossiers/{draft['id']}/submit",
            headers=auth(draft["access_token"]),
        )
        return answer.status, answer.json()

    # when four submits of the same draft race
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(submit, range(4)))
    # then every one of them answers 200 with the same dossier code (a problem body also has a `code`)
    assert [status for status, _ in answers] == [200] * 4, answers
    codes = {body["code"] for _, body in answers}
    assert len(codes) == 1
    assert re.fullmatch(r".+-\d{6}-\d{4}", codes.pop())


def test_daily_sequence_counts_up_per_agency(api):
    first = complete_draft(api)
    second = complete_draft(api)
    codes = [
        call(
            api[0].handler,
            "POST",
            f"/api/submission/dossiers/{d['id']}/submit",
            headers=auth(d["access_token"]),
        ).json()["code"]
        for d in (first, second)
    ]
    assert int(codes[1][-4:]) == int(codes[0][-4:]) + 1


def test_a_fee_paid_before_processing_makes_payment_pending_with_the_amount(api):
    draft = complete_draft(
        api, LEVEL4, form_data={"noi_dung_de_nghi": "Cấp phép"}, delivery={"method": "online"}
    )
    submitted = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    ).json()
    assert submitted["payment"] == {"required": True, "amount_vnd": 4_000_000}
    assert view(api, draft)["payment_status"] == "PENDING"


def test_the_receipt_is_a_printable_vietnamese_page_with_a_qr_code(api):
    draft = complete_draft(api)
    submitted = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    ).json()
    receipt = call(
        api[0].handler,
        "GET",
        f"/api/submission/dossiers/{draft['id']}/receipt",
        headers=auth(draft["access_token"]),
    )
    assert receipt.status == 200 and receipt.headers["content-type"].startswith("text/html")
    assert submitted["code"] in receipt.text and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt.text
    assert "<svg" in receipt.text and f"tra-cuu.html?ma={submitted['code']}" in receipt.text
    assert "Ngày hẹn trả kết quả" in receipt.text and "094******234" in receipt.text
    assert "<script" not in receipt.text and "style=" not in receipt.text


def test_a_wrong_or_missing_token_is_refused(api):
    draft = create(api).json()
    other = create(api).json()
    missing = call(api[0].handler, "GET", f"/api/submission/dossiers/{draft['id']}")
    wrong = call(
        api[0].handler, "GET", f"/api/submission/dossiers/{draft['id']}", headers=auth(other["access_token"])
    )
    assert missing.status == 401 and wrong.status == 403


def test_a_draft_can_be_withdrawn(api):
    draft = create(api).json()
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/withdraw",
        headers=auth(draft["access_token"]),
        body={"reason": "Nộp nhầm thủ tục"},
    )
    assert answer.status == 202 and view(api, draft)["status"] == "WITHDRAWN"


# -- evidence integrity: a grant re-posted after the fact changes nothing ------------------------------


def _submitted_with_grants(api) -> tuple[dict, list[dict]]:
    """A submitted dossier and the upload grants its documents were stored with."""
    draft = create(api).json()
    grants = [
        upload(api, draft, d["component_id"], pdf_bytes(f"ban goc {d['component_id']}"))
        for d in draft["documents"]
    ]
    submitted = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    assert submitted.status == 200, submitted.text
    return draft, grants


def _repost(api, grant: dict, content: bytes) -> None:
    """What a holder of the grant can do until it expires: POST it again (moto enforces no policy, so
    storing the object under the grant's key with its fields is the same), then S3's event."""
    bucket, key = os.environ["UPLOADS_BUCKET"], grant["upload"]["fields"]["key"]
    stored = aws.s3().put_object(
        Bucket=bucket,
        Key=key,
        Body=content,
        ContentType=grant["upload"]["fields"]["Content-Type"],
        Tagging="state=draft",
    )
    answer = api[1].handler(
        sqs_event([s3_created(bucket, key, len(content), stored["ETag"])]), LambdaContext("verifier")
    )
    assert answer == {"batchItemFailures": []}


def _file_item(draft: dict, grant: dict) -> dict:
    return ddb.deserialize(
        aws.dynamodb().get_item(
            TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier_file(draft["id"], grant["file_id"]))
        )["Item"]
    )


def _current_bytes(grant: dict) -> bytes:
    return (
        aws.s3()
        .get_object(Bucket=os.environ["UPLOADS_BUCKET"], Key=grant["upload"]["fields"]["key"])["Body"]
        .read()
    )


def test_a_grant_reposted_after_submit_leaves_the_verified_document_as_it_was(api):
    import hashlib

    # given a submitted dossier, its first document verified
    draft, grants = _submitted_with_grants(api)
    original = pdf_bytes("ban goc GT1")
    before = _file_item(draft, grants[0])
    assert before["status"] == "VERIFIED" and before["sha256"] == hashlib.sha256(original).hexdigest()
    # when the grant is posted again with another valid PDF
    _repost(api, grants[0], pdf_bytes("ban thay the GT1"))
    # then the file is still the one verified: same status, hash and bytes
    after = _file_item(draft, grants[0])
    assert after["status"] == "VERIFIED" and after["sha256"] == before["sha256"]
    assert after["etag"] == before["etag"] and after.get("version_id") == before.get("version_id")
    assert _current_bytes(grants[0]) == original
    # and the replacement left no version behind
    versions = aws.s3().list_object_versions(
        Bucket=os.environ["UPLOADS_BUCKET"], Prefix=grants[0]["upload"]["fields"]["key"]
    )
    assert [v["VersionId"] for v in versions.get("Versions", [])] == [before["version_id"]]
    assert not versions.get("DeleteMarkers")


def test_a_non_pdf_reposted_to_a_submitted_dossiers_file_neither_rejects_nor_deletes_it(api):
    # given a submitted dossier
    draft, grants = _submitted_with_grants(api)
    original = pdf_bytes("ban goc GT2")
    before = _file_item(draft, grants[1])
    # when its grant is posted again with HTML of exactly the declared size
    hostile = html_bytes()
    hostile = (hostile + b" " * len(original))[: len(original)]
    _repost(api, grants[1], hostile)
    # then the document is still VERIFIED, with its hash, and its bytes are there
    after = _file_item(draft, grants[1])
    assert after["status"] == "VERIFIED" and after["sha256"] == before["sha256"] and not after.get("reason")
    assert _current_bytes(grants[1]) == original
    assert {f["status"] for f in view(api, draft)["files"]} == {"VERIFIED"}


def test_a_later_write_to_a_verified_draft_document_is_undone_too(api):
    # given a draft whose document is verified (the grant is still fresh)
    draft = create(api).json()
    grant = upload(api, draft, "GT1", pdf_bytes("ban dau"))
    before = _file_item(draft, grant)
    # when the same grant is posted again, twice, and the first event comes again
    _repost(api, grant, pdf_bytes("lan hai"))
    _repost(api, grant, png_bytes())
    bucket, key = os.environ["UPLOADS_BUCKET"], grant["upload"]["fields"]["key"]
    api[1].handler(sqs_event([s3_created(bucket, key, 1, before["etag"])]), LambdaContext("verifier"))
    # then the first verified version is the document: a citizen replaces one by deleting it
    assert _file_item(draft, grant)["sha256"] == before["sha256"]
    assert _current_bytes(grant) == pdf_bytes("ban dau")


def test_a_write_to_a_rejected_file_of_a_submitted_dossier_is_discarded(api):
    # given a submitted dossier with a rejected extra file
    draft = create(api).json()
    valid = pdf_bytes("giay to nop sau")
    rejected = upload(api, draft, "GT1", (html_bytes() + b" " * len(valid))[: len(valid)])
    assert _file_item(draft, rejected)["status"] == "REJECTED"
    for d in draft["documents"]:
        upload(api, draft, d["component_id"], pdf_bytes(d["component_id"]))
    call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    # when the rejected file's grant is used again with a valid document of its size
    _repost(api, rejected, valid)
    # then nothing is added to the sent dossier
    assert _file_item(draft, rejected)["status"] == "REJECTED"
    listed = aws.s3().list_object_versions(
        Bucket=os.environ["UPLOADS_BUCKET"], Prefix=rejected["upload"]["fields"]["key"]
    )
    assert not listed.get("Versions") and not listed.get("DeleteMarkers")
