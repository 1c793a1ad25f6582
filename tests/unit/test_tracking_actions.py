"""Officials' actions as use cases, on the in-memory repository: what they write, what they refuse, and
what they leave untouched when they refuse."""

from __future__ import annotations

import hashlib

import pytest

from services.core import keys
from services.core.auth import Role
from services.core.dossier import DossierChange
from services.core.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed, VersionConflict
from services.tracking.models.api import ActionRequest
from tests.unit.tracking_fakes import CODE, A, B, World, dossier_items, official, result_item


def act(world: World, action: str, version: int, agency: str = A, **extra: object) -> dict:
    body = ActionRequest.model_validate({"action": action, "expected_version": version, **extra})
    return world.tracking.actions.act(official(agency), CODE, body)


def test_accepting_a_submitted_dossier_sets_its_due_date_and_records_who_accepted():
    # given a submitted dossier
    world = World()
    world.given(*dossier_items())
    # when the ward's receiver accepts it
    view = world.tracking.actions.act(
        official(A, Role.RECEIVER), CODE, ActionRequest(action="accept", expected_version=1)
    )
    # then it is accepted at the next version, due three working days later
    assert view["status"] == "ACCEPTED" and view["version"] == 2
    assert view["due_at"] == "2026-12-03T08:00:00+07:00"
    # and its history says who accepted it: by their sub, shown with their name
    line = view["history"][-1]
    assert (line["action"], line["by"], line["official"], line["agency"]) == (
        "accept",
        "sub-lan",
        "Trần Thị Lan",
        A,
    )
    # and the change is stored and announced
    assert world.dossiers.meta()["status"] == "ACCEPTED"
    assert [e["data"]["to_status"] for e in world.dossiers.events("DossierStatusChanged")] == ["ACCEPTED"]


def test_a_stale_expected_version_answers_409_and_writes_nothing():
    # given a dossier another official has moved on to version 4
    world = World()
    world.given(*dossier_items(version=4))
    before = world.dossiers.snapshot()
    # when an official acts on the version 3 they read
    with pytest.raises(VersionConflict) as refused:
        act(world, "accept", 3)
    # then the answer is 409 with the current version, and nothing was written
    assert refused.value.status == 409 and refused.value.extra["current_version"] == 4
    assert world.dossiers.snapshot() == before


def test_an_action_raced_by_another_officials_action_answers_409_and_writes_nothing():
    # given a submitted dossier that another official refuses between this one's read and write
    world = World()
    world.given(*dossier_items())
    world.dossiers.race = lambda: world.dossiers.commit(
        DossierChange("d1", set={"status": "REFUSED", "version": 2}, expected_version=1)
    )
    # when this official accepts it
    with pytest.raises(VersionConflict) as refused:
        act(world, "accept", 1)
    # then they are told to reload, and the dossier is as the other official left it
    assert refused.value.detail == "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại rồi thao tác lại."
    assert world.dossiers.meta()["status"] == "REFUSED"
    assert world.dossiers.record().history == [] and world.dossiers.events("DossierStatusChanged") == []


def test_an_action_not_allowed_from_the_status_answers_422_and_writes_nothing():
    # given a submitted dossier
    world = World()
    world.given(*dossier_items())
    before = world.dossiers.snapshot()
    # when a handler tries to complete it before it was accepted
    with pytest.raises(IllegalTransition) as refused:
        act(world, "complete", 1, outcome="approved")
    # then it is refused as an illegal transition (422) and nothing moved
    assert refused.value.status == 422
    assert world.dossiers.snapshot() == before


def test_forwarding_hands_the_dossier_to_the_next_agency_with_its_uploaded_results_pinned():
    # given a dossier in process at the ward, with a result document it uploaded
    world = World()
    world.given(*dossier_items(status="IN_PROCESS", version=3, current_agency=A), result_item())
    world.store.results["results/d1/r1.pdf"] = b"du thao cua phuong"
    # when its handler forwards it to the city
    view = act(world, "forward", 3, to_agency=B, note="Chuyển UBND thành phố")
    # then the city holds it, and the ward that received it is still named
    assert view["agency"] == {"code": B, "name": "UBND thành phố Sóc Trăng"}
    assert view["receiving_agency"]["code"] == A
    # and the result is pinned to the bytes the ward uploaded
    pinned = hashlib.sha256(b"du thao cua phuong").hexdigest()
    assert view["results"][0]["sha256"] == pinned
    assert world.dossiers.get(keys.result_file("d1", "r1"))["sha256"] == pinned  # type: ignore[index]
    # and the ward no longer sees it, the city does
    with pytest.raises(Forbidden):
        world.tracking.queries.detail(official(A), CODE)
    assert world.tracking.queries.detail(official(B), CODE)["status"] == "IN_PROCESS"


def test_forwarding_with_a_result_not_uploaded_yet_forwards_and_leaves_it_to_be_pinned_on_return():
    # given a dossier in process with a result upload granted but never posted
    world = World()
    world.given(*dossier_items(status="IN_PROCESS", version=3, current_agency=A), result_item())
    # when it is forwarded
    view = act(world, "forward", 3, to_agency=B, note="Chuyển UBND thành phố")
    # then it is forwarded, the result unpinned
    assert view["agency"]["code"] == B and view["version"] == 4
    assert view["results"][0]["sha256"] is None


def test_returning_an_uploaded_result_pins_it_and_tells_delivery_how_the_citizen_chose_to_receive_it():
    # given a processed dossier whose citizen chose to receive the result online (in the CONTENT part)
    world = World()
    world.given(*dossier_items(status="PROCESSED", version=5, current_agency=A, outcome="approved"))
    grant = world.tracking.actions.result_upload(official(A), CODE, "Quyết định.pdf", "application/pdf", 10)
    world.store.results[grant["upload"]["fields"]["key"]] = b"quyet dinh"
    # when the receiver returns that result
    view = act(world, "return_result", 5, result=grant["file_id"])
    # then the dossier is returned with the result pinned to the bytes uploaded
    pinned = hashlib.sha256(b"quyet dinh").hexdigest()
    assert view["status"] == "RESULT_RETURNED" and view["results"][0]["sha256"] == pinned
    # and delivery hears which version to send, and how
    returned = world.dossiers.events("ResultReturned")
    assert [(e["data"]["result_sha256"], e["data"]["delivery_method"]) for e in returned] == [
        (pinned, "online")
    ]


def test_returning_a_result_never_uploaded_answers_422_and_writes_nothing():
    # given a processed dossier without any result document
    world = World()
    world.given(*dossier_items(status="PROCESSED", version=5, current_agency=A, outcome="approved"))
    before = world.dossiers.snapshot()
    # when the receiver returns a result id nobody uploaded
    with pytest.raises(ValidationFailed) as refused:
        act(world, "return_result", 5, result="khong-co")
    # then they are asked to upload it first, and nothing moved
    assert refused.value.errors == [{"field": "result", "message": "Tải văn bản kết quả lên trước."}]
    assert world.dossiers.snapshot() == before


def test_returning_a_result_deleted_meanwhile_answers_409_and_leaves_the_dossier_processed():
    # given a processed dossier with an uploaded result, deleted between the read and the write
    world = World()
    world.given(
        *dossier_items(status="PROCESSED", version=5, current_agency=A, outcome="approved"), result_item()
    )
    world.store.results["results/d1/r1.pdf"] = b"quyet dinh"
    world.dossiers.race = lambda: world.dossiers.items.pop(("DOSSIER#d1", "RESULT#r1"))
    # when the receiver returns it
    with pytest.raises(Conflict) as refused:
        act(world, "return_result", 5, result="r1")
    # then they are told it is gone, and the dossier was not returned
    assert refused.value.detail == "Văn bản kết quả không còn; vui lòng tải lên lại."
    assert world.dossiers.meta()["status"] == "PROCESSED" and world.dossiers.events("ResultReturned") == []


def test_a_result_upload_records_the_document_and_grants_an_upload_of_exactly_it():
    # given a dossier in process
    world = World()
    world.given(*dossier_items(status="IN_PROCESS", version=3, current_agency=A))
    # when its handler asks to upload a result
    grant = world.tracking.actions.result_upload(
        official(A), CODE, "../Quyết định.pdf", "application/pdf", 10
    )
    # then the grant is short and names the key the result item records, with a safe file name
    stored = world.dossiers.record().result(grant["file_id"])
    assert stored is not None and grant["expires_in"] <= 300
    assert grant["upload"]["fields"]["key"] == stored.key == f"results/d1/{grant['file_id']}.pdf"
    assert stored.file_name == "Quyết định.pdf" and stored.get("uploaded_by") == "sub-lan"
    # and the dossier itself did not change
    assert world.dossiers.meta()["version"] == 3


def test_no_result_is_uploaded_to_a_finished_dossier():
    # given a returned dossier
    world = World()
    world.given(*dossier_items(status="RESULT_RETURNED", version=7, current_agency=A))
    # when an official asks to upload another result
    with pytest.raises(Conflict):
        world.tracking.actions.result_upload(official(A), CODE, "Them.pdf", "application/pdf", 10)
    # then no result item was added
    assert world.dossiers.record().results == []
