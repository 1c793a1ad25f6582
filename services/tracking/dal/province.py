"""The province's configuration as tracking reads it: the working calendar and the administrative
structure (services.core.dal keeps both)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.core.calendar import WorkingCalendar
from services.core.dal.calendar_config import calendar_days, save_calendar, working_calendar
from services.core.dal.structure import get_structure


class ProvinceConfig:
    def __init__(self, table: str):
        self.table = table

    def working_calendar(self) -> WorkingCalendar:
        """Cached for a few minutes per container (calendar_config)."""
        return working_calendar(self.table)

    def days(self) -> dict[str, list[str]]:
        return calendar_days(self.table)

    def save(self, days_off: list[date], working_days: list[date]) -> None:
        save_calendar(self.table, days_off, working_days)

    def structure(self) -> dict[str, Any]:
        """The structure as it stands now (one GetItem)."""
        return get_structure(self.table) or {}
