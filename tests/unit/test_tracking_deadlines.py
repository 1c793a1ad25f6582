"""The deadline sweep on the in-memory repository and a fake alarm index: due soon and overdue are
flagged once each, from the alarms that rang, never by looking at every dossier."""

from __future__ import annotations

from datetime import timedelta

from services.core import keys
from services.core.clock import iso
from services.core.dossier import DossierChange
from tests.unit.tracking_fakes import MONDAY, A, World, dossier_items, official


def in_process(world: World, due_in: timedelta, dossier_id: str = "d1", **meta: object) -> None:
    fields = {"status": "IN_PROCESS", "version": 3, "current_agency": A, "due_at": iso(MONDAY + due_in)}
    world.given(*dossier_items(dossier_id, code=f"CODE-{dossier_id}", **{**fields, **meta}))
    world.alarms.ringing.append(keys.dossier_partition(dossier_id))


def test_the_sweep_flags_a_dossier_past_its_due_date_overdue_and_stops_its_alarm():
    # given a dossier in process whose due date passed yesterday
    world = World()
    in_process(world, -timedelta(days=1))
    # when the sweeper runs
    flagged = world.tracking.deadlines.sweep()
    # then it was flagged overdue, by the system, and the alarm index no longer holds it
    assert flagged == {"due_soon": 0, "overdue": 1}
    meta = world.dossiers.meta()
    assert meta["overdue"] is True and "GSI3PK" not in meta
    assert [(h.action, h.by) for h in world.dossiers.record().history] == [("overdue", "system")]
    # and the official sees it overdue
    assert world.tracking.queries.detail(official(A), "CODE-d1")["overdue"] is True


def test_the_sweep_flags_a_dossier_due_within_a_working_day_due_soon():
    # given a dossier due in six hours
    world = World()
    in_process(world, timedelta(hours=6))
    # when the sweeper runs
    flagged = world.tracking.deadlines.sweep()
    # then it is flagged due soon, not overdue, and its alarm now rings at the due date
    assert flagged == {"due_soon": 1, "overdue": 0}
    meta = world.dossiers.meta()
    assert meta["due_soon"] is True and not meta.get("overdue")
    assert meta["GSI3SK"].startswith(iso(MONDAY + timedelta(hours=6)))


def test_a_second_sweep_flags_nothing_again():
    # given an overdue dossier the sweeper already flagged
    world = World()
    in_process(world, -timedelta(days=1))
    world.tracking.deadlines.sweep()
    before = world.dossiers.snapshot()
    # when its alarm is found again (a late copy in the index) and the sweeper runs
    flagged = world.tracking.deadlines.sweep()
    # then nothing was flagged or written
    assert flagged == {"due_soon": 0, "overdue": 0}
    assert world.dossiers.snapshot() == before


def test_the_sweep_passes_over_a_paused_dossier_and_an_alarm_without_a_dossier():
    # given a dossier past its due date but waiting for the citizen, and an alarm of a deleted dossier
    world = World()
    in_process(world, -timedelta(days=1), status="SUPPLEMENT_REQUESTED", paused_at=iso(MONDAY))
    world.alarms.ringing.append(keys.dossier_partition("gone"))
    # when the sweeper runs
    flagged = world.tracking.deadlines.sweep()
    # then neither is flagged
    assert flagged == {"due_soon": 0, "overdue": 0}
    assert "overdue" not in world.dossiers.meta()


def test_a_dossier_changed_during_the_sweep_is_left_for_the_next_one():
    # given two overdue dossiers, the first changed by an official while the sweep reads it
    world = World()
    in_process(world, -timedelta(days=1), "d1")
    in_process(world, -timedelta(days=1), "d2")
    world.dossiers.race = lambda: world.dossiers.commit(
        DossierChange("d1", set={"version": 4}, expected_version=3)
    )
    # when the sweeper runs
    flagged = world.tracking.deadlines.sweep()
    # then the other is still flagged, and the changed one waits for the next sweep
    assert flagged == {"due_soon": 0, "overdue": 1}
    assert "overdue" not in world.dossiers.meta("d1") and world.dossiers.meta("d2")["overdue"] is True


def test_the_sweep_reads_the_deadline_alarms_of_the_last_week_up_to_now():
    # given the sweeper's alarm index
    world = World()
    # when it runs
    world.tracking.deadlines.sweep()
    # then it asked for the deadline alarms up to this moment, over the week before
    assert world.alarms.asked == [("deadline", MONDAY, 7)]
