"""The province's working calendar as a use case: every official reads it, only the leaders of the agency
overseeing the province declare its days, and the workflow counts working days with them."""

from __future__ import annotations

import pytest

from services.core.auth import Role
from services.core.errors import Forbidden, ValidationFailed
from services.tracking.models.api import ActionRequest
from tests.unit.tracking_fakes import CODE, OVERSEER, A, World, dossier_items, official


def test_the_overseeing_agencys_leader_declares_a_day_off_and_acceptances_count_around_it():
    # given the province's calendar without extra days
    world = World()
    world.given(*dossier_items())
    # when the overseeing agency's leader declares Wednesday a day off
    days = world.tracking.calendar.declare(official(OVERSEER, Role.LEADER), ["2026-12-02"], [])
    # then every official reads it
    assert days == {"days_off": ["2026-12-02"], "working_days": []} == world.tracking.calendar.days()
    # and a dossier accepted on Monday is due a day later than it would have been
    view = world.tracking.actions.act(official(A), CODE, ActionRequest(action="accept", expected_version=1))
    assert view["due_at"] == "2026-12-04T08:00:00+07:00"


def test_another_agencys_leader_cannot_declare_the_provinces_days():
    # given the ward's leader
    world = World()
    # when they declare a day off
    with pytest.raises(Forbidden):
        world.tracking.calendar.declare(official(A, Role.LEADER), ["2026-12-02"], [])
    # then the calendar is unchanged
    assert world.tracking.calendar.days() == {"days_off": [], "working_days": []}


def test_a_day_not_written_as_a_date_is_refused():
    # given the overseeing agency's leader
    world = World()
    # when they declare a day that is no date
    # then it is refused before anything is written
    with pytest.raises(ValidationFailed):
        world.tracking.calendar.declare(official(OVERSEER, Role.LEADER), ["02/12/2026"], [])
    assert world.tracking.calendar.days()["days_off"] == []
