"""Dates people give are bounded: far years answer 4xx, never an overflow's 500."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.core.clock import VN_TZ
from services.core.errors import BadRequest
from services.tracking.logic.tracking import _months
from services.tracking.models.api import ActionRequest


def test_statistics_months_are_listed_across_a_year_end():
    assert _months("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert len(_months("2025-01", "2027-12")) == 36


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-11", "9999-12"),
        ("0001-01", "0001-02"),
        ("1999-12", "2000-01"),
        ("2026-05", "2026-01"),
        ("2000-01", "2100-12"),
        ("2026-13", "2026-13"),
    ],
)
def test_far_reversed_or_long_month_ranges_are_bad_requests(start, end):
    with pytest.raises(BadRequest):
        _months(start, end)


def test_an_apologys_new_date_is_bounded_and_read_in_vietnam_time():
    # a far year would overflow when shifted to +07:00; a date without offset could not be compared
    with pytest.raises(ValidationError):
        ActionRequest(action="apologize", expected_version=1, new_due_at="9999-12-31T23:59:59-12:00")
    naive = ActionRequest(action="apologize", expected_version=1, new_due_at="2026-12-01T17:00:00")
    assert naive.new_due_at is not None and naive.new_due_at.utcoffset() == timedelta(hours=7)
    assert naive.new_due_at.tzinfo == VN_TZ
