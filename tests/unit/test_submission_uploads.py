"""Uploads on the in-memory repository: the grant, the cap on files, and what may be deleted when."""

from __future__ import annotations

import pytest

from services.core import keys
from services.core.dossier import DossierChange
from services.core.errors import Conflict, ValidationFailed
from services.submission.models.api import FileRequest
from tests.unit.submission_fakes import World


def pdf(component: str = "GT1") -> FileRequest:
    return FileRequest(
        component_id=component, file_name="../hồ sơ/tờ khai.pdf", content_type="application/pdf", size=2048
    )


def files(world: World, dossier_id: str) -> list[str]:
    return [f.file_id for f in world.dossiers.record(dossier_id).files]


def test_a_grant_adds_a_pending_file_and_counts_it():
    # given
    world = World()
    draft = world.draft()
    # when
    grant = world.service.request_upload(draft.id, draft.access_token, pdf())
    # then
    assert grant.upload.fields["key"] == f"dossiers/{draft.id}/{grant.file_id}.pdf"
    stored = world.dossiers.get(keys.dossier_file(draft.id, grant.file_id))
    assert stored is not None and stored["status"] == "PENDING" and stored["file_name"] == "tờ khai.pdf"
    assert (
        stored["expires_at"] == world.dossiers.meta(draft.id)["expires_at"] and stored["supplement"] is False
    )
    assert world.dossiers.meta(draft.id)["file_count"] == 1


def test_a_component_the_procedure_does_not_ask_for_is_refused():
    # given
    world = World()
    draft = world.draft()
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.service.request_upload(draft.id, draft.access_token, pdf("GT9"))
    # then
    assert [e["field"] for e in refused.value.errors or []] == ["component_id"]
    assert files(world, draft.id) == []


def test_the_file_cap_refuses_one_more_and_writes_nothing():
    # given a dossier with as many files as allowed
    world = World(max_files=2)
    draft = world.draft()
    for _ in range(2):
        world.service.request_upload(draft.id, draft.access_token, pdf())
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.service.request_upload(draft.id, draft.access_token, pdf())
    # then
    assert refused.value.errors and refused.value.errors[0]["field"] == "file"
    assert "tối đa 2 tệp" in refused.value.errors[0]["message"]
    assert world.dossiers.meta(draft.id)["file_count"] == 2 and len(files(world, draft.id)) == 2


def test_deleting_a_file_frees_its_place_under_the_cap():
    # given a full dossier
    world = World(max_files=1)
    draft = world.draft()
    first = world.upload(draft)
    # when
    world.service.delete_file(draft.id, draft.access_token, first)
    # then
    assert files(world, draft.id) == [] and world.dossiers.meta(draft.id)["file_count"] == 0
    assert world.bucket.purged == [f"dossiers/{draft.id}/{first}.pdf"]
    world.service.request_upload(draft.id, draft.access_token, pdf())
    assert world.dossiers.meta(draft.id)["file_count"] == 1


def test_a_grant_asked_while_the_draft_is_submitted_says_it_was_sent():
    # given a draft submitted between this request's read and its write
    world = World()
    draft = world.complete()
    world.dossiers.race = lambda: world.service.submit(draft.id, draft.access_token)
    # when
    with pytest.raises(Conflict) as refused:
        world.service.request_upload(draft.id, draft.access_token, pdf())
    # then
    assert "vừa được nộp" in refused.value.detail
    assert world.dossiers.meta(draft.id)["file_count"] == 2


def test_in_a_supplement_round_only_the_files_added_for_it_can_be_deleted():
    # given a sent dossier whose agency asked for more, and one file added since
    world = World()
    draft = world.submitted()
    sent = files(world, draft.id)
    world.ask_supplement(draft)
    added = world.upload(draft, "GT2")
    assert world.dossiers.get(keys.dossier_file(draft.id, added))["supplement"] is True
    # when the citizen deletes a file sent before the request
    with pytest.raises(Conflict) as refused:
        world.service.delete_file(draft.id, draft.access_token, sent[0])
    # then it stays; the file added for the round can go
    assert "trước khi có yêu cầu bổ sung" in refused.value.detail and sent[0] in files(world, draft.id)
    world.service.delete_file(draft.id, draft.access_token, added)
    assert files(world, draft.id) == sent and world.dossiers.meta(draft.id)["file_count"] == 2


def test_a_sent_dossiers_files_cannot_be_deleted():
    # given
    world = World()
    draft = world.submitted()
    file_id = files(world, draft.id)[0]
    # when
    with pytest.raises(Conflict):
        world.service.delete_file(draft.id, draft.access_token, file_id)
    # then
    assert file_id in files(world, draft.id) and world.bucket.purged == []


def test_a_file_deleted_twice_at_once_is_deleted_once():
    # given a delete that races another delete of the same file
    world = World()
    draft = world.draft()
    file_id = world.upload(draft)
    world.dossiers.race = lambda: world.service.delete_file(draft.id, draft.access_token, file_id)
    # when
    with pytest.raises(Conflict):
        world.service.delete_file(draft.id, draft.access_token, file_id)
    # then the count went down once
    assert world.dossiers.meta(draft.id)["file_count"] == 0


def test_a_file_of_a_withdrawn_draft_is_discarded_by_the_verifier():
    # given a file granted, then the draft withdrawn before its bytes arrive
    world = World()
    draft = world.draft()
    file_id = world.upload(draft, verified=False)
    meta = world.dossiers.meta(draft.id)
    world.dossiers.commit(
        DossierChange(draft.id, set={"status": "WITHDRAWN", "version": 2}, expected_version=meta["version"])
    )
    key = f"dossiers/{draft.id}/{file_id}.pdf"
    world.bucket.objects[key] = b"%PDF-1.4 late"
    # when
    outcome = world.service.verify_upload(key, "")
    # then
    assert outcome == "discarded" and key not in world.bucket.objects
    assert world.dossiers.get(keys.dossier_file(draft.id, file_id))["status"] == "PENDING"
