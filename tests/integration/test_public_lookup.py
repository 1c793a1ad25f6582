"""Issue 19, finding 4: the public lookup no longer tells who applied for what.

Codes are sequential, so a code alone answers only `{code, status, status_label}`; the record needs the
check code the receipt prints beside its QR code (which carries it), or the dossier's own token; the
applicant shows as initials only.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from services.core.lookup import check_code
from tests.apigw import call
from tests.integration.flows import auth
from tests.integration.test_tracking import submitted

STATUS_ONLY = {"code", "status", "status_label"}


@pytest.fixture(scope="module")
def api(cloud, submission_api):
    from services.tracking.handlers import http

    return http


def _key() -> str:
    from services.tracking.wiring import tracking

    return tracking().settings.lookup_check_key


def _lookup(api, code: str, query: str = "", headers: dict[str, str] | None = None):
    return call(api.handler, "GET", f"/api/tracking/public/{code}{query}", headers=headers)


def test_a_code_alone_answers_exactly_code_and_status(api, cloud, submission_api):
    # given a submitted dossier
    dossier = submitted(cloud, submission_api)
    # when someone who only has (or guessed) its code looks it up
    answer = _lookup(api, dossier["code"])
    # then they learn that it exists and its status, nothing of the procedure, agency or applicant
    assert answer.status == 200
    assert answer.json() == {"code": dossier["code"], "status": "SUBMITTED", "status_label": "Mới đăng ký"}
    assert "Lan" not in answer.text and "N." not in answer.text


def test_a_wrong_check_answers_the_same_as_none(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    right = check_code(dossier["code"], _key())
    wrong = ("A" if right[0] != "A" else "B") + right[1:]
    for check in (wrong, right[:-1], "x" * 32, check_code(dossier["code"] + "0", _key())):
        answer = _lookup(api, dossier["code"], f"?check={check}")
        assert answer.status == 200 and set(answer.json()) == STATUS_ONLY, check


def test_the_receipts_check_answers_the_record_with_initials_only(api, cloud, submission_api):
    # given a dossier of Nguyễn Thị Lan and the check printed on its receipt
    dossier = submitted(cloud, submission_api)
    check = check_code(dossier["code"], _key())
    # when she looks it up with the check (as typed: lower case, with a dash)
    answer = _lookup(api, dossier["code"], f"?check={check[:4].lower()}-{check[4:].lower()}")
    # then she sees the record, and her name only as initials
    assert answer.status == 200, answer.text
    body = answer.json()
    assert set(body) == STATUS_ONLY | {
        "procedure_name",
        "agency_name",
        "received_at",
        "due_at",
        "applicant_masked",
    }
    assert body["applicant_masked"] == "N. T. L."
    assert body["procedure_name"] and body["agency_name"] and body["received_at"]
    assert "Lan" not in answer.text and "094190001234" not in answer.text and "0912345678" not in answer.text


def test_the_dossiers_own_token_answers_the_record_too(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    mine = _lookup(api, dossier["code"], headers=auth(dossier["access_token"]))
    assert mine.status == 200 and mine.json()["applicant_masked"] == "N. T. L."
    # and another dossier's token is no token at all
    other = submitted(cloud, submission_api)
    theirs = _lookup(api, dossier["code"], headers=auth(other["access_token"]))
    assert theirs.status == 200 and set(theirs.json()) == STATUS_ONLY


def test_the_receipt_prints_the_check_beside_the_qr_code_whose_link_carries_it(api, cloud, submission_api):
    # given a submitted dossier's receipt
    dossier = submitted(cloud, submission_api)
    receipt = call(
        submission_api[0].handler,
        "GET",
        f"/api/submission/dossiers/{dossier['id']}/receipt",
        headers=auth(dossier["access_token"]),
    )
    assert receipt.status == 200
    check = check_code(dossier["code"], _key())
    # then the check is printed in the QR section, and the tracking link (the QR code's text) carries it
    qr_section = receipt.text.split('<section class="qr">', 1)[1].split("</section>", 1)[0]
    assert f"<strong>{check}</strong>" in qr_section
    link = qr_section.split('<a href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert urlparse(link).path.endswith("/tra-cuu.html")
    assert parse_qs(urlparse(link).query) == {"ma": [dossier["code"]], "check": [check]}
    # and that link's check opens the record
    assert _lookup(api, dossier["code"], f"?check={check}").json()["applicant_masked"] == "N. T. L."


def test_the_local_cloud_answers_429_once_a_client_passes_the_waf_rules_limit(api, cloud, submission_api):
    import asyncio

    import httpx

    from infra.edge import public_lookup_limit

    # given the local cloud's front door, and a dossier code
    dossier = submitted(cloud, submission_api)
    cloud.load_functions()
    front = cloud.build_app()
    limit = public_lookup_limit(cloud.config)
    path = f"/api/tracking/public/{dossier['code']}"

    async def lookups(client: str, times: int) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=front, client=(client, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return [await http.get(path) for _ in range(times)]

    def run(client: str, times: int) -> list[httpx.Response]:
        # a loop of its own, never made current: the in-process handlers (Mangum) use the thread's loop
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(lookups(client, times))
        finally:
            loop.close()

    # when one client looks up as many times as the rule allows, and once more
    answers = run("203.0.113.50", limit.requests + 1)
    # then the allowed ones reach the function, and the next is refused before it with a Retry-After
    assert {a.status_code for a in answers[:-1]} == {200}
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 0 < int(refused.headers["retry-after"]) <= limit.window_seconds
    assert refused.json()["code"] == "rate_limited"
    # while another client is still served
    assert run("203.0.113.51", 1)[0].status_code == 200
