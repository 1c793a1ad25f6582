"""The working-day calendar: office hours, weekends, Tết, make-up days, administrator's days."""

from datetime import date, datetime, timedelta

from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ


def at(y: int, m: int, d: int, hh: int = 8, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def test_three_working_days_from_a_monday_morning_end_on_thursday_morning():
    # given Monday 2026-11-30 at 08:00 (inside office hours)
    # when / then: 24 working hours later is Thursday at 08:00
    assert WorkingCalendar().add_working_days(at(2026, 11, 30), 3) == at(2026, 12, 3, 8, 0)


def test_vietnam_culture_day_is_a_public_holiday_from_2026():
    # Tuesday 24 November is a day off: Monday 08:00 plus three working days is Friday, not Thursday
    assert WorkingCalendar().add_working_days(at(2026, 11, 23), 3) == at(2026, 11, 27, 8, 0)


def test_weekends_are_skipped():
    # Friday 2026-11-27 15:00 plus one working day: Monday 15:00
    assert WorkingCalendar().add_working_days(at(2026, 11, 27, 15), 1) == at(2026, 11, 30, 15)


def test_acceptance_after_office_hours_starts_the_clock_next_morning():
    # accepted Wednesday 20:00; half a day (4 hours) ends Thursday 11:30
    assert WorkingCalendar().add_working_days(at(2026, 11, 25, 20), 0.5) == at(2026, 11, 26, 11, 30)


def test_lunch_break_is_not_working_time():
    # 11:00 plus one working hour is 13:30
    assert WorkingCalendar().add_working_time(at(2026, 11, 26, 11), timedelta(hours=1)) == at(
        2026, 11, 26, 13, 30
    )


def test_tet_holidays_are_skipped():
    # given Friday 2026-02-13 08:00; Tết 2026 runs Mon 16 to Fri 20 February
    # when one working day passes
    due = WorkingCalendar().add_working_days(at(2026, 2, 13), 1)
    # then it ends on Monday 23 February at 08:00
    assert due == at(2026, 2, 23, 8)


def test_a_government_make_up_saturday_is_a_working_day():
    # 2026-08-22 (a Saturday) is worked in exchange for Monday 31 August
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 31))


def test_days_added_by_an_administrator_count():
    # given the province gives Friday 2026-11-27 off and makes Saturday 2026-11-28 a working day
    calendar = WorkingCalendar.with_days(days_off=[date(2026, 11, 27)], working_days=[date(2026, 11, 28)])
    # when / then
    assert calendar.add_working_days(at(2026, 11, 26, 17), 1) == at(2026, 11, 28, 17)


def test_working_time_between_counts_only_office_hours():
    calendar = WorkingCalendar()
    # Friday 16:00 to Monday 09:00: one hour on Friday, one and a half on Monday
    assert calendar.working_time_between(at(2026, 11, 27, 16), at(2026, 11, 30, 9)) == timedelta(hours=2.5)
    assert calendar.working_time_between(at(2026, 11, 30, 9), at(2026, 11, 27, 16)) == timedelta(0)


def test_adding_and_measuring_are_inverse():
    calendar = WorkingCalendar()
    start = at(2026, 12, 29, 10, 15)
    due = calendar.add_working_days(start, 7)
    assert calendar.working_time_between(start, due) == timedelta(hours=56)
