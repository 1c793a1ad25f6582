"""The leaders' statistics on fake counters: a leader sees their agency and those below it, by month."""

from __future__ import annotations

import pytest

from services.core.auth import Role
from services.core.errors import BadRequest, Forbidden
from services.core.events import Event, EventType
from tests.unit.tracking_fakes import CODE, A, B, World, dossier_items, official


def counted(world: World) -> str:
    """A dossier submitted to the ward and counted; the month it was received in."""
    world.given(*dossier_items())
    meta = world.dossiers.meta()
    world.tracking.events.on_submitted(
        Event(
            type=EventType.DOSSIER_SUBMITTED,
            dossier_id="d1",
            data={"code": CODE, "received_at": meta["received_at"], "agency": A, "procedure_code": "P"},
        )
    )
    return str(meta["received_at"][:7])


def test_the_city_leader_sees_the_wards_dossiers_in_the_month_they_were_received():
    # given a dossier received by a ward of the city
    world = World()
    month = counted(world)
    # when the city's leader reads that month's statistics
    rows = world.tracking.reports.stats(official(B, Role.LEADER), month, month)["rows"]
    # then the ward's row is there, named, with the dossier received online and in progress
    assert [
        (r["agency"], r["agency_name"], r["received"], r["received_online"], r["in_progress"]) for r in rows
    ] == [(A, "UBND Phường 6", 1, 1, 1)]


def test_statistics_are_for_leaders_and_a_reasonable_span_of_months():
    # given the ward's officials
    world = World()
    # when a receiver asks, or a leader asks for four years at once
    # then the first is refused, the second a bad request
    with pytest.raises(Forbidden):
        world.tracking.reports.stats(official(A, Role.RECEIVER), "2026-01", "2026-02")
    with pytest.raises(BadRequest):
        world.tracking.reports.stats(official(A, Role.LEADER), "2023-01", "2026-12")
