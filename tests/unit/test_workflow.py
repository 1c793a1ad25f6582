"""The one-stop-shop workflow: every action from every status, due dates, pauses, payments, counters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.core.auth import Official, Role
from services.core.calendar import WorkingCalendar
from services.core.clock import VN_TZ, iso
from services.core.dossiers import Status
from services.core.errors import Forbidden, IllegalTransition, ValidationFailed
from services.core.events import EventType
from services.tracking.logic import stats
from services.tracking.logic.inbox import index_keys, urgency
from services.tracking.logic.workflow import (
    Action,
    Request,
    allowed_actions,
    authorize,
    decide,
    flag_deadline,
    payment_confirmed,
    resume_after_supplement,
    withdraw,
)

CALENDAR = WorkingCalendar()
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=VN_TZ)
LEADER = Official(sub="l", name="Lãnh đạo", agency="A", roles=frozenset({Role.LEADER}))

# What each action needs besides the status, so the table can be walked exhaustively.
ARGUMENTS = {
    Action.REFUSE: {"note": "Hồ sơ không thuộc thẩm quyền"},
    Action.REQUEST_SUPPLEMENT: {"note": "Bổ sung bản sao"},
    Action.FORWARD: {"to_agency": "B", "to_agency_name": "Cơ quan B"},
    Action.REQUEST_PAYMENT: {"note": "Nộp lệ phí", "amount_vnd": 50_000},
    Action.STOP: {"note": "Công dân đề nghị"},
    Action.COMPLETE: {"outcome": "approved"},
    Action.RETURN_RESULT: {"result": "file-1"},
    Action.APOLOGIZE: {"note": "Xin lỗi", "new_due_at": MONDAY + timedelta(days=10)},
}


def dossier(status: Status = Status.SUBMITTED, **extra) -> dict:
    return {
        "id": "d1",
        "code": "A-261130-0001",
        "status": status.value,
        "version": 3,
        "agency": "A",
        "agency_name": "Cơ quan A",
        "procedure_code": "P1",
        "procedure_name": "Thủ tục",
        "processing_days": 3,
        "received_at": iso(MONDAY - timedelta(days=1)),
        "payment_status": "NOT_REQUIRED",
        "fee_vnd": 0,
        "delivery": {"method": "online"},
        "level": 3,
        **extra,
    }


def prepared(status: Status, action: Action) -> dict:
    """A dossier in a status, with what that status implies (an overdue due date for an apology)."""
    extra: dict = {}
    if status not in (Status.SUBMITTED, Status.DRAFT):
        extra["due_at"] = (
            iso(MONDAY - timedelta(hours=1))
            if action == Action.APOLOGIZE
            else iso(MONDAY + timedelta(days=3))
        )
    return dossier(status, **extra)


S = Status
# The one-stop-shop's rules written out, not read back from the code under test: action -> (the
# statuses it may start from, where it leads (None: the status stays), the role that may take it).
EXPECTED: dict[Action, tuple[set[Status], Status | None, Role]] = {
    Action.ACCEPT: ({S.SUBMITTED}, S.ACCEPTED, Role.RECEIVER),
    Action.REFUSE: ({S.SUBMITTED}, S.REFUSED, Role.RECEIVER),
    Action.REQUEST_SUPPLEMENT: (
        {S.SUBMITTED, S.ACCEPTED, S.IN_PROCESS},
        S.SUPPLEMENT_REQUESTED,
        Role.RECEIVER,
    ),
    Action.START: ({S.ACCEPTED}, S.IN_PROCESS, Role.HANDLER),
    Action.FORWARD: ({S.ACCEPTED, S.IN_PROCESS}, S.IN_PROCESS, Role.HANDLER),
    Action.REQUEST_PAYMENT: ({S.IN_PROCESS}, S.PAYMENT_REQUIRED, Role.HANDLER),
    Action.STOP: (
        {S.ACCEPTED, S.IN_PROCESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUIRED},
        S.STOPPED,
        Role.HANDLER,
    ),
    Action.COMPLETE: ({S.IN_PROCESS}, S.PROCESSED, Role.HANDLER),
    Action.RETURN_RESULT: ({S.PROCESSED}, S.RESULT_RETURNED, Role.RECEIVER),
    Action.APOLOGIZE: ({S.ACCEPTED, S.IN_PROCESS, S.PAYMENT_REQUIRED}, None, Role.HANDLER),
}


def test_the_expected_table_covers_every_action():
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(Status))
def test_every_action_from_every_status_follows_the_table(action, status):
    # given a dossier in `status`
    d = prepared(status, action)
    request = Request(action=action, **ARGUMENTS.get(action, {}))
    sources, target, _ = EXPECTED[action]
    # when a leader (who may do everything) asks for `action`
    if status in sources:
        step = decide(d, request, LEADER, MONDAY, CALENDAR)
        # then it lands where the rules say
        assert step.to_status == (target or status)
        assert step.changes["status"] == step.to_status.value
    else:
        with pytest.raises(IllegalTransition):
            decide(d, request, LEADER, MONDAY, CALENDAR)


@pytest.mark.parametrize("action,role", [(a, rule[2]) for a, rule in EXPECTED.items()])
def test_each_action_belongs_to_its_role_and_to_leaders(action, role):
    authorize(action, Official(sub="x", agency="A", roles=frozenset({role})))
    authorize(action, LEADER)
    others = {Role.RECEIVER, Role.HANDLER, Role.CATALOG_ADMIN} - {role}
    with pytest.raises(Forbidden):
        authorize(action, Official(sub="x", agency="A", roles=frozenset(others)))


def test_the_console_offers_only_what_the_role_may_do_now():
    receiver = Official(sub="r", agency="A", roles=frozenset({Role.RECEIVER}))
    assert set(allowed_actions(dossier(Status.SUBMITTED), receiver)) == {
        "accept",
        "refuse",
        "request_supplement",
    }
    handler = Official(sub="h", agency="A", roles=frozenset({Role.HANDLER}))
    assert set(allowed_actions(dossier(Status.IN_PROCESS), handler)) == {
        "forward",
        "request_payment",
        "stop",
        "complete",
        "apologize",
    }


def test_accept_sets_the_due_date_with_the_working_calendar():
    step = decide(dossier(), Request(Action.ACCEPT), LEADER, MONDAY, CALENDAR)
    assert step.changes["due_at"] == iso(datetime(2026, 12, 3, 8, 0, tzinfo=VN_TZ))  # 3 working days later


def test_a_dossier_whose_fee_is_due_first_cannot_be_accepted_until_paid():
    unpaid = dossier(payment_status="PENDING", amount_due_vnd=200_000, level=4)
    with pytest.raises(IllegalTransition, match="chưa được thanh toán"):
        decide(unpaid, Request(Action.ACCEPT), LEADER, MONDAY, CALENDAR)
    paid = {**unpaid, "payment_status": "PAID"}
    assert decide(paid, Request(Action.ACCEPT), LEADER, MONDAY, CALENDAR).to_status == Status.ACCEPTED


def test_a_supplement_request_pauses_the_clock_and_the_citizens_answer_moves_the_due_date():
    # given a dossier in process, due Thursday 08:00
    d = dossier(Status.IN_PROCESS, due_at=iso(datetime(2026, 12, 3, 8, tzinfo=VN_TZ)))
    asked = decide(d, Request(Action.REQUEST_SUPPLEMENT, note="Bổ sung"), LEADER, MONDAY, CALENDAR)
    waiting = {**d, **asked.changes}
    assert waiting["paused_at"] == iso(MONDAY) and waiting["supplement_round"] == 1
    # when the citizen answers 2 working days later (Wednesday 08:00)
    answered = resume_after_supplement(waiting, 1, datetime(2026, 12, 2, 8, tzinfo=VN_TZ), CALENDAR)
    # then processing resumes and the due date moves by the 16 working hours the citizen took
    assert answered is not None and answered.to_status == Status.IN_PROCESS
    assert answered.changes["due_at"] == iso(datetime(2026, 12, 7, 8, tzinfo=VN_TZ))
    assert "paused_at" in answered.removes
    # and the same answer delivered twice changes nothing
    assert (
        resume_after_supplement({**waiting, **answered.changes, "status": "IN_PROCESS"}, 1, MONDAY, CALENDAR)
        is None
    )


def test_a_supplement_asked_before_acceptance_returns_the_dossier_to_reception():
    asked = decide(
        dossier(), Request(Action.REQUEST_SUPPLEMENT, note="Thiếu giấy tờ"), LEADER, MONDAY, CALENDAR
    )
    waiting = {**dossier(), **asked.changes}
    assert "paused_at" not in asked.changes  # no clock before acceptance
    answered = resume_after_supplement(waiting, 1, MONDAY, CALENDAR)
    assert answered is not None and answered.to_status == Status.SUBMITTED


def test_forward_moves_the_dossier_to_another_agency_and_records_both():
    step = decide(
        dossier(Status.IN_PROCESS),
        Request(Action.FORWARD, to_agency="B", to_agency_name="Cơ quan B"),
        LEADER,
        MONDAY,
        CALENDAR,
    )
    assert step.changes["current_agency"] == "B" and step.to_status == Status.IN_PROCESS
    assert step.detail["from_agency"] == "A" and step.detail["to_agency"] == "B"
    with pytest.raises(ValidationFailed):
        decide(dossier(Status.IN_PROCESS), Request(Action.FORWARD, to_agency="A"), LEADER, MONDAY, CALENDAR)


def test_refusing_or_withdrawing_a_paid_dossier_asks_for_a_refund():
    paid = dossier(payment_status="PAID", amount_due_vnd=200_000)
    refused = decide(paid, Request(Action.REFUSE, note="Không đủ điều kiện"), LEADER, MONDAY, CALENDAR)
    assert [e for e, _ in refused.events] == [EventType.REFUND_REQUESTED]
    withdrawn = withdraw({**paid, "status": "IN_PROCESS"}, "Không còn nhu cầu", MONDAY)
    assert withdrawn is not None and [e for e, _ in withdrawn.events] == [EventType.REFUND_REQUESTED]
    assert withdraw(dossier(Status.PROCESSED), "muộn", MONDAY) is None


def test_payment_confirmed_resumes_a_dossier_waiting_for_it_once():
    waiting = dossier(Status.PAYMENT_REQUIRED, payment_status="PENDING", amount_due_vnd=50_000)
    step = payment_confirmed(waiting, MONDAY)
    assert (
        step is not None and step.to_status == Status.IN_PROCESS and step.changes["payment_status"] == "PAID"
    )
    assert payment_confirmed({**waiting, **step.changes}, MONDAY) is None


def test_complete_records_whether_it_was_on_time():
    late = dossier(Status.IN_PROCESS, due_at=iso(MONDAY - timedelta(hours=2)))
    step = decide(late, Request(Action.COMPLETE, outcome="denied"), LEADER, MONDAY, CALENDAR)
    assert step.changes["processed_on_time"] is False and step.changes["outcome"] == "denied"


def test_an_apology_needs_an_overdue_dossier_and_a_future_date():
    on_time = dossier(Status.IN_PROCESS, due_at=iso(MONDAY + timedelta(days=1)))
    with pytest.raises(IllegalTransition):
        decide(
            on_time,
            Request(Action.APOLOGIZE, note="x", new_due_at=MONDAY + timedelta(days=5)),
            LEADER,
            MONDAY,
            CALENDAR,
        )
    overdue = dossier(Status.IN_PROCESS, due_at=iso(MONDAY - timedelta(days=1)), overdue=True)
    step = decide(
        overdue,
        Request(Action.APOLOGIZE, note="Xin lỗi vì chậm", new_due_at=MONDAY + timedelta(days=5)),
        LEADER,
        MONDAY,
        CALENDAR,
    )
    assert (
        step.changes["overdue"] is False
        and step.changes["apologies"][0]["previous_due_at"] == overdue["due_at"]
    )


def test_the_sweeper_flags_due_soon_then_overdue_once_each():
    d = dossier(Status.IN_PROCESS, due_at=iso(MONDAY + timedelta(hours=5)))
    soon = flag_deadline(d, MONDAY)
    assert soon is not None and soon.action == "due_soon"
    flagged = {**d, **soon.changes}
    assert flag_deadline(flagged, MONDAY) is None
    overdue = flag_deadline(flagged, MONDAY + timedelta(hours=6))
    assert overdue is not None and overdue.action == "overdue"
    assert flag_deadline({**flagged, **overdue.changes}, MONDAY + timedelta(hours=7)) is None
    assert flag_deadline({**d, "paused_at": iso(MONDAY)}, MONDAY + timedelta(days=3)) is None


def test_inbox_order_puts_waiting_dossiers_last_and_finished_ones_out():
    active = dossier(Status.IN_PROCESS, due_at=iso(MONDAY))
    waiting = dossier(
        Status.SUPPLEMENT_REQUESTED, due_at=iso(MONDAY - timedelta(days=5)), paused_at=iso(MONDAY)
    )
    assert urgency(active) < urgency(waiting)
    values, removed = index_keys(dossier(Status.RESULT_RETURNED))
    assert "GSI1PK" in removed and values["GSI2PK"].endswith("#RESULT_RETURNED")


def test_counters_are_the_difference_of_contributions_and_sum_to_a_recomputation():
    # given a dossier received, processed late, and its counters moved step by step
    received = dossier(Status.SUBMITTED, received_at="2026-11-28T09:00:00+07:00")
    processed = {
        **received,
        "status": "PROCESSED",
        "processed_at": "2026-12-10T10:00:00+07:00",
        "processed_on_time": False,
    }
    moves = stats.difference({}, stats.contribution(received)) + stats.difference(
        stats.contribution(received), stats.contribution(processed)
    )
    totals: dict = {}
    for m in moves:
        key = (m["agency"], m["procedure"], m["month"])
        totals.setdefault(key, dict.fromkeys(stats.FIELDS, 0))[m["field"]] += m["delta"]
    # then they equal what the dossier itself says
    assert totals == stats.recompute([processed])
    assert totals[("A", "P1", "2026-11")]["in_progress"] == 0
    assert totals[("A", "P1", "2026-12")]["late"] == 1
    assert stats.row("A", "P1", "2026-12", totals[("A", "P1", "2026-12")])["on_time_rate"] == 0.0
