"""Submitting on the in-memory repository: one change writes the code, the history, the event and the
files kept; submitting again, or losing a race, answers the same code."""

from __future__ import annotations

import json

import pytest

from services.core import keys
from services.core.errors import Conflict, ValidationFailed
from tests.unit.submission_fakes import AGENCY, World


def test_submit_assigns_the_days_code_and_writes_everything_at_once():
    # given a draft with every document verified
    world = World()
    draft = world.complete()
    # when
    answer = world.service.submit(draft.id, draft.access_token)
    # then
    assert answer.code == f"{AGENCY}-261203-0001" and answer.status == "SUBMITTED"
    assert answer.payment.required is False and answer.receipt_url.endswith(f"/{draft.id}/receipt")
    assert answer.expected_return_at.date().isoformat() == "2026-12-08"  # three working days later
    meta = world.dossiers.meta(draft.id)
    assert meta["status"] == "SUBMITTED" and meta["version"] == 2 and meta["code"] == answer.code
    assert world.dossiers.get(keys.code_lookup(answer.code)) == {
        **keys.code_lookup(answer.code),
        "dossier_id": draft.id,
        "agency": AGENCY,
    }
    [line] = world.dossiers.record(draft.id).history
    assert (line.action, line.from_status, line.to_status, line.by) == (
        "submit",
        "DRAFT",
        "SUBMITTED",
        "citizen",
    )
    [event] = world.dossiers.outbox("DossierSubmitted")
    assert json.loads(event["event"])["data"]["code"] == answer.code


def test_a_sent_dossier_no_longer_expires_neither_its_content_nor_its_files():
    # given
    world = World()
    draft = world.complete()
    # when
    world.service.submit(draft.id, draft.access_token)
    # then
    record = world.dossiers.record(draft.id)
    assert "expires_at" not in record.meta
    assert record.content is not None and record.content.get("expires_at") is None
    assert record.applicant["full_name"] == "Nguyễn Thị Lan"
    assert [(f.submitted, f.get("expires_at")) for f in record.files] == [(True, None), (True, None)]
    assert world.service.view(draft.id, draft.access_token).expires_at is None


def test_a_missing_document_is_listed_and_nothing_is_written():
    # given a draft with its first document only
    world = World()
    draft = world.draft()
    world.upload(draft, "GT1")
    before = dict(world.dossiers.items)
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.service.submit(draft.id, draft.access_token)
    # then
    assert [e["field"] for e in refused.value.errors or []] == ["documents.GT2"]
    assert world.dossiers.items == before and world.sequence.counts == {}


def test_a_file_still_being_checked_holds_the_submit_back():
    # given
    world = World()
    draft = world.complete()
    pending = world.upload(draft, "GT1", verified=False)
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.service.submit(draft.id, draft.access_token)
    # then
    assert [e["field"] for e in refused.value.errors or []] == [f"files.{pending}"]
    assert world.dossiers.meta(draft.id)["status"] == "DRAFT"


def test_submitting_again_answers_the_same_code_without_drawing_another():
    # given
    world = World()
    draft = world.complete()
    first = world.service.submit(draft.id, draft.access_token)
    # when
    again = world.service.submit(draft.id, draft.access_token)
    # then
    assert again == first
    assert sum(world.sequence.counts.values()) == 1 and len(world.dossiers.outbox("DossierSubmitted")) == 1


def test_a_submit_that_loses_the_race_answers_the_winners_code():
    # given a second submit of the same draft that commits between this one's read and its write
    world = World()
    draft = world.complete()
    won = []
    world.dossiers.race = lambda: won.append(world.service.submit(draft.id, draft.access_token))
    # when
    lost = world.service.submit(draft.id, draft.access_token)
    # then both answer the winner's code (drawn second); the loser's number is never claimed
    assert lost.code == won[0].code == f"{AGENCY}-261203-0002"
    assert world.dossiers.meta(draft.id)["code"] == lost.code
    assert world.dossiers.get(keys.code_lookup(f"{AGENCY}-261203-0001")) is None
    assert (
        len(world.dossiers.outbox("DossierSubmitted")) == 1
        and len(world.dossiers.record(draft.id).history) == 1
    )


def test_a_draft_withdrawn_meanwhile_is_not_submitted():
    # given a draft withdrawn between this submit's read and its write
    world = World()
    draft = world.complete()
    world.dossiers.race = lambda: world.service.withdraw(
        draft.id, draft.access_token, _reason("Nộp nhầm thủ tục")
    )
    # when
    with pytest.raises(Conflict) as refused:
        world.service.submit(draft.id, draft.access_token)
    # then
    assert "thử nộp lại" in refused.value.detail
    assert (
        world.dossiers.meta(draft.id)["status"] == "WITHDRAWN"
        and world.dossiers.outbox("DossierSubmitted") == []
    )


def test_the_daily_sequence_counts_up_per_agency():
    # given
    world = World()
    first, second = world.complete(), world.complete()
    # when
    codes = [world.service.submit(d.id, d.access_token).code for d in (first, second)]
    # then
    assert [c[-4:] for c in codes] == ["0001", "0002"]


def _reason(text: str):
    from services.submission.models.api import WithdrawRequest

    return WithdrawRequest(reason=text)
