"""Time in Asia/Ho_Chi_Minh. One function to read the clock, so tests and the chaos run can move it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(VN_TZ) + _offset


def iso(moment: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second: sortable as text within one offset."""
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


def iso_ms(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).isoformat(timespec="milliseconds")


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


# The years a date the portal is given may fall in: anything else is a typo or a probe, and near the ends
# of datetime's range (year 1 or 9999) shifting to +07:00 or adding a month overflows.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def in_range(moment: datetime) -> datetime:
    """A date a person gave, checked (a pydantic validator): within the years above, in +07:00 if no
    offset was given (as `parse` reads stored times)."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"Thời gian phải trong khoảng năm {FIRST_YEAR} đến {LAST_YEAR}.")
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment


def travel(by: timedelta) -> None:
    """Move this process's clock (the local cloud's time-travel endpoint, tests)."""
    global _offset
    _offset += by


def reset_travel() -> None:
    global _offset
    _offset = timedelta(0)
