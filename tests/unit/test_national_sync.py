"""The national-portal sync as a use case, on in-memory fakes: what is sent, and what is not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.core.clock import now
from services.core.events import Event, EventType
from services.tracking.logic.sync import NationalPortalRefused, sync


class States:
    def __init__(self) -> None:
        self.states: dict[str, dict] = {}

    def sync_state(self, dossier_id: str) -> dict:
        return dict(self.states.get(dossier_id, {}))

    def record_sync(self, dossier_id: str, state: dict) -> bool:
        last = self.states.get(dossier_id, {}).get("last_event_at")
        if last is not None and last >= state["last_event_at"]:
            return False
        self.states[dossier_id] = state
        return True


class Portal:
    def __init__(self, refuse: bool = False) -> None:
        self.heard: list[str] = []
        self.refuse = refuse

    def post(self, payload: dict) -> int:
        if self.refuse:
            raise NationalPortalRefused("national portal answered 503")
        self.heard.append(payload["status"])
        return 200


def changed(to: str, at, action: str = "accept") -> Event:
    data = {"code": "A-261204-0001", "to_status": to, "action": action, "agency": "A"}
    return Event(type=EventType.DOSSIER_STATUS_CHANGED, dossier_id="d1", occurred_at=at, data=data)


def test_status_changes_are_sent_in_order_and_a_late_older_one_is_not():
    # given a dossier whose acceptance and start were synced
    states, portal, t = States(), Portal(), now()
    sync(changed("ACCEPTED", t), states, portal)
    sync(changed("IN_PROCESS", t + timedelta(seconds=1), "start"), states, portal)
    # when the acceptance is delivered again, late
    sent = sync(changed("ACCEPTED", t), states, portal)
    # then nothing more is sent and the state keeps the newer status
    assert sent is False
    assert portal.heard == ["ACCEPTED", "IN_PROCESS"]
    assert states.sync_state("d1")["last_status"] == "IN_PROCESS"


def test_internal_deadline_flags_are_not_sent():
    states, portal = States(), Portal()
    assert sync(changed("IN_PROCESS", now(), "overdue"), states, portal) is False
    assert portal.heard == []


def test_a_refusal_raises_and_records_nothing_so_the_event_comes_again():
    states, portal = States(), Portal(refuse=True)
    with pytest.raises(NationalPortalRefused):
        sync(changed("ACCEPTED", now()), states, portal)
    assert states.sync_state("d1") == {}
