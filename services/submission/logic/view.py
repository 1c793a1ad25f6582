"""The citizen's view of a dossier: the one view both readers share (services.core.views), plus what
only the citizen gets: the payment due, the dates of the receipt and of the draft's expiry, the
documents asked for, the supplement round, and whether the result can be downloaded or rated."""

from __future__ import annotations

from typing import Any

from services.core.dossier import DossierRecord
from services.core.dossiers import PaymentStatus
from services.core.repository import DossierRepository
from services.core.views import dossier_view, expires, file_line, history_line
from services.submission.logic.access import authorized
from services.submission.models.api import DossierView


def supplement_info(meta: dict[str, Any]) -> dict[str, Any] | None:
    if not meta.get("supplement_round"):
        return None
    answered = meta.get("supplement_submitted_round") == meta.get("supplement_round")
    return {
        "requested_at": meta.get("supplement_requested_at"),
        "note": meta.get("supplement_note"),
        "submitted_at": meta.get("supplement_submitted_at") if answered else None,
        "citizen_note": meta.get("supplement_citizen_note"),
    }


def citizen_view(record: DossierRecord) -> DossierView:
    meta = record.meta
    amount = int(meta.get("amount_due_vnd") or 0)
    delivered = record.delivery
    return DossierView.model_validate(
        {
            **dossier_view(record),
            "payment": {
                "required": amount > 0 and meta.get("payment_status") != PaymentStatus.NOT_REQUIRED,
                "amount_vnd": amount,
            },
            "expected_return_at": meta.get("expected_return_at"),
            "expires_at": expires(meta.get("expires_at")),
            "documents": record.documents,
            "files": [{**file_line(f), "uploaded_at": f.created_at} for f in record.files],
            "history": [history_line(h) for h in record.history],
            "supplement": supplement_info(meta),
            "withdrawal_requested_at": meta.get("withdrawal_requested_at"),
            # the payment service records the delivery; an online one carries the document's key
            "result_available": bool(
                delivered is not None and delivered.method == "online" and delivered.result_key
            ),
            "rated": record.rating is not None,
        }
    )


def view(dossier_id: str, token: str, dossiers: DossierRepository) -> DossierView:
    return citizen_view(authorized(dossiers, dossier_id, token))
