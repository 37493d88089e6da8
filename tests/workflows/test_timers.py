"""Time limits: move the clock (no sleeping), sweep the timers, see each fire exactly once."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Task

from notifications.models import Notification
from workflows import services
from workflows.models import Case, CaseEvent, TimeLimitPolicy


def sweep() -> None:
    call_command("run_timers", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115


def overdue_events(case: Case, kind: str = "case.went_overdue") -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def assert_no_flow_errors() -> None:
    assert not Task.objects.filter(status="ERROR").exists()


def test_an_unaccepted_case_goes_overdue_once(world):
    case = world.report()  # normal priority: 2 h to accept at grid level
    with time_machine.travel(timezone.now() + timedelta(minutes=119), tick=False):
        sweep()
    assert not Case.objects.get(pk=case.pk).overdue
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False):
        sweep()
        sweep()
    assert Case.objects.get(pk=case.pk).overdue
    assert [e.payload["what"] for e in overdue_events(case)] == ["respond"]
    notified = Notification.objects.filter(case=case, kind="overdue")
    assert {n.recipient.username for n in notified} >= {"grid1", "community1"}
    assert_no_flow_errors()


def test_emergency_cases_run_on_minutes(world):
    case = world.report(priority="emergency")
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweep()
    assert [e.payload["what"] for e in overdue_events(case)] == ["respond"]


def test_acting_in_time_cancels_the_timer(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        sweep()
    assert overdue_events(case) == []  # accepted: the respond timer is gone
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        sweep()
    assert [e.payload["what"] for e in overdue_events(case)] == ["resolve"]


def test_an_unclaimed_whistle_escalates_to_the_head_and_the_street(world):
    case = world.dispatched("police", "city")
    services.case_claim(
        case=case, department=world.departments["city"], actor=world.people["city1"]
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        sweep()
        sweep()
    events = overdue_events(case, "case.claim_went_overdue")
    assert [e.payload["department"] for e in events] == ["PCS"]
    police = case.dispatches.get(department__code="PCS")
    assert police.claim_overdue and not case.dispatches.get(department__code="CG").claim_overdue
    told = {n.recipient.username for n in Notification.objects.filter(case=case, kind="overdue")}
    assert told == {"police_head", "street"}
    assert_no_flow_errors()


def test_policies_from_the_admin_apply(world):
    TimeLimitPolicy.objects.filter(category=None, priority="normal", level="grid").update(
        respond_minutes=10
    )
    case = world.report()
    assert case.respond_due - case.reported_at == timedelta(minutes=10)
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        sweep()
    assert len(overdue_events(case)) == 1


def test_a_category_policy_beats_the_default(world):
    case = world.report()
    TimeLimitPolicy.objects.create(
        category=case.category,
        priority="normal",
        level="grid",
        respond_minutes=1,
        resolve_minutes=60,
    )
    assert world.report().respond_due - timezone.now() < timedelta(minutes=2)


def test_a_claimed_department_that_does_not_finish_goes_overdue_once(world):
    case = world.dispatched("police")
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    assert not Case.objects.get(pk=case.pk).overdue
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        sweep()
        sweep()
    events = overdue_events(case)
    assert [(e.payload["what"], e.payload["department"]) for e in events] == [("resolve", "PCS")]
    told = {n.recipient.username for n in Notification.objects.filter(case=case, kind="overdue")}
    assert {"cop1", "police_head", "community1"} <= told
    assert_no_flow_errors()


def test_overdue_means_late_now_not_late_once(world):
    case = world.report()
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        sweep()
        assert Case.objects.get(pk=case.pk).overdue
        case = services.case_accept(case=case, actor=world.people["grid1"])
    assert not case.overdue  # answered late, but within the resolve limit now
    assert len(overdue_events(case)) == 1  # the lateness stays in the history


def test_a_late_dissatisfied_rating_is_recorded_without_reopening(world):
    grid1 = world.people["grid1"]
    case = services.case_accept(case=world.report(), actor=grid1)
    case = services.case_resolve(case=case, actor=grid1, result="已清理")
    case = services.case_verify(case=case, actor=world.people["leader1"])
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        case = services.case_rate(case=case, rating="dissatisfied", actor=grid1)  # no sweep
    assert (case.status, case.rating, case.reopen_count) == ("closed", "dissatisfied", 0)
