"""What anyone may learn about a dossier from its code, and the citizen's rating of a returned one."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from services.core import keys
from services.core.auth import check_access_token, hash_access_token
from services.core.clock import iso, now
from services.core.dossier import DossierChange, DossierRecord, PartConflict, PartWrite
from services.core.dossiers import Status, label
from services.core.errors import Conflict, NotFound
from services.core.lookup import is_valid_check
from services.core.repository import DossierRepository
from services.core.text import initials
from services.tracking.logic.ports import Clock
from services.tracking.models.api import RatingRequest


@dataclass
class Public:
    dossiers: DossierRepository
    check_key: str
    clock: Clock = now

    def lookup(self, code: str, check: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Anyone learns whether a dossier exists and its status; its record (procedure, agency, dates,
        the applicant's initials) needs the receipt's check code or the dossier's own token, because
        codes are sequential and a guessed one must not tell who applied for what."""
        record = self._submitted(code)
        meta = record.meta
        status = {"code": meta["code"], "status": record.status, "status_label": label(record.status)}
        if not (
            is_valid_check(meta["code"], check, self.check_key) or _holds_token(token, meta.get("token_hash"))
        ):
            return status
        return {
            **status,
            "procedure_name": meta["procedure_name"],
            "agency_name": meta.get("current_agency_name") or meta["agency_name"],
            "received_at": meta.get("received_at"),
            "due_at": meta.get("due_at"),
            "applicant_masked": initials(record.applicant_name),
        }

    def rate(self, code: str, token: str, body: RatingRequest) -> dict[str, Any]:
        """The citizen's rating of a returned dossier, once."""
        record = self._submitted(code)
        check_access_token(token, record.meta.get("token_hash"))
        if record.status != Status.RESULT_RETURNED:
            raise Conflict("Chỉ đánh giá được khi hồ sơ đã trả kết quả.")
        moment = iso(self.clock())
        rating = {
            "code": code,
            "score": body.score,
            "comment": body.comment,
            "rated_at": moment,
            "agency": record.current_agency,
        }
        part = PartWrite(sk=keys.RATING, item=rating, must_be_new=True)
        try:
            self.dossiers.commit(DossierChange(record.id, parts=[part], touch_meta=False))
        except PartConflict as err:
            raise Conflict("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.") from err
        return {"code": code, "score": body.score, "comment": body.comment, "rated_at": moment}

    def _submitted(self, code: str) -> DossierRecord:
        # META alone (one GetItem after the code's): neither answer needs the dossier's parts
        record = self.dossiers.load_by_code(code, whole=False)
        if record is None or not record.meta.get("code"):
            raise NotFound(f"Không tìm thấy hồ sơ có mã {code}.")
        return record


def _holds_token(token: str | None, stored_hash: str | None) -> bool:
    """Whether `token` is the dossier's capability token (constant time; a wrong one is no token)."""
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_access_token(token), stored_hash)
