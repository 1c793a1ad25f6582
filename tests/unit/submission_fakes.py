"""The submission use cases on in-memory fakes: the dossier repository (services.core.repository),
the catalogue, the daily sequence, the uploads bucket and a clock that stands still until moved.

`World` wires them as wiring.py wires the real ones; its helpers take a draft through the steps a
citizen (and, for a supplement round, an official) takes, through the same use cases.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.core import keys
from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ
from services.core.dossier import DossierChange, DossierRecord
from services.core.dossiers import Status
from services.core.procedures import Component, DeliveryMethod, Named, Procedure
from services.core.repository import InMemoryDossierRepository
from services.submission.logic.ports import StoredObject
from services.submission.logic.service import Submission
from services.submission.models.api import CreateDossier, DraftCreated, FileRequest
from services.submission.settings import SubmissionSettings
from tests.factories import applicant, pdf_bytes

AGENCY = "000.00.31.H53"
GUARDIANSHIP = Procedure(
    code="1.000893.000.00.00.H53",
    name="Đăng ký giám hộ",
    level=3,
    field=Named(code="HT", name="Hộ tịch"),
    agency=Named(code=AGENCY, name="UBND phường 6"),
    tier="commune",
    processing_days=3,
    fee_vnd=0,
    components=[
        Component(id="GT1", name="Tờ khai đăng ký giám hộ"),
        Component(id="GT2", name="Văn bản cử người giám hộ"),
    ],
    delivery_methods=[DeliveryMethod.IN_PERSON],
)


class RacingRepository(InMemoryDossierRepository):
    """The in-memory repository, with a hook run once just before the next commit: what another
    request does between this one's read and its write."""

    def __init__(self) -> None:
        super().__init__()
        self.race: Callable[[], None] | None = None

    def commit(self, change: DossierChange) -> None:
        race, self.race = self.race, None
        if race is not None:
            race()
        super().commit(change)

    def meta(self, dossier_id: str) -> dict[str, Any]:
        return self.get(keys.dossier(dossier_id)) or {}

    def record(self, dossier_id: str) -> DossierRecord:
        found = self.load(dossier_id)
        assert found is not None
        return found

    def outbox(self, event_type: str) -> list[dict[str, Any]]:
        return [
            i
            for (pk, _), i in self.items.items()
            if pk.startswith("OUTBOX#") and i["event_type"] == event_type
        ]


class Catalogue:
    def __init__(self, *procedures: Procedure) -> None:
        self.procedures = {p.code: p for p in procedures}

    def procedure(self, code: str) -> Procedure | None:
        return self.procedures.get(code)


class DailySequence:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def next_sequence(self, agency: str, yymmdd: str, expires_at: int) -> int:
        self.counts[(agency, yymmdd)] += 1
        return self.counts[(agency, yymmdd)]


class Bucket:
    """The uploads bucket without versions: one object per key."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.purged: list[str] = []
        self.kept: list[str] = []

    def presigned_post(self, key: str, content_type: str, size: int, expires: int) -> dict[str, Any]:
        return {"url": "https://uploads.example/", "fields": {"key": key, "Content-Type": content_type}}

    def read_object(self, key: str, version_id: str | None = None) -> StoredObject | None:
        body = self.objects.get(key)
        if body is None:
            return None
        return StoredObject(iter([body]), hashlib.md5(body).hexdigest(), None)

    def delete_object(self, key: str, version_id: str | None = None) -> None:
        self.objects.pop(key, None)

    def purge(self, key: str) -> None:
        self.objects.pop(key, None)
        self.purged.append(key)

    def keep_only(self, key: str, version_id: str | None, etag: str) -> int | None:
        return 0

    def tag_kept(self, key: str, version_id: str | None = None) -> None:
        self.kept.append(key)


class Verdicts:
    """The verifier's conditional write, on the repository's items: a verified file stays as it is."""

    def __init__(self, repository: InMemoryDossierRepository) -> None:
        self.repository = repository

    def set_file_verdict(self, dossier_id: str, file_id: str, values: dict[str, Any]) -> bool:
        key = keys.dossier_file(dossier_id, file_id)
        found = self.repository.get(key)
        if found is None or found["status"] == "VERIFIED":
            return False
        self.repository.put({**found, **values})
        return True


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def move(self, by: timedelta) -> None:
        self.at += by


def settings(**overrides: Any) -> SubmissionSettings:
    values: dict[str, Any] = {
        "stage": "local",
        "table_name": "unit",
        "portal_url": "https://dichvucong.example",
        "uploads_bucket": "uploads",
        **overrides,
    }
    return SubmissionSettings(**values)


@dataclass
class World:
    max_files: int = 30
    dossiers: RacingRepository = field(default_factory=RacingRepository)
    catalogue: Catalogue = field(default_factory=lambda: Catalogue(GUARDIANSHIP))
    sequence: DailySequence = field(default_factory=DailySequence)
    bucket: Bucket = field(default_factory=Bucket)
    # a Thursday morning: three working days later is the next Tuesday
    clock: Clock = field(default_factory=lambda: Clock(datetime(2026, 12, 3, 9, 0, tzinfo=VN_TZ)))

    def __post_init__(self) -> None:
        self.service = Submission(
            dossiers=self.dossiers,
            procedures=self.catalogue,
            sequences=self.sequence,
            objects=self.bucket,
            verdicts=Verdicts(self.dossiers),
            settings=settings(max_files_per_dossier=self.max_files),
            calendar=WorkingCalendar.with_days,
            clock=self.clock,
        )

    # -- what a citizen does -------------------------------------------------------------------------

    def draft(self, **overrides: Any) -> DraftCreated:
        body = {
            "procedure_code": GUARDIANSHIP.code,
            "applicant": applicant(),
            "form_data": {},
            "delivery": {"method": "in_person"},
            **overrides,
        }
        return self.service.create_draft(CreateDossier.model_validate(body))

    def upload(self, draft: DraftCreated, component: str = "GT1", verified: bool = True) -> str:
        """A file asked for, stored and (unless not `verified`) judged by the verifier; its id."""
        grant = self.service.request_upload(
            draft.id,
            draft.access_token,
            FileRequest(
                component_id=component,
                file_name="to-khai.pdf",
                content_type="application/pdf",
                size=len(pdf_bytes()),
            ),
        )
        if verified:
            key = grant.upload.fields["key"]
            self.bucket.objects[key] = pdf_bytes()
            assert self.service.verify_upload(key, "") == "verified"
        return grant.file_id

    def complete(self) -> DraftCreated:
        """A draft with every document verified, ready to submit."""
        draft = self.draft()
        for component in ("GT1", "GT2"):
            self.upload(draft, component)
        return draft

    def submitted(self) -> DraftCreated:
        draft = self.complete()
        self.service.submit(draft.id, draft.access_token)
        return draft

    # -- what an official does, as tracking writes it -----------------------------------------------

    def ask_supplement(self, draft: DraftCreated, round_no: int = 1) -> None:
        meta = self.dossiers.meta(draft.id)
        self.dossiers.commit(
            DossierChange(
                draft.id,
                set={
                    "status": Status.SUPPLEMENT_REQUESTED.value,
                    "version": meta["version"] + 1,
                    "supplement_round": round_no,
                    "supplement_note": "Bổ sung bản sao giấy khai sinh",
                },
                expected_version=meta["version"],
            )
        )
