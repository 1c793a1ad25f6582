"""The working-day calendar: due dates count working time, not wall-clock time.

Working time is office hours (8 hours a day: 7:30-11:30 and 13:00-17:00), Monday to Friday, except
Vietnamese public holidays (the `holidays` package knows Tết and the other lunar dates, and the
government's substituted days off and make-up Saturdays) and the days off or make-up working days an
administrator adds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from services.core.clock import VN_TZ

HOURS_PER_DAY = 8
DEFAULT_SHIFTS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> tuple[frozenset[date], frozenset[date]]:
    import holidays  # imported on first use: the package is large and most requests never need it

    calendar = holidays.country_holidays("VN", years=year)
    make_up = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return frozenset(calendar.keys()), make_up


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)
    shifts: tuple[tuple[time, time], ...] = DEFAULT_SHIFTS

    @classmethod
    def with_days(cls, days_off: Iterable[date] = (), working_days: Iterable[date] = ()) -> WorkingCalendar:
        return cls(frozenset(days_off), frozenset(working_days))

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        holidays, make_up = _public_holidays(day.year)
        if day in make_up:
            return True
        return day.weekday() < 5 and day not in holidays

    def _intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [(datetime.combine(day, a, VN_TZ), datetime.combine(day, b, VN_TZ)) for a, b in self.shifts]

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when `duration` of working time has passed since `start`."""
        remaining = duration
        moment = start.astimezone(VN_TZ)
        day = moment.date()
        for _ in range(3660):  # ten years of days: a bound, never reached by a sane duration
            for begin, end in self._intervals(day):
                if moment >= end:
                    continue
                moment = max(moment, begin)
                available = end - moment
                if remaining <= available:
                    return moment + remaining
                remaining -= available
                moment = end
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), VN_TZ)
        raise ValueError("duration too long for the working calendar")

    def add_working_days(self, start: datetime, days: float) -> datetime:
        return self.add_working_time(start, timedelta(hours=HOURS_PER_DAY * days))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed from `start` to `end` (zero if end is not after start)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = start.astimezone(VN_TZ).date()
        last = end.astimezone(VN_TZ).date()
        while day <= last:
            for begin, finish in self._intervals(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day
