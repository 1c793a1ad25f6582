"""The citizen's requests on the in-memory repository: a supplement once per round, a draft withdrawn
at once, a sent dossier's withdrawal asked of tracking once."""

from __future__ import annotations

import json

import pytest

from services.core.dossier import DossierChange
from services.core.errors import Conflict, ValidationFailed
from services.submission.models.api import SupplementRequest, WithdrawRequest
from tests.unit.submission_fakes import World

REASON = WithdrawRequest(reason="Nộp nhầm thủ tục")


def test_a_supplement_is_sent_with_the_files_added_for_the_round():
    # given a sent dossier whose agency asked for more, and a document added for it
    world = World()
    draft = world.submitted()
    world.ask_supplement(draft)
    added = world.upload(draft, "GT2")
    # when
    answer = world.service.supplement(draft.id, draft.access_token, SupplementRequest(note="Đã bổ sung"))
    # then
    assert answer.status == "SUPPLEMENT_REQUESTED" and "Đã gửi giấy tờ bổ sung" in answer.detail
    meta = world.dossiers.meta(draft.id)
    assert meta["supplement_submitted_round"] == 1 and meta["supplement_citizen_note"] == "Đã bổ sung"
    [event] = world.dossiers.outbox("SupplementSubmitted")
    assert json.loads(event["event"])["data"]["file_ids"] == [added]
    sent = world.dossiers.record(draft.id).file(added)
    assert sent is not None and sent.submitted is True and sent.get("expires_at") is None
    assert world.service.view(draft.id, draft.access_token).supplement.submitted_at is not None


def test_a_supplement_is_sent_once_per_round():
    # given a supplement sent
    world = World()
    draft = world.submitted()
    world.ask_supplement(draft)
    world.upload(draft, "GT2")
    world.service.supplement(draft.id, draft.access_token, SupplementRequest())
    # when it is sent again
    again = world.service.supplement(draft.id, draft.access_token, SupplementRequest(note="lần hai"))
    # then
    assert "trước đó" in again.detail
    assert len(world.dossiers.outbox("SupplementSubmitted")) == 1
    assert world.dossiers.meta(draft.id)["supplement_citizen_note"] == ""


def test_a_supplement_without_a_new_verified_file_is_refused():
    # given a round with nothing added yet
    world = World()
    draft = world.submitted()
    world.ask_supplement(draft)
    # when
    with pytest.raises(ValidationFailed) as refused:
        world.service.supplement(draft.id, draft.access_token, SupplementRequest())
    # then
    assert [e["field"] for e in refused.value.errors or []] == ["files"]
    assert world.dossiers.outbox("SupplementSubmitted") == []


def test_a_supplement_nobody_asked_for_is_a_conflict():
    # given
    world = World()
    draft = world.submitted()
    # when / then
    with pytest.raises(Conflict):
        world.service.supplement(draft.id, draft.access_token, SupplementRequest())


def test_a_supplement_of_a_round_that_ended_meanwhile_writes_nothing():
    # given the agency moving on between this request's read and its write
    world = World()
    draft = world.submitted()
    world.ask_supplement(draft)
    world.upload(draft, "GT2")
    world.dossiers.race = lambda: world.dossiers.commit(
        DossierChange(draft.id, set={"status": "IN_PROCESS"}, expected_status="SUPPLEMENT_REQUESTED")
    )
    # when
    with pytest.raises(Conflict):
        world.service.supplement(draft.id, draft.access_token, SupplementRequest())
    # then
    assert world.dossiers.outbox("SupplementSubmitted") == []
    assert "supplement_submitted_round" not in world.dossiers.meta(draft.id)


def test_a_draft_is_withdrawn_at_once_with_its_history_line():
    # given
    world = World()
    draft = world.draft()
    # when
    answer = world.service.withdraw(draft.id, draft.access_token, REASON)
    # then
    assert answer.status == "WITHDRAWN"
    meta = world.dossiers.meta(draft.id)
    assert (
        meta["status"] == "WITHDRAWN" and meta["version"] == 2 and meta["withdrawal_reason"] == REASON.reason
    )
    [line] = world.dossiers.record(draft.id).history
    assert (line.action, line.to_status, line.by, line.note) == (
        "withdraw",
        "WITHDRAWN",
        "citizen",
        REASON.reason,
    )
    assert world.dossiers.outbox("WithdrawalRequested") == []


def test_a_sent_dossiers_withdrawal_is_asked_once():
    # given a withdrawal asked of a sent dossier
    world = World()
    draft = world.submitted()
    first = world.service.withdraw(draft.id, draft.access_token, REASON)
    # when it is asked again
    again = world.service.withdraw(draft.id, draft.access_token, WithdrawRequest(reason="Lần nữa"))
    # then the dossier stays with tracking, which hears of it once
    assert first.status == again.status == "SUBMITTED" and "trước đó" in again.detail
    [event] = world.dossiers.outbox("WithdrawalRequested")
    assert json.loads(event["event"])["data"]["reason"] == REASON.reason
    meta = world.dossiers.meta(draft.id)
    assert meta["withdrawal_reason"] == REASON.reason and meta["withdrawal_requested_at"]
    assert world.service.view(draft.id, draft.access_token).withdrawal_requested_at is not None


def test_a_withdrawal_asked_twice_at_once_is_recorded_once():
    # given another request for withdrawal between this one's read and its write
    world = World()
    draft = world.submitted()
    world.dossiers.race = lambda: world.service.withdraw(draft.id, draft.access_token, REASON)
    # when
    with pytest.raises(Conflict):
        world.service.withdraw(draft.id, draft.access_token, WithdrawRequest(reason="Lần nữa"))
    # then
    assert len(world.dossiers.outbox("WithdrawalRequested")) == 1


def test_a_decided_dossier_cannot_be_withdrawn():
    # given a dossier the agency has processed
    world = World()
    draft = world.submitted()
    world.dossiers.commit(DossierChange(draft.id, set={"status": "PROCESSED"}))
    # when / then
    with pytest.raises(Conflict):
        world.service.withdraw(draft.id, draft.access_token, REASON)
    assert world.dossiers.outbox("WithdrawalRequested") == []
