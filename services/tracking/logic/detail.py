"""The official's view of one dossier: the view every reader gets (services.core.views), and what only
officials get: the documents' names and links, the results, the supplement asked for, the apologies,
the receiving agency and the actions this official may take now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.core.auth import Official
from services.core.dossier import DossierFile, DossierRecord, ResultFile
from services.core.views import dossier_view, file_line, history_line
from services.tracking.logic import inbox as placement
from services.tracking.logic import workflow
from services.tracking.logic.ports import Links

LINK_SECONDS = 300
SUPPLEMENT_FIELDS = ("round", "requested_at", "note", "submitted_at", "citizen_note")


def detail_view(record: DossierRecord, official: Official, links: Links, moment: datetime) -> dict[str, Any]:
    meta = record.meta
    names = {d["component_id"]: d["name"] for d in record.documents}
    return {
        **dossier_view(record, overdue=placement.is_overdue(meta, moment)),
        "amount_due_vnd": int(meta.get("amount_due_vnd") or 0),
        "receiving_agency": {"code": meta["agency"], "name": meta["agency_name"]},
        "accepted_at": meta.get("accepted_at"),
        "paused": bool(meta.get("paused_at")),
        "supplement": _supplement(meta),
        "files": [_file_link(f, names, links) for f in record.files],
        "results": [_result_link(r, links) for r in record.results],
        "history": [history_line(h, official=True) for h in record.history],
        "apologies": meta.get("apologies", []),
        "allowed_actions": workflow.allowed_actions(meta, official),
    }


def _supplement(meta: dict[str, Any]) -> dict[str, Any] | None:
    if not meta.get("supplement_round"):
        return None
    return {k: meta.get(f"supplement_{k}") for k in SUPPLEMENT_FIELDS}


def _file_link(f: DossierFile, names: dict[str, str], links: Links) -> dict[str, Any]:
    usable = f.status == "VERIFIED"
    return {
        **file_line(f),
        "name": names.get(f.component_id or "", ""),
        "sha256": f.sha256,
        "url": links.document_link(
            str(f.key),
            f.file_name,
            f.content_type,
            LINK_SECONDS,
            f.get("version_id"),  # the version the verifier pinned
        )
        if usable
        else None,
    }


def _result_link(r: ResultFile, links: Links) -> dict[str, Any]:
    return {
        "file_id": r.file_id,
        "name": "Văn bản kết quả",
        "file_name": r.file_name,
        "content_type": r.content_type,
        "size": int(r.size),
        "status": "UPLOADED",
        "sha256": r.sha256,
        "url": links.result_link(
            r.key,
            r.file_name,
            r.content_type,
            LINK_SECONDS,
            r.get("version_id"),  # once frozen, the pinned version only
        ),
    }
