"""Tracking as Lambda runs it: officials' calls through Mangum, events through the event-source layer."""

from __future__ import annotations

import asyncio
import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from infra.tokens import mint
from services.core import clock, keys
from services.core.dal import aws, ddb
from services.core.dal.structure import put_structure
from services.core.events import Event
from services.tracking.logic import stats as counting
from tests.apigw import call
from tests.factories import pdf_bytes, sqs_event
from tests.integration.flows import auth, complete_draft, upload

A = "000.00.31.H53"  # Ủy ban nhân dân Phường 6 (the sample's agency)
B = "000.00.20.H53"  # Ủy ban nhân dân thành phố Sóc Trăng
C = "000.00.02.H53"


@pytest.fixture(scope="module")
def api(cloud, submission_api):
    put_structure(
        os.environ["TABLE_NAME"],
        {
            "tiers": [
                {"code": "province", "national_code": "1"},
                {"code": "district", "national_code": "2"},
                {"code": "commune", "national_code": "3"},
            ],
            "agencies": [
                {"code": A, "name": "Ủy ban nhân dân Phường 6", "tier": "commune", "parent": B},
                {
                    "code": B,
                    "name": "Ủy ban nhân dân thành phố Sóc Trăng",
                    "tier": "district",
                    "parent": None,
                },
                {"code": C, "name": "Sở Tư pháp", "tier": "province", "parent": None},
            ],
            "oversight": [],
        },
    )
    from services.tracking.handlers import http
    from services.tracking.wiring import _structure_cache

    _structure_cache.clear()
    return http


def official(agency: str = A, *roles: str) -> dict[str, str]:
    return {"authorization": f"Bearer {mint(agency, list(roles or ('receiver', 'handler', 'leader')))}"}


def submitted(cloud, submission_api) -> dict:
    draft = complete_draft(submission_api)
    answer = call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    cloud.pump()
    return {**draft, "code": answer.json()["code"]}


def act(api, code: str, action: str, version: int, agency: str = A, roles: tuple[str, ...] = (), **extra):
    return call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/actions",
        headers=official(agency, *roles),
        body={"action": action, "expected_version": version, **extra},
    )


def detail(api, code: str, agency: str = A) -> dict:
    return call(api.handler, "GET", f"/api/tracking/dossiers/{code}", headers=official(agency)).json()


def test_a_submitted_dossier_reaches_its_agencys_inbox_once(api, cloud, submission_api):
    # given a submitted dossier whose events have been delivered
    dossier = submitted(cloud, submission_api)
    # when the receiving agency opens its inbox
    inbox = call(
        api.handler, "GET", "/api/tracking/dossiers?limit=100", headers=official(A, "receiver")
    ).json()
    # then it is there, with the applicant's name and no due date yet
    mine = [i for i in inbox["items"] if i["code"] == dossier["code"]]
    assert (
        len(mine) == 1 and mine[0]["status"] == "SUBMITTED" and mine[0]["applicant_name"] == "Nguyễn Thị Lan"
    )
    # and another agency does not see it
    other = call(api.handler, "GET", "/api/tracking/dossiers?limit=100", headers=official(B)).json()
    assert dossier["code"] not in [i["code"] for i in other["items"]]


def test_a_redelivered_submission_event_changes_nothing(api, cloud, submission_api):
    # given a dossier placed and counted
    dossier = submitted(cloud, submission_api)
    meta = ddb.deserialize(
        aws.dynamodb().get_item(TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier(dossier["id"])))[
            "Item"
        ]
    )
    before = _counters()
    # when the same event arrives again (at-least-once delivery)
    outbox = [
        json.loads(i["event"]["S"])
        for i in _scan()
        if i["PK"]["S"].startswith("OUTBOX#") and json.loads(i["event"]["S"])["dossier_id"] == dossier["id"]
    ]
    event = Event.model_validate(next(e for e in outbox if e["type"] == "DossierSubmitted"))
    from infra.sources import LambdaContext
    from services.tracking.handlers import dossier_events

    answer = dossier_events.handler(sqs_event([event.model_dump_json()]), LambdaContext("dossierEvents"))
    # then nothing moved
    assert answer == {"batchItemFailures": []}
    after_meta = ddb.deserialize(
        aws.dynamodb().get_item(TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.dossier(dossier["id"])))[
            "Item"
        ]
    )
    assert after_meta == meta and _counters() == before


def test_the_whole_workflow_with_supplement_and_forwarding(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    code = dossier["code"]
    version = detail(api, code)["version"]
    # the receiver accepts: the due date is set
    accepted = act(api, code, "accept", version, roles=("receiver",))
    assert accepted.status == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "ACCEPTED" and body["due_at"] is not None
    # the handler starts, then the receiver asks for a supplement (the clock pauses)
    started = act(api, code, "start", body["version"], roles=("handler",)).json()
    asked = act(
        api,
        code,
        "request_supplement",
        started["version"],
        roles=("receiver",),
        note="Bổ sung bản sao giấy khai sinh",
    ).json()
    assert asked["status"] == "SUPPLEMENT_REQUESTED" and asked["paused"]
    # the citizen adds a document and sends the supplement; tracking resumes processing
    upload(submission_api, dossier, "GT2", pdf_bytes("bo sung"))
    sent = call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{dossier['id']}/supplement",
        headers=auth(dossier["access_token"]),
        body={"note": "Đã bổ sung"},
    )
    assert sent.status == 202
    cloud.pump()
    resumed = detail(api, code)
    assert resumed["status"] == "IN_PROCESS" and not resumed["paused"]
    # the handler forwards to the city; the ward no longer has it, the city does
    forwarded = act(
        api,
        code,
        "forward",
        resumed["version"],
        roles=("handler",),
        to_agency=B,
        note="Chuyển UBND thành phố",
    ).json()
    assert forwarded["agency"]["code"] == B
    assert call(api.handler, "GET", f"/api/tracking/dossiers/{code}", headers=official(A)).status == 403
    cloud.pump()
    city_inbox = call(api.handler, "GET", "/api/tracking/dossiers?limit=100", headers=official(B)).json()
    assert code in [i["code"] for i in city_inbox["items"]]
    # the city completes, uploads the decision, and returns the result
    done = act(
        api, code, "complete", forwarded["version"], agency=B, roles=("handler",), outcome="approved"
    ).json()
    grant = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/result-files",
        headers=official(B),
        body={"file_name": "Quyet-dinh.pdf", "content_type": "application/pdf", "size": len(pdf_bytes())},
    )
    assert grant.status == 201
    aws.s3().put_object(
        Bucket=os.environ["RESULTS_BUCKET"], Key=grant.json()["upload"]["fields"]["key"], Body=pdf_bytes()
    )
    returned = act(
        api,
        code,
        "return_result",
        done["version"],
        agency=B,
        roles=("receiver",),
        result=grant.json()["file_id"],
    )
    assert returned.status == 200, returned.text
    final = returned.json()
    assert final["status"] == "RESULT_RETURNED" and final["results"][0]["url"]
    # every step is in the history
    assert [h["action"] for h in final["history"]] == [
        "submit",
        "accept",
        "start",
        "request_supplement",
        "supplement",
        "forward",
        "complete",
        "return_result",
    ]
    # and the result-returned event is on its way to delivery
    cloud.pump()
    sent_to_delivery = _events(dossier["id"], "ResultReturned")
    assert sent_to_delivery and sent_to_delivery[0]["data"]["delivery_method"] == "in_person"


def test_a_supplement_asked_by_the_official_is_sent_with_the_new_files(api, cloud, submission_api):
    # given an accepted dossier for which the receiving official asks for more documents
    dossier = submitted(cloud, submission_api)
    accepted = act(
        api, dossier["code"], "accept", detail(api, dossier["code"])["version"], roles=("receiver",)
    )
    assert accepted.status == 200, accepted.text
    asked = act(
        api,
        dossier["code"],
        "request_supplement",
        accepted.json()["version"],
        roles=("receiver",),
        note="Bổ sung bản sao giấy khai sinh",
    )
    assert asked.status == 200, asked.text
    assert asked.json()["status"] == "SUPPLEMENT_REQUESTED"
    cloud.pump()

    def send(note: str):
        return call(
            submission_api[0].handler,
            "POST",
            f"/api/submission/dossiers/{dossier['id']}/supplement",
            headers=auth(dossier["access_token"]),
            body={"note": note},
        )

    # when the citizen first sends nothing, then adds a document and sends the supplement
    empty = send("")
    upload(submission_api, dossier, "GT2", pdf_bytes("bo sung"))
    answer = send("Đã bổ sung")
    # then the empty one is refused, the real one accepted with the new file marked as a supplement
    assert empty.status == 422
    assert answer.status == 202, answer.text
    mine = call(
        submission_api[0].handler,
        "GET",
        f"/api/submission/dossiers/{dossier['id']}",
        headers=auth(dossier["access_token"]),
    ).json()
    assert mine["supplement"]["note"] == "Bổ sung bản sao giấy khai sinh"
    assert mine["supplement"]["submitted_at"] is not None
    assert [f["supplement"] for f in mine["files"]] == [False, False, True]
    assert [e["data"]["round"] for e in _events(dossier["id"], "SupplementSubmitted")] == [1]
    # and once tracking applies the event, the dossier is back in process with its history
    cloud.pump()
    after = detail(api, dossier["code"])
    assert after["status"] == "IN_PROCESS"
    assert [h["action"] for h in after["history"]][-2:] == ["request_supplement", "supplement"]


def test_two_officials_accepting_at_once_get_one_200_and_one_409(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    version = detail(api, dossier["code"])["version"]

    def accept(_: int) -> int:
        asyncio.set_event_loop(asyncio.new_event_loop())
        return act(api, dossier["code"], "accept", version, roles=("receiver",)).status

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(accept, range(2)))
    assert statuses == [200, 409]
    late = act(api, dossier["code"], "accept", version, roles=("receiver",))
    assert late.status == 409 and late.json()["code"] == "version_conflict"


def test_an_action_not_allowed_from_the_status_is_422_and_writes_nothing(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    version = detail(api, dossier["code"])["version"]
    answer = act(api, dossier["code"], "complete", version, outcome="approved")
    assert answer.status == 422 and answer.json()["code"] == "illegal_transition"
    assert detail(api, dossier["code"])["version"] == version


def test_tokens_roles_and_agencies_are_enforced(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    path = f"/api/tracking/dossiers/{dossier['code']}"
    assert call(api.handler, "GET", path).status == 401
    assert call(api.handler, "GET", path, headers={"authorization": "Bearer not.a.jwt"}).status == 401
    assert call(api.handler, "GET", path, headers=official(B)).status == 403
    version = detail(api, dossier["code"])["version"]
    wrong_role = act(api, dossier["code"], "accept", version, roles=("handler",))
    assert wrong_role.status == 403 and wrong_role.json()["code"] == "forbidden"
    catalog_admin = call(api.handler, "GET", "/api/tracking/dossiers", headers=official(A, "catalog_admin"))
    assert catalog_admin.status == 403


def test_public_lookup_by_code_alone_tells_only_the_status(api, cloud, submission_api):
    # the record itself (and the applicant's initials) needs the receipt's check: test_public_lookup.py
    dossier = submitted(cloud, submission_api)
    answer = call(api.handler, "GET", f"/api/tracking/public/{dossier['code']}")
    assert answer.status == 200
    assert answer.json() == {"code": dossier["code"], "status": "SUBMITTED", "status_label": "Mới đăng ký"}
    assert call(api.handler, "GET", "/api/tracking/public/KHONG-CO-MA").status == 404


def test_feedback_is_answered_and_then_listed_publicly(api, cloud, submission_api):
    created = call(
        api.handler,
        "POST",
        "/api/tracking/feedback",
        body={
            "title": "Thời gian xử lý chậm",
            "content": "Hồ sơ của tôi đã quá hạn mà chưa có kết quả.",
            "contact": "0912345678",
            "procedure_code": "1.000893.000.00.00.H53",
        },
    )
    assert created.status == 201
    feedback_id = created.json()["id"]
    waiting = call(api.handler, "GET", "/api/tracking/feedback/open", headers=official(A)).json()
    assert feedback_id in [f["id"] for f in waiting["items"]]
    answered = call(
        api.handler,
        "POST",
        f"/api/tracking/feedback/{feedback_id}/answer",
        headers=official(A),
        body={"answer": "Cơ quan đã xử lý xong hồ sơ, xin cảm ơn.", "public": True},
    )
    assert answered.status == 200
    listed = call(api.handler, "GET", "/api/tracking/feedback").json()
    assert listed["items"][0]["id"] == feedback_id and "contact" not in listed["items"][0]


def test_a_returned_dossier_is_rated_once(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    code = dossier["code"]
    too_early = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/rating",
        headers=auth(dossier["access_token"]),
        body={"score": 5},
    )
    assert too_early.status == 409
    version = detail(api, code)["version"]
    for action, extra in (("accept", {}), ("start", {}), ("complete", {"outcome": "denied"})):
        version = act(api, code, action, version, **extra).json()["version"]
    grant = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/result-files",
        headers=official(A),
        body={"file_name": "Van-ban-tra-loi.pdf", "content_type": "application/pdf", "size": 100},
    ).json()
    aws.s3().put_object(
        Bucket=os.environ["RESULTS_BUCKET"], Key=grant["upload"]["fields"]["key"], Body=b"x" * 100
    )
    act(api, code, "return_result", version, result=grant["file_id"])
    first = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/rating",
        headers=auth(dossier["access_token"]),
        body={"score": 4, "comment": "Nhanh"},
    )
    again = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/rating",
        headers=auth(dossier["access_token"]),
        body={"score": 1},
    )
    assert first.status == 201 and again.status == 409


def test_the_sweeper_flags_overdue_dossiers_and_an_apology_sets_a_new_date(api, cloud, submission_api):
    dossier = submitted(cloud, submission_api)
    code = dossier["code"]
    accepted = act(api, code, "accept", detail(api, code)["version"]).json()
    act(api, code, "start", accepted["version"])
    from infra.sources import LambdaContext
    from services.tracking.handlers import sweeper

    clock.travel(timedelta(days=10))  # well past three working days
    try:
        flagged = sweeper.handler({}, LambdaContext("deadlineSweeper"))
        assert flagged["overdue"] >= 1
        overdue = detail(api, code)
        assert overdue["overdue"]
        listed = call(
            api.handler, "GET", "/api/tracking/dossiers?overdue=true&limit=100", headers=official()
        ).json()
        assert code in [i["code"] for i in listed["items"]]
        new_date = (clock.now() + timedelta(days=5)).isoformat()
        apologized = act(
            api, code, "apologize", overdue["version"], note="Xin lỗi vì chậm trễ", new_due_at=new_date
        )
        assert apologized.status == 200, apologized.text
        assert not apologized.json()["overdue"] and apologized.json()["apologies"]
    finally:
        clock.reset_travel()


def test_statistics_equal_a_recomputation_from_the_dossiers(api, cloud, submission_api):
    # given dossiers in several states, all events delivered
    for _ in range(2):
        submitted(cloud, submission_api)
    cloud.pump()
    dossiers = [
        ddb.deserialize(i)
        for i in _scan()
        if i["PK"]["S"].startswith("DOSSIER#") and i["SK"]["S"] == "META" and "code" in i
    ]
    expected = {k: v for k, v in counting.recompute(dossiers).items() if k[0] == A}
    # when a leader reads the statistics
    months = sorted({k[2] for k in expected})
    answer = call(
        api.handler,
        "GET",
        f"/api/tracking/stats?from={months[0]}&to={months[-1]}",
        headers=official(A, "leader"),
    )
    assert answer.status == 200
    rows = {
        (r["agency"], r["procedure_code"], r["month"]): {f: r[f] for f in counting.FIELDS}
        for r in answer.json()["rows"]
        if r["agency"] == A
    }
    # then the counters equal what the dossiers say
    assert rows == expected
    assert (
        call(
            api.handler,
            "GET",
            f"/api/tracking/stats?from={months[0]}&to={months[-1]}",
            headers=official(A, "receiver"),
        ).status
        == 403
    )


def _scan() -> list[dict]:
    items, kwargs = [], {"TableName": os.environ["TABLE_NAME"]}
    while True:
        page = aws.dynamodb().scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _events(dossier_id: str, kind: str) -> list[dict]:
    return [
        e
        for e in (json.loads(i["event"]["S"]) for i in _scan() if i["PK"]["S"].startswith("OUTBOX#"))
        if e["dossier_id"] == dossier_id and e["type"] == kind
    ]


def _counters() -> list[dict]:
    return sorted(
        (ddb.deserialize(i) for i in _scan() if i["PK"]["S"].startswith("STATS#")),
        key=lambda i: (i["PK"], i["SK"]),
    )


def test_a_busy_agencys_sharded_inbox_pages_through_every_dossier_once_most_urgent_first(
    api, cloud, submission_api
):
    # given dossiers forwarded to an agency whose inbox is spread over four partitions
    codes = []
    for _ in range(5):
        dossier = submitted(cloud, submission_api)
        accepted = act(api, dossier["code"], "accept", detail(api, dossier["code"])["version"]).json()
        started = act(api, dossier["code"], "start", accepted["version"]).json()
        act(api, dossier["code"], "forward", started["version"], to_agency=C, note="Chuyển Sở Tư pháp")
        codes.append(dossier["code"])
    # when its official pages through the inbox two at a time
    seen, cursor = [], None
    while True:
        query = "/api/tracking/dossiers?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = call(api.handler, "GET", query, headers=official(C)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # then every dossier appears once, in due-date order
    mine = [i for i in seen if i["code"] in codes]
    assert sorted(i["code"] for i in mine) == sorted(codes)
    assert len(seen) == len({i["code"] for i in seen})
    dues = [i["due_at"] for i in seen]
    assert dues == sorted(dues)
    bad = call(
        api.handler, "GET", "/api/tracking/dossiers?cursor=eyJzaGFyZHMiOltudWxsXX0", headers=official(C)
    )
    assert bad.status == 400


# -- evidence integrity: a result is frozen when it leaves the agency ---------------------------------


def _online_dossier(cloud, submission_api) -> dict:
    """A level-4 dossier whose result goes online, paid (payment's business: only the state matters)."""
    from tests.integration.flows import LEVEL4

    draft = complete_draft(
        submission_api,
        LEVEL4,
        form_data={"noi_dung_de_nghi": "Cấp phép karaoke"},
        delivery={"method": "online"},
    )
    answer = call(
        submission_api[0].handler,
        "POST",
        f"/api/submission/dossiers/{draft['id']}/submit",
        headers=auth(draft["access_token"]),
    )
    cloud.pump()
    aws.dynamodb().update_item(
        TableName=os.environ["TABLE_NAME"],
        Key=ddb.key(keys.dossier(draft["id"])),
        UpdateExpression="SET payment_status = :paid",
        ExpressionAttributeValues=ddb.values(paid="PAID"),
    )
    return {**draft, "code": answer.json()["code"]}


def _result_grant(api, code: str, agency: str, content: bytes) -> dict:
    grant = call(
        api.handler,
        "POST",
        f"/api/tracking/dossiers/{code}/result-files",
        headers=official(agency),
        body={"file_name": "Giay-phep.pdf", "content_type": "application/pdf", "size": len(content)},
    )
    assert grant.status == 201, grant.text
    assert grant.json()["expires_in"] <= 300
    _post_result(grant.json(), content)
    return grant.json()


def _post_result(grant: dict, content: bytes) -> None:
    """Posting a result grant (moto enforces no POST policy: storing under its key is the same)."""
    aws.s3().put_object(
        Bucket=os.environ["RESULTS_BUCKET"], Key=grant["upload"]["fields"]["key"], Body=content
    )


def _citizen_download(dossier: dict) -> tuple[bytes, str]:
    """What the citizen's browser gets: the result link, followed (moto answers it in this process)."""
    import requests

    from services.payment.handlers import http as payment

    link = call(
        payment.handler,
        "GET",
        f"/api/payment/dossiers/{dossier['id']}/result",
        headers=auth(dossier["access_token"]),
    )
    assert link.status == 302, link.text
    fetched = requests.get(link.headers["location"], timeout=10)
    assert fetched.status_code == 200
    return fetched.content, link.headers["location"]


def test_a_result_grant_reposted_after_return_does_not_change_what_the_citizen_downloads(
    api, cloud, submission_api
):
    # given a dossier whose result was uploaded, returned online and delivered
    dossier = _online_dossier(cloud, submission_api)
    code = dossier["code"]
    version = detail(api, code, B)["version"]
    for action, extra in (("accept", {}), ("start", {}), ("complete", {"outcome": "approved"})):
        version = act(api, code, action, version, agency=B, **extra).json()["version"]
    original = pdf_bytes("giay phep ban goc")
    grant = _result_grant(api, code, B, original)
    returned = act(api, code, "return_result", version, agency=B, result=grant["file_id"])
    assert returned.status == 200, returned.text
    cloud.pump()
    # when the agency's grant is posted again with another document
    _post_result(grant, pdf_bytes("giay phep da bi thay"))
    # then the citizen still downloads the result as it was returned, through a link to its version
    downloaded, url = _citizen_download(dossier)
    assert downloaded == original and "versionId=" in url
    # and the officials' link names the same version
    result = detail(api, code, B)["results"][0]
    assert "versionId=" in result["url"] and result["sha256"] == returned.json()["results"][0]["sha256"]


def test_a_result_grant_reposted_after_forwarding_does_not_change_the_returned_result(
    api, cloud, submission_api
):
    # given a dossier whose first agency uploaded a result and then forwarded it
    dossier = _online_dossier(cloud, submission_api)
    code = dossier["code"]
    version = detail(api, code, B)["version"]
    for action, extra in (("accept", {}), ("start", {})):
        version = act(api, code, action, version, agency=B, **extra).json()["version"]
    original = pdf_bytes("du thao cua thanh pho")
    grant = _result_grant(api, code, B, original)
    forwarded = act(api, code, "forward", version, agency=B, to_agency=C, note="Chuyển Sở Tư pháp")
    assert forwarded.status == 200, forwarded.text
    # when the first agency posts its grant again
    _post_result(grant, pdf_bytes("thay sau khi chuyen"))
    # and the next agency decides and returns that result
    version = act(api, code, "complete", forwarded.json()["version"], agency=C, outcome="approved").json()[
        "version"
    ]
    returned = act(api, code, "return_result", version, agency=C, result=grant["file_id"])
    assert returned.status == 200, returned.text
    cloud.pump()
    # then the citizen gets what was uploaded before the dossier left the first agency
    downloaded, _ = _citizen_download(dossier)
    assert downloaded == original
