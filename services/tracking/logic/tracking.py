"""The tracking use cases side by side, for the handlers: each lives in its own module, and
services.tracking.wiring puts them together."""

from __future__ import annotations

from dataclasses import dataclass

from services.core.events import Event
from services.tracking.logic.actions import Actions
from services.tracking.logic.agencies import Agencies
from services.tracking.logic.deadlines import Deadlines
from services.tracking.logic.events import Events
from services.tracking.logic.feedback import MAX_ANSWER_VERSIONS, Feedback
from services.tracking.logic.province_calendar import ProvinceCalendar
from services.tracking.logic.public import Public
from services.tracking.logic.queries import Queries
from services.tracking.logic.reports import Reports, _months
from services.tracking.settings import TrackingSettings

# names that lived here before the split, for their callers
__all__ = ["MAX_ANSWER_VERSIONS", "Tracking", "_months"]


@dataclass(frozen=True)
class Tracking:
    queries: Queries  # the inbox and a dossier's detail
    actions: Actions  # officials' actions and result uploads
    events: Events  # submission's and payment's events
    deadlines: Deadlines  # the sweep
    public: Public  # public lookup and rating
    feedback: Feedback  # petitions and their answers
    reports: Reports  # statistics
    calendar: ProvinceCalendar  # the working calendar's days
    agencies: Agencies  # the administrative structure
    settings: TrackingSettings

    def on_dossier_event(self, event: Event) -> None:
        """The dossier-events queue's entry point."""
        self.events.on_dossier_event(event)
