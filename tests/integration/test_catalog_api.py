"""The catalogue function as Lambda runs it: API Gateway events through Mangum, against moto."""

from __future__ import annotations

import copy
import json
import os

import pytest

from infra.tokens import mint
from services.core.dal.structure import put_structure
from tests.apigw import call
from tests.integration.conftest import SAMPLE

OVERSIGHT = "000.00.00.H53"  # Văn phòng UBND tỉnh: imports the whole catalogue
DEPARTMENT = "000.00.01.H53"  # Sở Tư pháp, a provincial department
CITY = "000.00.20.H53"
COMMUNE = "000.00.31.H53"  # Phường 6, below the city


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
            "agencies": [
                {"code": OVERSIGHT, "name": "Văn phòng UBND tỉnh", "tier": "province", "parent": None},
                {"code": DEPARTMENT, "name": "Sở Tư pháp", "tier": "province", "parent": None},
                {"code": CITY, "name": "UBND thành phố Sóc Trăng", "tier": "district", "parent": None},
                {"code": COMMUNE, "name": "Ủy ban nhân dân Phường 6", "tier": "commune", "parent": CITY},
            ],
            "oversight": [OVERSIGHT],
        },
    )
    from services.catalog.handlers import http

    return http


def admin_token(agency: str = OVERSIGHT) -> dict[str, str]:
    return {"authorization": f"Bearer {mint(agency, ['catalog_admin'])}"}


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


def _department_record(agency: str, name: str, fee: str) -> dict:
    record = copy.deepcopy(SAMPLE[1])
    record.update(
        {
            "MaTTHC": "1.009001.000.00.00.H53",
            "TENTTHC": "Cấp phiếu lý lịch tư pháp (kiểm thử thẩm quyền)",
            "COQUANTHUCHIEN": [{"MADONVI": agency, "TENDONVI": name}],
            "CAPTHUCHIEN": [{"CAPTHUCHIEN": "1", "TENCAP": "Cấp Tỉnh"}],
            "THOIDIEMTHUPHI": "before_processing",
        }
    )
    for way in record["CACHTHUCTHUCHIEN"]:
        for fee_item in way["THOIGIAN"][0]["PHILEPHI"]:
            fee_item["SOTIEN"] = fee
    return record


def test_a_communes_admin_cannot_rewrite_a_departments_procedure_but_the_oversight_agency_can(catalog):
    from services.catalog.handlers.http import store

    # given a provincial department's procedure in the catalogue, imported by the oversight agency
    original = _department_record(DEPARTMENT, "Sở Tư pháp", "200000")
    first = call(catalog.handler, "POST", "/api/catalog/import", body=[original], headers=admin_token())
    assert first.status == 200 and first.json()["rejected"] == [], first.text
    # when the commune's admin re-imports it under its own agency with a 99,000,000 VND fee paid before
    # processing, alongside one of its own procedures
    takeover = _department_record(COMMUNE, "Ủy ban nhân dân Phường 6", "99000000")
    answer = call(
        catalog.handler,
        "POST",
        "/api/catalog/import",
        body=[takeover, SAMPLE[0]],
        headers=admin_token(COMMUNE),
    )
    # then that record is rejected, naming the department, the commune's own one imports
    assert answer.status == 200, answer.text
    body = answer.json()
    assert body["imported"] + body["updated"] == 1
    assert [r["code"] for r in body["rejected"]] == [original["MaTTHC"]]
    assert "Sở Tư pháp" in body["rejected"][0]["detail"] and DEPARTMENT in body["rejected"][0]["detail"]
    # and the stored procedure is unchanged
    stored = store.get(original["MaTTHC"])
    assert stored is not None and stored.agency.code == DEPARTMENT and stored.fee_vnd == 200_000
    shown = call(catalog.handler, "GET", f"/api/catalog/procedures/{original['MaTTHC']}").json()
    assert shown["agency"]["code"] == DEPARTMENT and shown["fee_vnd"] == 200_000
    # when the oversight agency's admin imports the same record, it is updated
    again = call(catalog.handler, "POST", "/api/catalog/import", body=[takeover], headers=admin_token())
    assert again.json() == {"imported": 0, "updated": 1, "rejected": []}
    stored = store.get(original["MaTTHC"])
    assert stored is not None and stored.agency.code == COMMUNE and stored.fee_vnd == 99_000_000


def test_a_departments_admin_cannot_import_a_procedure_for_a_commune(catalog):
    # given a new procedure naming the commune, sent by the department's admin
    record = {**copy.deepcopy(SAMPLE[0]), "MaTTHC": "1.009002.000.00.00.H53"}
    # when
    answer = call(
        catalog.handler, "POST", "/api/catalog/import", body=[record], headers=admin_token(DEPARTMENT)
    )
    # then nothing is imported, and the reason names the commune
    body = answer.json()
    assert body["imported"] == 0 and body["updated"] == 0
    assert "Phường 6" in body["rejected"][0]["detail"]
    assert call(catalog.handler, "GET", f"/api/catalog/procedures/{record['MaTTHC']}").status == 404


def test_the_import_route_documents_its_rules(catalog):
    spec = call(catalog.handler, "GET", "/api/catalog/openapi.json").json()
    description = spec["paths"]["/api/catalog/import"]["post"]["description"]
    assert "trực thuộc" in description and "$ref" in description and "64 KiB" in description
