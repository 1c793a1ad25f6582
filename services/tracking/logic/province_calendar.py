"""The province's working calendar: every official reads its days off and make-up working days; only
the leaders of the agency overseeing the province declare them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.core.auth import Official, require_oversight
from services.core.errors import ValidationFailed
from services.tracking.logic.ports import CalendarStore, Structure


@dataclass
class ProvinceCalendar:
    store: CalendarStore
    # read afresh, not from the container's cache: who may declare the days is checked as it stands
    current_structure: Structure

    def days(self) -> dict[str, list[str]]:
        return self.store.days()

    def declare(
        self, official: Official, days_off: list[str], working_days: list[str]
    ) -> dict[str, list[str]]:
        try:
            off = [date.fromisoformat(d) for d in days_off]
            working = [date.fromisoformat(d) for d in working_days]
        except ValueError as err:
            raise ValidationFailed("Ngày phải có dạng YYYY-MM-DD.") from err
        require_oversight(self.current_structure(), official.agency)
        self.store.save(off, working)
        return self.store.days()
