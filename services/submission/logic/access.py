"""The dossier's capability token: what opens a dossier to its citizen."""

from __future__ import annotations

from services.core.auth import check_access_token
from services.core.dossier import DossierRecord
from services.core.errors import NotFound
from services.core.repository import DossierRepository


def authorized(dossiers: DossierRepository, dossier_id: str, token: str, whole: bool = True) -> DossierRecord:
    """The dossier the token opens (`whole`: with its parts, else META only); 404 if there is none."""
    record = dossiers.load(dossier_id, whole) if len(dossier_id) <= 64 else None
    if record is None or "token_hash" not in record.meta:
        raise NotFound("Không tìm thấy hồ sơ.")
    check_access_token(token, record.meta["token_hash"])
    return record
