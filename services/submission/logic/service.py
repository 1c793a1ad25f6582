"""The submission service's use cases with their ports bound once per container, for the handlers.

It only composes: every rule is in the module of its use case (drafts, uploads, submit, requests,
view, receipt, verify).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.core.calendar import WorkingCalendar
from services.core.clock import now
from services.core.repository import DossierRepository
from services.submission.logic import drafts, receipt, requests, submit, uploads, verify, view
from services.submission.logic.ports import Clock, FileVerdicts, Objects, Procedures, Sequences
from services.submission.models.api import (
    Accepted,
    CreateDossier,
    DossierView,
    DraftCreated,
    FileRequest,
    FileUpload,
    Submitted,
    SupplementRequest,
    UpdateDraft,
    WithdrawRequest,
)
from services.submission.settings import SubmissionSettings


@dataclass
class Submission:
    dossiers: DossierRepository
    procedures: Procedures
    sequences: Sequences
    objects: Objects
    verdicts: FileVerdicts
    settings: SubmissionSettings
    calendar: Callable[[], WorkingCalendar]
    clock: Clock = now

    def create_draft(self, body: CreateDossier) -> DraftCreated:
        ttl = self.settings.draft_ttl_days
        return drafts.create_draft(body, self.procedures, self.dossiers, ttl, self.clock)

    def update_draft(self, dossier_id: str, token: str, body: UpdateDraft) -> DossierView:
        return drafts.update_draft(dossier_id, token, body, self.procedures, self.dossiers, self.clock)

    def request_upload(self, dossier_id: str, token: str, body: FileRequest) -> FileUpload:
        return uploads.request_upload(
            dossier_id, token, body, self.dossiers, self.objects, self.settings, self.clock
        )

    def delete_file(self, dossier_id: str, token: str, file_id: str) -> None:
        uploads.delete_file(dossier_id, token, file_id, self.dossiers, self.objects)

    def submit(self, dossier_id: str, token: str) -> Submitted:
        return submit.submit(dossier_id, token, self.dossiers, self.sequences, self.calendar, self.clock)

    def supplement(self, dossier_id: str, token: str, body: SupplementRequest) -> Accepted:
        return requests.supplement(dossier_id, token, body, self.dossiers, self.clock)

    def withdraw(self, dossier_id: str, token: str, body: WithdrawRequest) -> Accepted:
        return requests.withdraw(dossier_id, token, body, self.dossiers, self.clock)

    def view(self, dossier_id: str, token: str) -> DossierView:
        return view.view(dossier_id, token, self.dossiers)

    def receipt(self, dossier_id: str, token: str) -> str:
        seen = view.view(dossier_id, token, self.dossiers)
        return receipt.receipt(seen, self.settings.portal_url, self.settings.lookup_check_key)

    def verify_upload(self, key: str, etag: str, version_id: str | None = None) -> str:
        return verify.verify_upload(
            key,
            etag,
            version_id,
            self.dossiers,
            self.objects,
            self.verdicts,
            self.settings.max_upload_bytes,
            self.clock,
        )

    def keep_documents(self, dossier_id: str) -> int:
        return verify.keep_documents(dossier_id, self.dossiers, self.objects)
