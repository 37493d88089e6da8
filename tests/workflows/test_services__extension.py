"""延期: asked by the handling unit before its deadline, at most N times; granted (possibly
shorter) or refused by the approving level; a granted extension moves the deadline and its
timer, and the on-time figures count against the granted deadline."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.threads import all_at_once
from tests.workflows.test_flows__paths import fresh
from tests.workflows.test_timers import assert_no_flow_errors, overdue_events, sweep
from tests.workflows.world import photo
from workflows import services
from workflows.actions import action_get
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import CaseEvent, CaseExtension


def handling(world):
    """A case accepted by grid1 (7 days to resolve at grid level)."""
    return services.case_accept(case=world.report(), actor=world.people["grid1"])


def ask(world, case, days=3, by="grid1", reason="等待业主配合"):
    return services.case_extension_ask(
        case=case,
        actor=world.people[by],
        due=case.resolve_due + timedelta(days=days),
        reason=reason,
    )


def test_a_grid_asks_its_community_which_grants_a_shorter_extension(world):
    case = handling(world)
    old_due = case.resolve_due
    extension = ask(world, case, days=5)
    assert extension.state == "pending" and extension.previous_due == old_due
    granted = old_due + timedelta(days=2)
    approve = action_get("approve_extension")
    assert approve.offered(world.people["community1"], fresh(case))
    assert not approve.offered(world.people["grid1"], fresh(case))  # not its own approver
    assert not approve.offered(world.people["community2"], fresh(case))
    services.case_extension_approve(case=case, actor=world.people["community1"], due=granted)
    case = fresh(case)
    assert case.resolve_due == granted
    assert CaseExtension.objects.get().granted_due == granted
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["case.extension_asked", "case.extension_approved"]
    # The resolve timer moved: nothing at the old deadline, overdue at the granted one.
    with time_machine.travel(old_due + timedelta(minutes=1), tick=False):
        sweep()
    assert overdue_events(case) == []
    with time_machine.travel(granted + timedelta(minutes=1), tick=False):
        sweep()
    assert [e.payload["what"] for e in overdue_events(case)] == ["resolve"]
    assert_no_flow_errors()


def test_a_department_extension_moves_its_part_and_its_timer(world):
    case = world.dispatched("police")
    police, cop1 = world.departments["police"], world.people["cop1"]
    services.case_claim(case=case, department=police, actor=cop1)
    case = fresh(case)
    extension = ask(world, case, days=4, by="cop1", reason="需等待法院裁定")
    assert extension.department == police
    assert not action_get("approve_extension").offered(world.people["police_head"], fresh(case))
    due = case.resolve_due + timedelta(days=4)
    services.case_extension_approve(case=case, actor=world.people["community1"], due=due)
    assert case.dispatches.get().resolve_due == due
    with time_machine.travel(due - timedelta(hours=1), tick=False):
        sweep()
    assert overdue_events(case) == []
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        sweep()
    assert [e.payload["department"] for e in overdue_events(case)] == ["PCS"]
    assert_no_flow_errors()


def test_granting_after_the_old_deadline_rearms_the_timer_and_clears_overdue(world):
    case = handling(world)
    ask(world, case, days=3)
    old_due = case.resolve_due
    with time_machine.travel(old_due + timedelta(minutes=5), tick=False):
        sweep()
        assert fresh(case).overdue
        due = old_due + timedelta(days=2)
        services.case_extension_approve(case=case, actor=world.people["community1"], due=due)
        assert not fresh(case).overdue
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        sweep()
    assert [e.payload["what"] for e in overdue_events(case)] == ["resolve", "resolve"]
    assert_no_flow_errors()


def test_closing_on_time_counts_against_the_granted_deadline(world):
    from tests.workflows.test_counters import _midnight, assert_counters_match_cases
    from workflows.boards.metrics import Period
    from workflows.boards.readers import area_tallies

    case = handling(world)
    ask(world, case, days=3)
    due = case.resolve_due + timedelta(days=3)
    services.case_extension_approve(case=case, actor=world.people["community1"], due=due)
    late_for_the_old = case.resolve_due + timedelta(days=1)
    with time_machine.travel(late_for_the_old, tick=False):
        services.case_resolve(case=fresh(case), actor=world.people["grid1"], result="已清理")
        services.case_verify(case=fresh(case), actor=world.people["leader1"])
        now = timezone.now()
        today = timezone.localdate(now)
        period = Period(_midnight(today - timedelta(29)), _midnight(today + timedelta(1)), now)
        tally = area_tallies(path=world.areas["S"].path, period=period)
        street = world.areas["S"]
        assert_counters_match_cases(street, [a.pk for a in world.areas.values()], now)
    assert sum(t.closed_on_time for t in tally.values()) == 1  # on time for the granted one
    assert sum(t.closed_of_due for t in tally.values()) == 1


def test_refusals_and_limits(world):
    case = handling(world)
    with pytest.raises(ValidationError):  # no reason
        ask(world, case, reason=" ")
    with pytest.raises(ValidationError):  # not later than the deadline
        ask(world, case, days=-1)
    with pytest.raises(CaseActionDenied):  # not the handler
        ask(world, case, by="grid3")
    with pytest.raises(CaseConflict):  # nothing to decide yet
        services.case_extension_refuse(case=case, actor=world.people["community1"], reason="不")
    ask(world, case)
    with pytest.raises(CaseConflict):  # one request at a time
        ask(world, case)
    extension = CaseExtension.objects.get()
    with pytest.raises(ValidationError):  # longer than asked
        services.case_extension_approve(
            case=case,
            actor=world.people["community1"],
            due=extension.requested_due + timedelta(hours=1),
        )
    services.case_extension_refuse(case=case, actor=world.people["community1"], reason="时间足够")
    assert fresh(case).resolve_due == extension.previous_due
    ask(world, case)
    services.case_extension_refuse(case=case, actor=world.people["community1"], reason="不行")
    with pytest.raises(CaseConflict, match="2 extension requests"):
        ask(world, case)
    assert CaseEvent.objects.filter(case=case, kind="case.extension_asked").count() == 2


@override_settings(GRIDCASE_MAX_EXTENSIONS=1)
def test_the_limit_is_a_setting(world):
    case = handling(world)
    ask(world, case)
    services.case_extension_refuse(case=case, actor=world.people["community1"], reason="不行")
    with pytest.raises(CaseConflict):
        ask(world, case)


def test_an_extension_asked_after_the_deadline_is_refused(world):
    case = handling(world)
    late = time_machine.travel(case.resolve_due + timedelta(minutes=1), tick=False)
    with late, pytest.raises(CaseConflict, match="has passed"):
        ask(world, case)
    assert not CaseExtension.objects.exists()


def test_a_resolved_case_takes_no_extension(world):
    case = world.dispatched("police")
    police, cop1 = world.departments["police"], world.people["cop1"]
    services.case_claim(case=case, department=police, actor=cop1)
    services.case_dispatch_resolve(
        case=case, department=police, actor=cop1, result="已处理", photos=[photo()]
    )
    with pytest.raises(CaseActionDenied):  # its part is done: nobody is working on it
        ask(world, fresh(case), by="cop1")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_grant_and_refuse_at_once_one_decision(world):
    case = handling(world)
    ask(world, case)
    due = CaseExtension.objects.get().requested_due
    outcomes = all_at_once(
        [
            partial(
                services.case_extension_approve,
                case=case,
                actor=world.people["community1"],
                due=due,
            ),
            partial(
                services.case_extension_refuse,
                case=case,
                actor=world.people["street"],  # the street may decide for its communities
                reason="不批",
            ),
        ]
    )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    decided = CaseEvent.objects.filter(
        case=case, kind__in=["case.extension_approved", "case.extension_refused"]
    )
    assert decided.count() == 1
    assert CaseExtension.objects.get().state in ("approved", "refused")
