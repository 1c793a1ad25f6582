"""The catalogue function as Lambda runs it: API Gateway events through Mangum, against moto."""

from __future__ import annotations

import copy
import json
import os

import pytest

from infra.tokens import mint
from services.core.structure import put_structure
from tests.apigw import call
from tests.integration.conftest import SAMPLE


@pytest.fixture(scope="module")
def catalog(cloud):
    put_structure(
        os.environ["TABLE_NAME"],
        {
            "tiers": [
                {"code": "province", "national_code": "1"},
                {"code": "district", "national_code": "2"},
                {"code": "commune", "national_code": "3"},
            ],
            "agencies": [],
        },
    )
    from services.catalog.handlers import http

    return http


def admin_token() -> dict[str, str]:
    return {"authorization": f"Bearer {mint('000.00.01.H53', ['catalog_admin'])}"}


def test_import_needs_a_catalog_admin(catalog):
    # given no token, then a receiver's token
    anonymous = call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE)
    receiver = call(
        catalog.handler,
        "POST",
        "/api/catalog/import",
        body=SAMPLE,
        headers={"authorization": f"Bearer {mint('000.00.01.H53', ['receiver'])}"},
    )
    # then
    assert anonymous.status == 401 and anonymous.headers["content-type"] == "application/problem+json"
    assert receiver.status == 403 and receiver.json()["code"] == "forbidden"


def test_an_import_takes_effect_in_search_at_once_and_reports_each_record(catalog):
    # given the sample package plus one broken record
    broken = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": "sai-ma", "TENTTHC": "Hỏng"}
    # when
    answer = call(
        catalog.handler, "POST", "/api/catalog/import", body=[*SAMPLE, broken], headers=admin_token()
    )
    # then
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["imported"] + body["updated"] == 2
    assert body["rejected"] == [{"code": "sai-ma", "detail": body["rejected"][0]["detail"]}]
    found = call(catalog.handler, "GET", "/api/catalog/procedures?q=giam%20ho").json()
    assert found["items"][0]["code"] == "1.000893.000.00.00.H53"
    assert found["items"][0]["agency"] == {"code": "000.00.31.H53", "name": "Ủy ban nhân dân Phường 6"}


def test_reimporting_counts_updates(catalog):
    call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE, headers=admin_token())
    again = call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE, headers=admin_token()).json()
    assert again == {"imported": 0, "updated": 2, "rejected": []}


def test_detail_returns_the_whole_record(catalog):
    call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE, headers=admin_token())
    answer = call(catalog.handler, "GET", "/api/catalog/procedures/2.001711.000.00.00.H53")
    assert answer.status == 200
    body = answer.json()
    for field in (
        "code",
        "name",
        "level",
        "field",
        "agency",
        "tier",
        "steps",
        "methods",
        "components",
        "forms",
        "processing_days",
        "fees",
        "fee_vnd",
        "fee_timing",
        "subjects",
        "result",
        "legal_basis",
        "conditions",
        "form_schema",
    ):
        assert field in body, field
    assert body["fee_vnd"] == 4_000_000 and body["fee_timing"] == "before_processing"


def test_unknown_procedure_is_a_problem_in_vietnamese(catalog):
    answer = call(catalog.handler, "GET", "/api/catalog/procedures/9.999999.000.00.00.H53")
    assert answer.status == 404
    problem = answer.json()
    assert problem["code"] == "not_found" and "Không tìm thấy" in problem["detail"]


def test_bad_query_parameters_are_4xx_problems(catalog):
    answer = call(catalog.handler, "GET", "/api/catalog/procedures?limit=500")
    assert answer.status == 422
    assert answer.json()["errors"][0]["field"] == "query.limit"
    cursor = call(catalog.handler, "GET", "/api/catalog/procedures?cursor=%%%")
    assert cursor.status == 400 and cursor.json()["code"] == "bad_request"


def test_a_form_template_download_redirects_to_a_short_lived_link(catalog):
    # given the template of the sample's level-3 procedure in the forms bucket
    from services.catalog.handlers.http import store

    call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE, headers=admin_token())
    store.put_template(
        "1.000893.000.00.00.H53",
        "GT1",
        "To-khai-dang-ky-giam-ho.docx",
        b"PK\x03\x04docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    # when
    answer = call(catalog.handler, "GET", "/api/catalog/procedures/1.000893.000.00.00.H53/forms/GT1")
    missing = call(catalog.handler, "GET", "/api/catalog/procedures/2.001711.000.00.00.H53/forms/GT1")
    # then
    assert answer.status == 302
    assert "X-Amz-Expires=300" in answer.headers["location"]
    assert missing.status == 404


def test_facets_reflect_the_catalogue(catalog):
    call(catalog.handler, "POST", "/api/catalog/import", body=SAMPLE, headers=admin_token())
    facets = call(catalog.handler, "GET", "/api/catalog/facets").json()
    assert facets["levels"]["3"] >= 1 and facets["levels"]["4"] >= 1
    assert facets["total"] == sum(facets["levels"].values())


def test_the_openapi_documents_problems(catalog):
    spec = call(catalog.handler, "GET", "/api/catalog/openapi.json").json()
    operation = spec["paths"]["/api/catalog/procedures"]["get"]
    assert "application/problem+json" in operation["responses"]["4XX"]["content"]
    assert json.dumps(spec).count("HTTPValidationError") == 0


def test_an_oversized_body_is_refused_before_parsing(catalog):
    answer = call(
        catalog.handler,
        "POST",
        "/api/catalog/import",
        body="[" + " " * (11 * 1024 * 1024) + "]",
        headers=admin_token(),
    )
    assert answer.status == 413 and answer.json()["code"] == "payload_too_large"
