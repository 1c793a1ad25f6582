"""Writing a workflow step: the dossier's changes, where it now sits in the indexes, its history entry
and its events, as one `DossierChange` decided on the version and status read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.core.clock import iso, iso_ms
from services.core.dossier import DossierChange, HistoryEntry, PartConflict, PartWrite, StaleDossier
from services.core.dossiers import label
from services.core.errors import Conflict, VersionConflict
from services.core.events import Event, EventType
from services.core.repository import DossierRepository
from services.tracking.logic import inbox as placement
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.steps import Step

STALE = "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại rồi thao tác lại."
# the only part a step checks is the result it returns
RESULT_GONE = "Văn bản kết quả không còn; vui lòng tải lên lại."


@dataclass(frozen=True)
class Actor:
    """Who acted: `by` is an official's `sub` (the identity provider's, not the token's `name`, which
    the official may edit), or `citizen` or `system`; `name` is only shown."""

    by: str
    agency: str
    name: str | None = None


@dataclass
class StepWriter:
    dossiers: DossierRepository
    agencies: Agencies

    def write(
        self,
        meta: dict[str, Any],
        step: Step,
        actor: Actor,
        moment: datetime,
        parts: Sequence[PartWrite] = (),
    ) -> tuple[dict[str, Any], HistoryEntry]:
        """The META item as it now stands and the history entry written, or VersionConflict when the
        dossier changed since it was read (Conflict when the result it returns is gone)."""
        after = {**meta, **step.changes}
        for name in step.removes:
            after.pop(name, None)
        index, unindex = placement.index_keys(
            after, self.agencies.shards(after.get("current_agency") or after["agency"])
        )
        version = int(meta["version"]) + 1
        entry = history_entry(meta, step, actor, moment)
        change = DossierChange(
            dossier_id=meta["id"],
            set={**step.changes, **index, "version": version, "updated_at": iso(moment)},
            remove=sorted(set(step.removes) | (set(unindex) - set(index))),
            expected_version=meta["version"],
            expected_status=meta["status"],
            history=[entry],
            events=step_events(meta, after, step, moment, version),
            parts=parts,
        )
        try:
            self.dossiers.commit(change)
        except StaleDossier as err:
            raise VersionConflict(STALE) from err
        except PartConflict as err:
            raise Conflict(RESULT_GONE) from err
        after.update({"version": version, "updated_at": iso(moment), **index})
        return after, entry


def history_entry(meta: dict[str, Any], step: Step, actor: Actor, moment: datetime) -> HistoryEntry:
    return HistoryEntry(
        at=iso_ms(moment),
        action=step.action,
        from_status=meta["status"],
        to_status=step.to_status.value,
        note=step.note,
        agency=actor.agency,
        by=actor.by,
        actor=step.detail.get("actor") or "system",
        official=actor.name or None,  # the display name, for the console; `by` is who acted
        detail={k: v for k, v in step.detail.items() if k not in ("stats", "actor")} or None,
    )


def step_events(
    meta: dict[str, Any], after: dict[str, Any], step: Step, moment: datetime, version: int
) -> list[Event]:
    """The status change every step announces (the counters move by its `stats`), then the step's own."""
    changed = Event(
        type=EventType.DOSSIER_STATUS_CHANGED,
        dossier_id=meta["id"],
        occurred_at=moment,
        data={
            "code": meta["code"],
            "action": step.action,
            "from_status": meta["status"],
            "to_status": step.to_status.value,
            "agency": after.get("current_agency") or meta["agency"],
            "receiving_agency": meta["agency"],
            "procedure_code": meta["procedure_code"],
            "procedure_name": meta["procedure_name"],
            "status_label": label(step.to_status.value),
            "due_at": after.get("due_at"),
            "version": version,
            "stats": step.detail.get("stats", []),
        },
    )
    own = [
        Event(type=kind, dossier_id=meta["id"], occurred_at=moment, data=data) for kind, data in step.events
    ]
    return [changed, *own]
