"""退单审核 and 改派: a department's return waits for the dispatching level, which accepts it
(the part ends, or goes to another department) or refuses it (back, claim clock restarted);
the dispatching level moves a part to another department at any time."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Notification
from tests.workflows.test_flows__paths import fresh, steps
from tests.workflows.test_timers import assert_no_flow_errors, sweep
from tests.workflows.world import photo
from workflows import services
from workflows.actions import action_get
from workflows.choices import Level, Status
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.lifecycle import DispatchPart, dispatch_part_state


def returned(world, *names: str, claim: bool = False):
    """A case dispatched by community1 to `names`, each department returning its part."""
    case = world.dispatched(*names)
    for name in names:
        department = world.departments[name]
        person = world.people["cop1" if name == "police" else "city1"]
        if claim:
            services.case_claim(case=case, department=department, actor=person)
        services.case_return(case=case, department=department, actor=person, reason="不归我们管")
    return fresh(case)


def part(case, name, world):
    return case.dispatches.get(active=True, department=world.departments[name])


def told(case, kind=None) -> set[str]:
    notices = Notification.objects.filter(case=case)
    if kind:
        notices = notices.filter(kind=kind)
    return {n.recipient.username for n in notices}


def test_a_return_waits_for_the_dispatchers_review(world):
    case = returned(world, "police")
    dispatch = part(case, "police", world)
    assert dispatch_part_state(dispatch) == DispatchPart.REVIEW
    assert dispatch.review_due - dispatch.returned_at == timedelta(hours=2)
    assert (case.status, case.level) == (Status.DISPATCHED, Level.DEPARTMENT)
    assert steps(case) == [("review_return", None)]  # not back at the community yet
    assert "community1" in told(case)
    accept = action_get("accept_return", "part")
    assert accept.offered(world.people["community1"], case, dispatch)
    assert not accept.offered(world.people["cop1"], case, dispatch)
    assert not accept.offered(world.people["grid1"], case, dispatch)


def test_accepting_the_only_return_hands_the_case_back(world):
    case = returned(world, "police")
    services.case_return_accept(
        case=case,
        department=world.departments["police"],
        actor=world.people["community1"],
        reason="确非公安职责",
    )
    case = fresh(case)
    assert (case.status, case.level, case.handling_area) == (
        Status.HANDLING,
        Level.COMMUNITY,
        world.areas["C1"],
    )
    assert dispatch_part_state(part(case, "police", world)) == DispatchPart.RETURNED
    assert steps(case) == [("handle", None)]
    kinds = [e.kind for e in case.events.all()]
    assert kinds[-2:] == ["case.return_accepted", "case.returned_to_dispatcher"]
    assert_no_flow_errors()


def test_accepting_a_return_with_a_department_reassigns_it(world):
    case = returned(world, "police", claim=True)
    moved = services.case_return_accept(
        case=case,
        department=world.departments["police"],
        actor=world.people["community1"],
        reason="应由城管处理",
        to_department=world.departments["city"],
        instruction="今天内清理",
    )
    case = fresh(case)
    old = case.dispatches.get(department=world.departments["police"])
    assert (old.active, old.reassigned_to, old.return_accepted_at is not None) == (
        False,
        moved,
        True,
    )
    assert (moved.department, moved.active, moved.claimed_by) == (
        world.departments["city"],
        True,
        None,
    )
    assert moved.resolve_due == old.resolve_due  # the case's deadline, not a new one
    assert steps(case) == [("claim", None)]
    assert {"city1", "cop1", "police_head"} <= told(case)
    services.case_claim(
        case=case, department=world.departments["city"], actor=world.people["city1"]
    )
    services.case_dispatch_resolve(
        case=case,
        department=world.departments["city"],
        actor=world.people["city1"],
        result="已清理",
        photos=[photo()],
    )
    case = fresh(case)
    assert case.status == Status.RESOLVED and steps(case) == [("verify", None)]
    assert [e.payload.get("instruction") for e in case.events.filter(kind="case.reassigned")] == [
        "今天内清理"
    ]
    assert_no_flow_errors()


def test_refusing_a_return_sends_it_back_with_a_new_claim_clock(world):
    case = returned(world, "police", claim=True)
    later = timezone.now() + timedelta(minutes=50)
    with time_machine.travel(later, tick=False):
        services.case_return_refuse(
            case=case,
            department=world.departments["police"],
            actor=world.people["community1"],
            reason="属于治安隐患，请处理",
        )
        case = fresh(case)
        dispatch = part(case, "police", world)
        assert dispatch_part_state(dispatch) == DispatchPart.WAITING
        assert (dispatch.returned_at, dispatch.claimed_by, dispatch.return_reason) == (
            None,
            None,
            "",
        )
        assert dispatch.claim_due == timezone.now() + timedelta(minutes=30)
    assert steps(case) == [("claim", None)]
    assert {"cop1", "cop2", "police_head"} <= told(case, "queue")
    with time_machine.travel(later + timedelta(minutes=31), tick=False):
        sweep()
    events = case.events.filter(kind="case.claim_went_overdue")
    assert [e.payload["department"] for e in events] == ["PCS"]  # the new clock ran out
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop2"]
    )
    assert part(fresh(case), "police", world).claimed_by == world.people["cop2"]
    assert_no_flow_errors()


def test_a_return_not_reviewed_in_time_alerts_the_dispatcher_and_the_street(world):
    case = returned(world, "police")
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=59), tick=False):
        sweep()
    assert not case.events.filter(kind="case.return_review_went_overdue").exists()
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False):
        sweep()
        sweep()
    assert case.events.filter(kind="case.return_review_went_overdue").count() == 1
    assert {"community1", "street"} <= told(case, "overdue")
    assert_no_flow_errors()


def test_reviewing_in_time_cancels_the_review_timer(world):
    case = returned(world, "police")
    services.case_return_refuse(
        case=case,
        department=world.departments["police"],
        actor=world.people["community1"],
        reason="请处理",
    )
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        sweep()
    assert not case.events.filter(kind="case.return_review_went_overdue").exists()


def test_reassign_at_any_time_moves_a_claimed_part(world):
    case = world.dispatched("police")
    police, city = world.departments["police"], world.departments["city"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    moved = services.case_reassign(
        case=case,
        department=police,
        actor=world.people["community1"],
        to_department=city,
        reason="派错部门",
    )
    case = fresh(case)
    assert [d.department.code for d in case.dispatches.filter(active=True)] == ["CG"]
    assert moved.claim_due > timezone.now()
    assert steps(case) == [("claim", None)]
    assert {"cop1", "police_head"} <= told(case, "case_update")
    assert "city1" in told(case, "queue")
    with pytest.raises(CaseConflict):  # the police's part has ended
        services.case_return(case=case, department=police, actor=world.people["cop1"], reason="x")
    assert_no_flow_errors()


def test_reassign_refusals(world):
    case = world.dispatched("police", "city")
    police, city = world.departments["police"], world.departments["city"]
    community1 = world.people["community1"]

    def reassign(**kwargs):
        data = {
            "case": case,
            "department": police,
            "actor": community1,
            "to_department": world.departments["elsewhere"],
            "reason": "改派",
        } | kwargs
        return services.case_reassign(**data)

    with pytest.raises(ValidationError):  # not serving the street
        reassign()
    with pytest.raises(ValidationError):  # already has a part of this round
        reassign(to_department=city)
    with pytest.raises(ValidationError):  # to itself
        reassign(to_department=police)
    with pytest.raises(ValidationError):  # no reason
        reassign(to_department=None, reason="  ")
    with pytest.raises(CaseActionDenied):  # a department cannot reassign itself away
        reassign(actor=world.people["police_head"])
    with pytest.raises(CaseActionDenied):  # another community
        reassign(actor=world.people["community2"])
    assert not case.events.filter(kind="case.reassigned").exists()
    assert case.dispatches.filter(active=True).count() == 2


def test_review_refusals(world):
    case = world.dispatched("police")
    police, community1 = world.departments["police"], world.people["community1"]
    with pytest.raises(CaseConflict):  # nothing returned yet
        services.case_return_accept(case=case, department=police, actor=community1, reason="好")
    case = returned(world, "police")
    with pytest.raises(CaseActionDenied):
        services.case_return_refuse(
            case=case, department=police, actor=world.people["cop1"], reason="我不同意"
        )
    with pytest.raises(ValidationError):
        services.case_return_refuse(case=case, department=police, actor=community1, reason="")
    with pytest.raises(ValidationError):
        services.case_return_accept(
            case=case,
            department=police,
            actor=community1,
            reason="改派",
            to_department=world.departments["elsewhere"],
        )
    fresh_case = fresh(case)
    assert dispatch_part_state(part(fresh_case, "police", world)) == DispatchPart.REVIEW
    assert steps(fresh_case) == [("review_return", None)]
    with pytest.raises(CaseConflict):  # in review, the part cannot be moved by 改派
        services.case_reassign(
            case=case,
            department=police,
            actor=community1,
            to_department=world.departments["city"],
            reason="改派",
        )
