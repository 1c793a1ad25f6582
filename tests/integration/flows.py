"""Citizen journeys shared by the integration tests: drafts, uploads through the verifier, submission."""

from __future__ import annotations

import os
from typing import Any

from infra.sources import LambdaContext
from services.core.dal import aws
from tests.apigw import Answer, call
from tests.factories import applicant, pdf_bytes, s3_created, sqs_event

LEVEL3 = "1.000893.000.00.00.H53"  # Đăng ký giám hộ: two required components, no fee
LEVEL4 = "2.001711.000.00.00.H53"  # karaoke licence: 4,000,000 VND before processing
LEVEL2 = "1.000893.000.00.00.H99"


def create(api, code: str = LEVEL3, **overrides: Any) -> Answer:
    body = {
        "procedure_code": code,
        "applicant": applicant(),
        "form_data": {"noi_dung_de_nghi": "Đăng ký giám hộ"},
        "delivery": {"method": "in_person"},
        **overrides,
    }
    return call(api[0].handler, "POST", "/api/submission/dossiers", body=body)


def auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def upload(
    api,
    draft: dict,
    component: str,
    content: bytes,
    content_type: str = "application/pdf",
    declared: int | None = None,
    name: str = "giay-to.pdf",
) -> dict:
    """What the portal does: ask for a presigned POST, store the object, let the verifier see the event."""
    answer = call(
        api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/files",
        headers=auth(draft["access_token"]),
        body={
            "component_id": component,
            "file_name": name,
            "content_type": content_type,
            "size": declared if declared is not None else len(content),
        },
    )
    assert answer.status == 201, answer.text
    grant = answer.json()
    bucket = os.environ["UPLOADS_BUCKET"]
    stored = aws.s3().put_object(Bucket=bucket, Key=grant["upload"]["fields"]["key"], Body=content)
    verified = api[1].handler(
        sqs_event([s3_created(bucket, grant["upload"]["fields"]["key"], len(content), stored["ETag"])]),
        LambdaContext("verifier"),
    )
    assert verified == {"batchItemFailures": []}
    return grant


def view(api, draft: dict) -> dict:
    return call(
        api[0].handler, "GET", f"/api/submission/dossiers/{draft['id']}", headers=auth(draft["access_token"])
    ).json()


def complete_draft(api, code: str = LEVEL3, **overrides: Any) -> dict:
    draft = create(api, code, **overrides).json()
    for document in draft["documents"]:
        upload(api, draft, document["component_id"], pdf_bytes())
    return draft
