"""The deadline sweep: dossiers due soon or overdue are flagged, found through the alarm index by day,
never by scanning."""

from __future__ import annotations

from dataclasses import dataclass

from services.core import keys
from services.core.clock import now
from services.core.errors import VersionConflict
from services.core.repository import DossierRepository
from services.tracking.logic import event_steps
from services.tracking.logic import inbox as placement
from services.tracking.logic.commits import Actor, StepWriter
from services.tracking.logic.ports import AlarmIndex, Clock


@dataclass
class Deadlines:
    dossiers: DossierRepository
    alarms: AlarmIndex
    writer: StepWriter
    clock: Clock = now

    def sweep(self, lookback_days: int = 7) -> dict[str, int]:
        """How many dossiers were flagged due soon and overdue."""
        moment = self.clock()
        flagged = {"due_soon": 0, "overdue": 0}
        for partition in self.alarms.due(placement.ALARM_KIND, moment, lookback_days):
            dossier_id = partition.removeprefix(keys.dossier_partition(""))
            record = self.dossiers.load(dossier_id, whole=False)
            step = event_steps.flag_deadline(record.meta, moment) if record else None
            if record is None or step is None:
                continue
            try:
                self.writer.write(record.meta, step, Actor("system", record.current_agency), moment)
                flagged[step.action] += 1
            except VersionConflict:
                continue  # changed meanwhile; the next sweep looks again
        return flagged
