"""Finding the dossier an official's call names: by its code, within the official's agency."""

from __future__ import annotations

from services.core.auth import Official, Role
from services.core.dossier import DossierRecord
from services.core.errors import NotFound
from services.core.repository import DossierRepository


def by_code(dossiers: DossierRepository, code: str, whole: bool = True) -> DossierRecord:
    record = dossiers.load_by_code(code, whole)
    if record is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.")
    return record


def scoped(dossiers: DossierRepository, official: Official, code: str, whole: bool = True) -> DossierRecord:
    """The dossier, if it is with the official's agency now (a forwarded one is the next agency's)."""
    official.require(Role.RECEIVER, Role.HANDLER, Role.LEADER)
    record = by_code(dossiers, code, whole)
    official.require_agency(record.current_agency)
    return record
