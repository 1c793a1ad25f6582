"""One view of a dossier, from which the citizen's (submission) and the official's (tracking) are built.

Both services show the same record: the fields every reader sees come from `dossier_view`, the lines
of its files and history from `file_line` and `history_line`. Each service adds what only its reader
gets (the citizen: payment, receipt dates, documents asked for; the official: links, allowed actions).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from services.core.dossier import DossierFile, DossierRecord, HistoryEntry, HistoryFields
from services.core.dossiers import PaymentStatus, label


class HistoryLine(HistoryFields[datetime]):
    """A line of the audit trail as the citizen reads it (the API's `history[]`)."""


class OfficialHistoryLine(HistoryLine):
    """The same line as officials read it: who acted, too."""

    by: str | None = Field(default=None, description="sub của cán bộ thực hiện, hoặc citizen, system")
    actor: str | None = Field(default=None, description="official, citizen, payment hoặc system")
    official: str | None = Field(default=None, description="tên hiển thị của cán bộ (chỉ để đọc)")
    detail: dict[str, Any] | None = None


def agency_now(meta: dict[str, Any]) -> dict[str, str]:
    """The agency that holds the dossier now (the receiving one until it is forwarded)."""
    return {
        "code": str(meta.get("current_agency") or meta["agency"]),
        "name": str(meta.get("current_agency_name") or meta["agency_name"]),
    }


def dossier_view(record: DossierRecord, overdue: bool | None = None) -> dict[str, Any]:
    """The fields both readers see, as the API names them; `overdue` when the reader is told it."""
    meta = record.meta
    view: dict[str, Any] = {
        "id": record.id,
        "code": meta.get("code"),
        "status": record.status,
        "status_label": label(record.status),
        "payment_status": meta.get("payment_status", PaymentStatus.NOT_REQUIRED.value),
        "procedure_code": meta["procedure_code"],
        "procedure_name": meta["procedure_name"],
        "level": meta["level"],
        "agency": agency_now(meta),
        "applicant": record.applicant,
        "form_data": record.form_data,
        "delivery": record.delivery_choice,
        "received_at": meta.get("received_at"),
        "due_at": meta.get("due_at"),
        "outcome": meta.get("outcome"),
        "version": record.version,
    }
    if overdue is not None:
        view["overdue"] = overdue
    return view


def file_line(f: DossierFile) -> dict[str, Any]:
    """A citizen's document as both readers list it."""
    return {
        "file_id": f.file_id,
        "component_id": f.component_id,
        "file_name": f.file_name,
        "content_type": f.content_type,
        "size": int(f.size or f.declared_size or 0),
        "status": f.status,
        "reason": f.reason or None,
        "supplement": bool(f.supplement),
    }


def history_line(h: HistoryEntry, official: bool = False) -> dict[str, Any]:
    """A line of the audit trail. The citizen sees what happened; an official also sees who acted:
    `by` (an official's `sub`, `citizen` or `system`) and `official`, the name shown (the token's,
    which its holder may edit), and the step's detail."""
    line = h.model_dump(include=set(HistoryLine.model_fields))
    if not official:
        return line
    actor = h.actor
    return {
        **line,
        "detail": h.detail,
        "by": h.by or (actor if actor in ("citizen", "system") else None),
        "actor": actor,
        "official": h.official,
    }


def expires(epoch: int | None) -> datetime | None:
    """A draft's expiry (an epoch second, as the table's TTL keeps it) as a local time."""
    return datetime.fromtimestamp(epoch).astimezone() if epoch else None
