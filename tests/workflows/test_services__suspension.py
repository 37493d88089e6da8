"""挂起: the supervising level stops a case's clocks with a reason and a date to resume; the
timers pause and run on with the time they had left, by hand or at the date; the case leaves
the overdue list and the closure figures while suspended."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.threads import all_at_once
from tests.workflows.test_flows__paths import fresh
from tests.workflows.test_timers import assert_no_flow_errors, overdue_events, sweep
from workflows import services
from workflows.actions import action_get
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import CaseEvent


def handling(world):
    return services.case_accept(case=world.report(), actor=world.people["grid1"])


def suspend(world, case, by="community1", days=10, reason="court", note=""):
    return services.case_suspend(
        case=case,
        actor=world.people[by],
        reason=reason,
        resume_at=timezone.now() + timedelta(days=days),
        note=note,
    )


def test_suspended_time_does_not_count_and_the_timer_runs_on_afterwards(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = handling(world)
        left = case.resolve_due - timezone.now()
        case = suspend(world, case)
    assert (case.resolve_due, case.overdue) == (None, False)
    assert not action_get("resolve").offered(world.people["grid1"], case)  # work waits
    with time_machine.travel(start + timedelta(days=8), tick=False):
        sweep()  # the old deadline passes while suspended: nothing fires
        assert overdue_events(case) == []
        case = services.case_resume(case=case, actor=world.people["community1"])
        assert case.resolve_due == timezone.now() + left
    with time_machine.travel(start + timedelta(days=8) + left - timedelta(minutes=1), tick=False):
        sweep()
    assert overdue_events(case) == []
    with time_machine.travel(start + timedelta(days=8) + left + timedelta(minutes=1), tick=False):
        sweep()
    assert [e.payload["what"] for e in overdue_events(case)] == ["resolve"]
    kinds = list(case.events.values_list("kind", flat=True))
    assert "case.suspended" in kinds and "case.resumed" in kinds
    assert_no_flow_errors()


def test_the_timer_dispatcher_resumes_at_the_date(world):
    case = suspend(world, handling(world), days=2)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        sweep()
    assert fresh(case).suspended_at is not None
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        sweep()
        sweep()
    case = fresh(case)
    assert case.suspended_at is None and case.resolve_due is not None
    resumed = case.events.filter(kind="case.resumed")
    assert resumed.count() == 1 and resumed.get().actor is None


def test_department_parts_keep_their_time_left(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = world.dispatched("police")
        part = case.dispatches.get()
        claim_left = part.claim_due - timezone.now()
        case = suspend(world, case)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        sweep()
        assert overdue_events(case, "case.claim_went_overdue") == []
        with pytest.raises(CaseConflict, match="suspended"):
            services.case_claim(
                case=case, department=world.departments["police"], actor=world.people["cop1"]
            )
        services.case_resume(case=case, actor=world.people["community1"])
        part.refresh_from_db()
        assert part.claim_due == timezone.now() + claim_left
    with time_machine.travel(
        start + timedelta(hours=5) + claim_left + timedelta(minutes=1), tick=False
    ):
        sweep()
    assert [e.payload["department"] for e in overdue_events(case, "case.claim_went_overdue")] == [
        "PCS"
    ]
    assert_no_flow_errors()


def test_suspended_cases_leave_the_closure_figures(world):
    from tests.workflows.test_counters import _midnight, assert_counters_match_cases
    from workflows.boards.metrics import Period
    from workflows.boards.readers import area_tallies

    case = handling(world)
    later = case.resolve_due + timedelta(days=1)  # its deadline has passed by then
    suspend(world, case, days=30)
    with time_machine.travel(later, tick=False):
        now = timezone.now()
        today = timezone.localdate(now)
        period = Period(_midnight(today - timedelta(29)), _midnight(today + timedelta(1)), now)
        tallies = area_tallies(path=world.areas["S"].path, period=period)
        assert sum(t.due_to_close for t in tallies.values()) == 0
        assert sum(t.overdue_now for t in tallies.values()) == 0
        assert_counters_match_cases(world.areas["S"], [a.pk for a in world.areas.values()], now)


def test_refusals(world):
    case = handling(world)
    with pytest.raises(CaseActionDenied):  # the grid does not suspend its own case
        suspend(world, case, by="grid1")
    with pytest.raises(ValidationError):
        suspend(world, case, reason="holiday")
    with pytest.raises(ValidationError):  # "other" needs a note
        suspend(world, case, reason="other")
    with pytest.raises(ValidationError):
        suspend(world, case, days=-1)
    with pytest.raises(CaseConflict):
        services.case_resume(case=case, actor=world.people["community1"])
    suspend(world, case, reason="other", note="业主出国")
    with pytest.raises(CaseConflict):
        suspend(world, case)
    with pytest.raises(CaseConflict):
        services.case_extension_ask(
            case=fresh(case),
            actor=world.people["grid1"],
            due=timezone.now() + timedelta(days=30),
            reason="x",
        )
    assert CaseEvent.objects.filter(case=case, kind="case.suspended").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resume_by_hand_and_by_two_people_at_once(world):
    case = suspend(world, handling(world))
    outcomes = all_at_once(
        [
            partial(services.case_resume, case=case, actor=world.people["community1"]),
            partial(services.case_resume, case=case, actor=world.people["street"]),
        ]
    )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    assert CaseEvent.objects.filter(case=case, kind="case.resumed").count() == 1
