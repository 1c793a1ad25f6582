"""Statistics as the sum of each dossier's contribution.

A dossier contributes to its receiving agency's rows: `received` (and `received_online`) in the month
it was received, `in_progress` (and `overdue` while flagged) in that month until it is processed or
ends, `processed` with `on_time` or `late` in the month it was processed. Every change moves the
counters by contribution(after) - contribution(before), carried in the event, so the counters always
equal a recomputation from the dossiers themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

FIELDS = ("received", "received_online", "processed", "on_time", "late", "in_progress", "overdue")
IN_PROGRESS = frozenset({"SUBMITTED", "ACCEPTED", "IN_PROCESS", "SUPPLEMENT_REQUESTED", "PAYMENT_REQUIRED"})

Contribution = dict[tuple[str, str, str, str], int]  # (agency, procedure, month, field) -> count


def contribution(d: dict[str, Any]) -> Contribution:
    if not d.get("received_at") or d.get("status") == "DRAFT":
        return {}
    agency, procedure = d["agency"], d["procedure_code"]
    received = d["received_at"][:7]
    out: Contribution = {(agency, procedure, received, "received"): 1}
    if d.get("channel", "online") == "online":
        out[(agency, procedure, received, "received_online")] = 1
    if d.get("status") in IN_PROGRESS:
        out[(agency, procedure, received, "in_progress")] = 1
        if d.get("overdue"):
            out[(agency, procedure, received, "overdue")] = 1
    if d.get("processed_at"):
        month = d["processed_at"][:7]
        out[(agency, procedure, month, "processed")] = 1
        out[(agency, procedure, month, "on_time" if d.get("processed_on_time", True) else "late")] = 1
    return out


def difference(before: Contribution, after: Contribution) -> list[dict[str, Any]]:
    deltas = []
    for key in sorted(set(before) | set(after)):
        change = after.get(key, 0) - before.get(key, 0)
        if change:
            agency, procedure, month, name = key
            deltas.append(
                {"agency": agency, "procedure": procedure, "month": month, "field": name, "delta": change}
            )
    return deltas


def recompute(dossiers: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, int]]:
    """Rows from the dossiers themselves (the check that counters and dossiers agree)."""
    rows: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    for d in dossiers:
        for (agency, procedure, month, name), count in contribution(d).items():
            rows[(agency, procedure, month)][name] += count
    return dict(rows)


def row(agency: str, procedure: str, month: str, counts: dict[str, int]) -> dict[str, Any]:
    values = {name: int(counts.get(name, 0)) for name in FIELDS}
    rate = round(values["on_time"] / values["processed"], 4) if values["processed"] else None
    return {"agency": agency, "procedure_code": procedure, "month": month, **values, "on_time_rate": rate}
