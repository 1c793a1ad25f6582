"""The dossier repository's contract, run against DynamoDB (moto) and the in-memory fake alike: what a
use case tested on the fake is promised holds on the table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from services.core import keys
from services.core.dal import aws, ddb
from services.core.dossier import (
    Above,
    Below,
    DossierChange,
    Equals,
    HistoryEntry,
    In,
    Missing,
    NotIn,
    PartConflict,
    PartWrite,
    StaleDossier,
)
from services.core.events import Event, EventType
from services.core.repository import InMemoryDossierRepository


@pytest.fixture(params=["dynamodb", "memory"])
def repo(request, cloud, table) -> Iterator[object]:
    if request.param == "memory":
        fake = InMemoryDossierRepository()
        fake.seed = fake.put  # type: ignore[attr-defined]
        yield fake
        return
    from services.core.dal.dossiers import DynamoDossierRepository

    real = DynamoDossierRepository(table)
    real.seed = lambda item: aws.dynamodb().put_item(TableName=table, Item=ddb.serialize(item))  # type: ignore[attr-defined]
    yield real


def _dossier(repo, status="SUBMITTED", version=3) -> str:
    dossier_id = uuid.uuid4().hex
    repo.seed({**keys.dossier(dossier_id), "id": dossier_id, "status": status, "version": version})
    repo.seed(
        {**keys.dossier_file(dossier_id, "f1"), "file_id": "f1", "status": "VERIFIED", "created_at": "1"}
    )
    return dossier_id


def _entry(action="accept") -> HistoryEntry:
    return HistoryEntry(at="2026-12-04T09:00:00.000+07:00", action=action, to_status="ACCEPTED", by="sub-1")


def test_a_change_is_written_whole_with_history_parts_and_fields(repo):
    # given a submitted dossier
    dossier_id = _dossier(repo)
    # when a change moves it, appends history, marks a file and writes a part
    repo.commit(
        DossierChange(
            dossier_id,
            set={"status": "ACCEPTED", "version": 4},
            remove=["expires_at"],
            expected_version=3,
            expected_status="SUBMITTED",
            history=[_entry()],
            events=[Event(type=EventType.DOSSIER_STATUS_CHANGED, dossier_id=dossier_id)],
            parts=[
                PartWrite(sk=f"{keys.FILE_PREFIX}f1", set={"submitted": True}, must_exist=True),
                PartWrite(sk=keys.RATING, item={"score": 5}, must_be_new=True),
            ],
        )
    )
    # then everything is there
    record = repo.load(dossier_id)
    assert record.status == "ACCEPTED" and record.version == 4
    assert [h.action for h in record.history] == ["accept"]
    assert record.history[0].by == "sub-1"
    assert record.file("f1").submitted is True
    assert record.rating.score == 5


def test_a_stale_version_writes_nothing(repo):
    dossier_id = _dossier(repo)
    with pytest.raises(StaleDossier):
        repo.commit(
            DossierChange(dossier_id, set={"status": "REFUSED"}, expected_version=2, history=[_entry()])
        )
    record = repo.load(dossier_id)
    assert record.status == "SUBMITTED" and record.history == []


def test_conditions_on_fields_are_checked(repo):
    dossier_id = _dossier(repo)
    repo.commit(
        DossierChange(
            dossier_id, set={"withdrawal_requested_at": "x"}, conditions=[Missing("withdrawal_requested_at")]
        )
    )
    with pytest.raises(StaleDossier):
        repo.commit(
            DossierChange(
                dossier_id,
                set={"withdrawal_requested_at": "y"},
                conditions=[Missing("withdrawal_requested_at")],
            )
        )
    with pytest.raises(StaleDossier):
        repo.commit(
            DossierChange(dossier_id, set={"a": 1}, conditions=[NotIn("status", ("SUBMITTED", "PROCESSED"))])
        )
    with pytest.raises(StaleDossier):
        repo.commit(DossierChange(dossier_id, set={"a": 1}, conditions=[Equals("status", "DRAFT")]))
    assert repo.load(dossier_id).meta["withdrawal_requested_at"] == "x"
    assert "a" not in repo.load(dossier_id).meta


def test_an_outbox_event_id_is_written_once(repo):
    # given a change whose event was already written (a retried commit)
    dossier_id = _dossier(repo)
    event = Event(type=EventType.DOSSIER_STATUS_CHANGED, dossier_id=dossier_id)
    repo.commit(DossierChange(dossier_id, set={"n": 1}, events=[event]))
    # when the same event id is committed again, then nothing is written
    with pytest.raises(PartConflict) as refused:
        repo.commit(DossierChange(dossier_id, set={"n": 2}, events=[event]))
    assert refused.value.part == "event"
    assert repo.load(dossier_id).meta["n"] == 1


def test_a_taken_code_and_a_missing_part_are_named(repo):
    dossier_id = _dossier(repo)
    code = f"X-{dossier_id[:6]}"
    claim = PartWrite(key=keys.code_lookup(code), item={"dossier_id": dossier_id}, must_be_new=True)
    repo.commit(DossierChange(dossier_id, set={"code": code}, parts=[claim]))
    assert repo.load_by_code(code).id == dossier_id
    with pytest.raises(PartConflict) as taken:
        repo.commit(DossierChange(dossier_id, set={"code": "other"}, parts=[claim]))
    assert taken.value.part == "code"
    with pytest.raises(PartConflict) as missing:
        repo.commit(
            DossierChange(
                dossier_id, set={"z": 1}, parts=[PartWrite(sk=f"{keys.RESULT_PREFIX}nope", must_exist=True)]
            )
        )
    assert missing.value.part == f"{keys.RESULT_PREFIX}nope"
    assert repo.load(dossier_id).meta["code"] == code and "z" not in repo.load(dossier_id).meta


def test_parts_only_change_leaves_meta_alone(repo):
    dossier_id = _dossier(repo)
    repo.commit(
        DossierChange(dossier_id, touch_meta=False, parts=[PartWrite(sk=keys.SYNC, item={"sent": 2})])
    )
    record = repo.load(dossier_id)
    assert record.version == 3 and record.sync.get("sent") == 2


def test_unknown_dossiers_load_as_none(repo):
    assert repo.load(uuid.uuid4().hex) is None
    assert repo.load_by_code("000.00.00.H53-000000-0000") is None


def test_a_new_dossier_is_created_once_with_its_content(repo):
    # given a new id, when a dossier is created with its content part
    dossier_id = uuid.uuid4().hex
    meta = {"id": dossier_id, "status": "DRAFT", "version": 1, "applicant_name": "Nguyễn Văn A"}
    content = PartWrite(sk=keys.CONTENT, item={"form_data": {"ho_ten": "A"}, "applicant": {"full_name": "A"}})
    repo.commit(DossierChange(dossier_id, create=meta, parts=[content]))
    # then it loads whole, and META alone
    record = repo.load(dossier_id)
    assert record.form_data == {"ho_ten": "A"} and record.applicant_name == "Nguyễn Văn A"
    alone = repo.load(dossier_id, whole=False)
    assert alone.version == 1 and alone.content is None and alone.files == []
    # and creating it again writes nothing
    with pytest.raises(PartConflict) as again:
        repo.commit(DossierChange(dossier_id, create={**meta, "status": "X"}))
    assert again.value.part == "dossier"
    assert repo.load(dossier_id).status == "DRAFT"


def test_counts_and_sets_of_statuses_are_conditions(repo):
    # given a draft with no file count yet
    dossier_id = _dossier(repo, status="DRAFT")
    open_ = In("status", ("DRAFT", "SUPPLEMENT_REQUESTED"))
    # when files are added under a cap of two, then the third is refused
    for _ in range(2):
        repo.commit(
            DossierChange(dossier_id, add={"file_count": 1}, conditions=[open_, Below("file_count", 2)])
        )
    with pytest.raises(StaleDossier):
        repo.commit(
            DossierChange(dossier_id, add={"file_count": 1}, conditions=[open_, Below("file_count", 2)])
        )
    # and a file is removed only while the count is above zero, deleting its item
    repo.commit(
        DossierChange(
            dossier_id,
            add={"file_count": -1},
            conditions=[open_, Above("file_count", 0)],
            parts=[PartWrite(sk=f"{keys.FILE_PREFIX}f1", delete=True, must_exist=True)],
        )
    )
    record = repo.load(dossier_id)
    assert record.meta["file_count"] == 1 and record.file("f1") is None
    with pytest.raises(PartConflict):
        repo.commit(
            DossierChange(
                dossier_id,
                add={"file_count": -1},
                parts=[PartWrite(sk=f"{keys.FILE_PREFIX}f1", delete=True, must_exist=True)],
            )
        )
    with pytest.raises(StaleDossier):
        repo.commit(DossierChange(dossier_id, set={"a": 1}, conditions=[In("status", ("SUBMITTED",))]))
    assert repo.load(dossier_id).meta["file_count"] == 1


def test_a_single_write_is_refused_like_a_transaction(repo):
    # a change of META alone is one plain write on DynamoDB: its refusal reads the same
    dossier_id = _dossier(repo)
    with pytest.raises(StaleDossier):
        repo.commit(DossierChange(dossier_id, set={"a": 1}, expected_version=1))
    with pytest.raises(PartConflict) as twice:
        for _ in range(2):
            repo.commit(
                DossierChange(
                    dossier_id,
                    touch_meta=False,
                    parts=[PartWrite(sk=keys.RATING, item={"score": 4}, must_be_new=True)],
                )
            )
    assert twice.value.part == keys.RATING and repo.load(dossier_id).rating.score == 4
