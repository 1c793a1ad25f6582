"""Petitions as use cases, on fakes: routed to the agency that answers them, answered in versions, and a
second official answering at the same moment is told to reload."""

from __future__ import annotations

import pytest

from services.core.auth import Role
from services.core.errors import Conflict, Forbidden, ValidationFailed
from services.tracking.models.api import FeedbackAnswer, FeedbackRequest
from tests.unit.tracking_fakes import CODE, OVERSEER, A, B, World, dossier_items, official


def petition(**about: str) -> FeedbackRequest:
    return FeedbackRequest(
        title="Thời gian xử lý chậm",
        content="Hồ sơ của tôi đã quá hạn mà chưa có kết quả.",
        contact="0912345678",
        **about,
    )


def test_a_petition_about_a_dossier_goes_to_the_agency_holding_it_now():
    # given a dossier forwarded to the city
    world = World()
    world.given(*dossier_items(status="IN_PROCESS", version=4, current_agency=B))
    # when a citizen sends a petition about it
    created = world.tracking.feedback.create(petition(dossier_code=CODE))
    # then the city has it waiting, the ward does not
    waiting = world.tracking.feedback.open_list(official(B), 20, None)
    assert [f["id"] for f in waiting["items"]] == [created["id"]]
    assert world.tracking.feedback.open_list(official(A), 20, None)["items"] == []


def test_a_petition_about_an_unknown_dossier_is_refused():
    # given no dossier with that code
    world = World()
    # when a petition names it
    # then it is refused on that field
    with pytest.raises(ValidationFailed) as refused:
        world.tracking.feedback.create(petition(dossier_code="000.00.31.H53-261130-9999"))
    assert refused.value.errors[0]["field"] == "dossier_code"  # type: ignore[index]


def test_a_general_petition_goes_to_the_oversight_agency_and_only_its_leaders_answer():
    # given a petition about no dossier and no procedure
    world = World()
    created = world.tracking.feedback.create(petition())
    answer = FeedbackAnswer(answer="Cảm ơn ý kiến của ông bà.", public=True)
    # when one of the overseeing agency's receivers answers, then one of its leaders
    with pytest.raises(Forbidden):
        world.tracking.feedback.answer(official(OVERSEER, Role.RECEIVER), created["id"], answer)
    answered = world.tracking.feedback.answer(official(OVERSEER, Role.LEADER), created["id"], answer)
    # then only the leader's answer is taken, and it is listed publicly
    assert answered["answer"] == "Cảm ơn ý kiến của ông bà." and len(answered["answers"]) == 1
    listed = world.tracking.feedback.public_list(20, None)["items"]
    assert [f["id"] for f in listed] == [created["id"]] and "contact" not in listed[0]


def test_an_answer_given_meanwhile_by_another_official_makes_the_second_reload():
    # given a petition answered once, and a second answer given between this official's read and write
    world = World()
    world.given(*dossier_items(current_agency=A))
    created = world.tracking.feedback.create(petition(dossier_code=CODE))
    first = FeedbackAnswer(answer="Cơ quan đang xử lý hồ sơ.", public=False)
    world.tracking.feedback.answer(official(A), created["id"], first)
    store = world.store
    read = store.feedback

    def read_then_race(feedback_id: str):  # type: ignore[no-untyped-def]
        found = read(feedback_id)
        world.store.petitions[feedback_id]["answers"].append({"answer": "của người khác"})
        return found

    store.feedback = read_then_race  # type: ignore[method-assign]
    # when this official answers again
    with pytest.raises(Conflict) as refused:
        world.tracking.feedback.answer(official(A), created["id"], FeedbackAnswer(answer="Đã có kết quả."))
    # then they are told to reload, and their answer was not written
    assert refused.value.status == 409
    assert [v["answer"] for v in store.petitions[created["id"]]["answers"]] == [
        "Cơ quan đang xử lý hồ sơ.",
        "của người khác",
    ]
