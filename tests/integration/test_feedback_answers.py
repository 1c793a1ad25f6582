"""Issue 19, finding 5: one answer per petition, by the agency it was routed to, public only if its
latest version says so.

The probe found that re-answering with `public: false` published the new text anyway, that any
receiver could overwrite another agency's answer, and that two agencies' leaders overwrote each other on
a general petition.
"""

from __future__ import annotations

import os

import pytest

from infra.tokens import mint
from services.core import keys
from services.core.dal import aws, ddb
from services.core.dal.structure import put_structure
from tests.apigw import call
from tests.integration.test_tracking import A, B, C

PROCEDURE = "1.000893.000.00.00.H53"  # received by A (Phường 6)


@pytest.fixture(scope="module")
def api(cloud, submission_api):
    # C stands for the province's People's Committee office, B for a second overseeing agency
    put_structure(
        os.environ["TABLE_NAME"],
        {
            "agencies": [
                {"code": A, "name": "Ủy ban nhân dân Phường 6", "tier": "commune", "parent": B},
                {"code": B, "name": "Ủy ban nhân dân thành phố Sóc Trăng", "tier": "district"},
                {"code": C, "name": "Văn phòng UBND tỉnh", "tier": "province"},
            ],
            "oversight": [C, B],
        },
    )
    from services.tracking.handlers import http
    from services.tracking.wiring import _structure_cache

    _structure_cache.clear()
    yield http
    _structure_cache.clear()


def official(agency: str, *roles: str, sub: str | None = None) -> dict[str, str]:
    token = mint(agency, list(roles or ("receiver", "handler", "leader")), sub=sub)
    return {"authorization": f"Bearer {token}"}


def petition(api, **about: str) -> str:
    created = call(
        api.handler,
        "POST",
        "/api/tracking/feedback",
        body={
            "title": "Thời gian xử lý chậm",
            "content": "Hồ sơ của tôi đã quá hạn mà chưa có kết quả.",
            "contact": "0912345678",
            **about,
        },
    )
    assert created.status == 201, created.text
    return str(created.json()["id"])


def answer(api, feedback_id: str, headers: dict[str, str], text: str, public: bool = True):
    return call(
        api.handler,
        "POST",
        f"/api/tracking/feedback/{feedback_id}/answer",
        headers=headers,
        body={"answer": text, "public": public},
    )


def public_list(api) -> dict[str, dict]:
    page = call(api.handler, "GET", "/api/tracking/feedback?limit=100").json()
    return {f["id"]: f for f in page["items"]}


def stored(feedback_id: str) -> dict:
    item = aws.dynamodb().get_item(
        TableName=os.environ["TABLE_NAME"], Key=ddb.key(keys.feedback(feedback_id))
    )
    return ddb.deserialize(item["Item"]) or {}


def test_answering_again_with_public_false_takes_it_off_the_public_list(api):
    # given a petition answered publicly
    feedback_id = petition(api, procedure_code=PROCEDURE)
    assert answer(api, feedback_id, official(A), "Cơ quan đã xử lý xong hồ sơ.").status == 200
    assert public_list(api)[feedback_id]["answer"] == "Cơ quan đã xử lý xong hồ sơ."
    # when the agency answers again, not for publication
    again = answer(
        api, feedback_id, official(A), "Câu trả lời có thông tin riêng của người gửi.", public=False
    )
    # then the petition is no longer listed publicly, neither the new text nor the old one
    assert again.status == 200, again.text
    assert feedback_id not in public_list(api)
    assert "GSI1PK" not in stored(feedback_id)


def test_a_later_answer_is_a_new_version_and_every_version_is_kept(api):
    feedback_id = petition(api, procedure_code=PROCEDURE)
    first = answer(api, feedback_id, official(A, sub="receiver-1"), "Đang kiểm tra hồ sơ của ông bà.")
    second = answer(api, feedback_id, official(A, "leader", sub="leader-1"), "Hồ sơ đã có kết quả.")
    assert first.status == 200 and second.status == 200
    body = second.json()
    assert body["answer"] == "Hồ sơ đã có kết quả." and body["answered_by_agency"] == A
    assert [(v["answer"], v["by"], v["agency"], v["public"]) for v in body["answers"]] == [
        ("Đang kiểm tra hồ sơ của ông bà.", "receiver-1", A, True),
        ("Hồ sơ đã có kết quả.", "leader-1", A, True),
    ]
    assert len(stored(feedback_id)["answers"]) == 2
    # and the public sees the current answer only, without who gave it
    listed = public_list(api)[feedback_id]
    assert (
        listed["answer"] == "Hồ sơ đã có kết quả." and "answers" not in listed and "answered_by" not in listed
    )


def test_another_agencys_official_cannot_answer(api):
    # given a petition routed to A, answered by A
    feedback_id = petition(api, procedure_code=PROCEDURE)
    assert answer(api, feedback_id, official(A), "Câu trả lời của cơ quan tiếp nhận.").status == 200
    # when officials of B (even a leader of an overseeing agency) answer it
    for headers in (official(B), official(B, "leader"), official(C, "leader")):
        refused = answer(api, feedback_id, headers, "Ghi đè câu trả lời của cơ quan khác.")
        # then they are refused and the answer stays A's
        assert refused.status == 403 and refused.json()["code"] == "forbidden"
    assert stored(feedback_id)["answer"] == "Câu trả lời của cơ quan tiếp nhận."
    assert len(stored(feedback_id)["answers"]) == 1


def test_a_general_petition_goes_to_the_oversight_agency_and_only_its_leaders_answer(api):
    # given a petition about no dossier and no procedure
    feedback_id = petition(api)
    # then it waits in the oversight agency's list
    assert stored(feedback_id)["agency"] == C
    waiting = call(api.handler, "GET", "/api/tracking/feedback/open?limit=100", headers=official(C)).json()
    assert feedback_id in [f["id"] for f in waiting["items"]]
    # and neither another agency's leader nor the oversight agency's receiver may answer it
    assert answer(api, feedback_id, official(A, "leader"), "Trả lời thay tỉnh.").status == 403
    assert answer(api, feedback_id, official(C, "receiver"), "Trả lời không qua lãnh đạo.").status == 403
    # while its leader does
    assert answer(api, feedback_id, official(C, "leader"), "Ủy ban tỉnh đã chỉ đạo xử lý.").status == 200


def test_two_overseeing_agencies_leaders_no_longer_overwrite_each_other(api):
    # given a general petition stored before petitions were routed (agency GENERAL)
    feedback_id = "legacy-general-petition"
    aws.dynamodb().put_item(
        TableName=os.environ["TABLE_NAME"],
        Item=ddb.serialize(
            {
                **keys.feedback(feedback_id),
                **keys.open_feedback("GENERAL", "2026-11-01T00:00:00.000+07:00", feedback_id),
                "id": feedback_id,
                "title": "Kiến nghị chung",
                "content": "Đề nghị tỉnh rút ngắn thời gian giải quyết.",
                "contact": "0912345678",
                "agency": "GENERAL",
                "created_at": "2026-11-01T00:00:00.000+07:00",
            }
        ),
    )
    # when the first overseeing agency's leader answers, and the second's tries to
    first = answer(api, feedback_id, official(C, "leader"), "Văn phòng UBND tỉnh trả lời.")
    second = answer(api, feedback_id, official(B, "leader"), "Ủy ban thành phố trả lời đè.")
    # then the second is refused: the agency that answered gives the later versions
    assert first.status == 200 and second.status == 403
    assert stored(feedback_id)["answer"] == "Văn phòng UBND tỉnh trả lời."
    assert answer(api, feedback_id, official(A, "leader"), "Phường trả lời đè.").status == 403
    assert answer(api, feedback_id, official(C, "leader"), "Văn phòng UBND tỉnh bổ sung.").status == 200
    assert [v["agency"] for v in stored(feedback_id)["answers"]] == [C, C]


def test_versions_are_capped_with_a_409_not_a_failed_write(api):
    from services.tracking.logic.tracking import MAX_ANSWER_VERSIONS

    # given a petition answered as many times as versions are kept, each answer as long as allowed
    feedback_id = petition(api, procedure_code=PROCEDURE)
    for n in range(MAX_ANSWER_VERSIONS):
        assert answer(api, feedback_id, official(A), f"{n} " + "Trả lời dài. " * 380).status == 200
    # when the agency answers once more, then it is told so, and the versions are intact
    again = answer(api, feedback_id, official(A), "Một phiên bản nữa.")
    assert again.status == 409 and again.json()["code"] == "conflict"
    assert len(stored(feedback_id)["answers"]) == MAX_ANSWER_VERSIONS
