"""Drafts on the in-memory repository: what a new draft writes, and editing one."""

from __future__ import annotations

import pytest

from services.core import keys
from services.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.submission.models.api import UpdateDraft
from tests.factories import applicant
from tests.unit.submission_fakes import World


def edit(full_name: str = "Trần Văn Sửa") -> UpdateDraft:
    return UpdateDraft.model_validate(
        {"applicant": applicant(full_name=full_name), "form_data": {}, "delivery": {"method": "in_person"}}
    )


def test_a_new_draft_keeps_a_small_meta_and_what_was_declared_in_its_content():
    # given
    world = World()
    # when
    draft = world.draft()
    # then META carries the inbox's columns but none of what the citizen declared
    meta = world.dossiers.meta(draft.id)
    assert meta["status"] == "DRAFT" and meta["version"] == 1 and meta["file_count"] == 0
    assert meta["applicant_name"] == "Nguyễn Thị Lan" and meta["delivery_method"] == "in_person"
    assert not {"applicant", "form_data", "delivery", "documents"} & set(meta)
    assert draft.access_token not in str(meta) and "token_hash" in meta
    # and CONTENT holds it, expiring with the draft
    content = world.dossiers.get(keys.dossier_part(draft.id, keys.CONTENT))
    assert content is not None
    assert content["applicant"]["id_number"] == "094190001234"
    assert content["delivery"] == {"method": "in_person"}
    assert [d["component_id"] for d in content["documents"]] == ["GT1", "GT2"]
    assert content["expires_at"] == meta["expires_at"] == int(draft.expires_at.timestamp())


def test_the_citizens_view_reads_the_declared_fields_from_the_content():
    # given
    world = World()
    draft = world.draft()
    # when
    seen = world.service.view(draft.id, draft.access_token)
    # then
    assert seen.applicant["full_name"] == "Nguyễn Thị Lan" and seen.delivery == {"method": "in_person"}
    assert [d.component_id for d in seen.documents] == ["GT1", "GT2"]
    assert seen.expires_at == draft.expires_at and seen.files == [] and seen.history == []


def test_a_delivery_method_the_procedure_does_not_offer_is_refused_and_nothing_is_written():
    # given
    world = World()
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.draft(delivery={"method": "online"})
    # then
    assert refused.value.errors and refused.value.errors[0]["field"] == "delivery.method"
    assert world.dossiers.items == {}


def test_editing_a_draft_rewrites_its_content_and_bumps_the_version():
    # given
    world = World()
    draft = world.draft()
    # when
    seen = world.service.update_draft(draft.id, draft.access_token, edit())
    # then
    meta = world.dossiers.meta(draft.id)
    assert meta["version"] == 2 and meta["applicant_name"] == "Trần Văn Sửa"
    record = world.dossiers.record(draft.id)
    assert record.applicant["full_name"] == "Trần Văn Sửa"
    assert record.content is not None and record.content.get("expires_at") == meta["expires_at"]
    assert seen.version == 2 and seen.applicant["full_name"] == "Trần Văn Sửa"
    assert seen == world.service.view(draft.id, draft.access_token)


def test_an_edit_decided_on_a_stale_version_is_a_409_and_writes_nothing():
    # given a draft edited elsewhere between this edit's read and its write
    world = World()
    draft = world.draft()
    world.dossiers.race = lambda: world.service.update_draft(
        draft.id, draft.access_token, edit("Lê Thị Khác")
    )
    # when
    with pytest.raises(Conflict) as refused:
        world.service.update_draft(draft.id, draft.access_token, edit())
    # then the other edit stands
    assert refused.value.status == 409 and "tải lại trang" in refused.value.detail
    assert world.dossiers.meta(draft.id)["version"] == 2
    assert world.dossiers.record(draft.id).applicant["full_name"] == "Lê Thị Khác"


def test_a_submitted_dossier_cannot_be_edited():
    # given
    world = World()
    draft = world.submitted()
    # when
    with pytest.raises(Conflict):
        world.service.update_draft(draft.id, draft.access_token, edit())
    # then
    assert world.dossiers.record(draft.id).applicant["full_name"] == "Nguyễn Thị Lan"


def test_a_draft_written_before_content_existed_is_read_and_moved_on_edit():
    # given a draft whose declared fields are on META (as drafts were written before CONTENT)
    world = World()
    draft = world.draft()
    content = world.dossiers.items.pop((f"DOSSIER#{draft.id}", keys.CONTENT))
    world.dossiers.put(
        {**world.dossiers.meta(draft.id), **{k: content[k] for k in ("applicant", "documents")}}
    )
    assert world.service.view(draft.id, draft.access_token).applicant["full_name"] == "Nguyễn Thị Lan"
    # when
    world.service.update_draft(draft.id, draft.access_token, edit())
    # then META lost them and CONTENT has them, the documents asked for included
    assert "applicant" not in world.dossiers.meta(draft.id)
    record = world.dossiers.record(draft.id)
    assert record.applicant["full_name"] == "Trần Văn Sửa" and len(record.documents) == 2


def test_a_wrong_token_or_an_unknown_dossier_opens_nothing():
    # given
    world = World()
    draft, other = world.draft(), world.draft()
    # when / then
    with pytest.raises(NotFound):
        world.service.view("nothing-here", draft.access_token)
    with pytest.raises(Forbidden):
        world.service.view(draft.id, other.access_token)
