"""挂起 asked by the handler: a department (or a grid or community for the cases it handles)
asks with a reason from the list, an expected date to resume and a note; the level that may
suspend the case approves — suspended exactly as `case_suspend` does — or refuses."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.threads import all_at_once
from tests.workflows.test_flows__paths import fresh
from tests.workflows.test_timers import overdue_events, sweep
from workflows import services
from workflows.actions import action_get
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import CaseEvent, SuspensionRequest


def handling(world):
    """A case accepted by grid1 (its community may suspend it)."""
    return services.case_accept(case=world.report(), actor=world.people["grid1"])


def ask(world, case, by="grid1", days=5, reason="unreachable", note="业主出国"):
    return services.case_suspension_ask(
        case=case,
        actor=world.people[by],
        reason=reason,
        resume_at=timezone.now() + timedelta(days=days),
        note=note,
    )


def told(case, kind) -> set[str]:
    return {n.recipient.username for n in Notification.objects.filter(case=case, kind=kind)}


def test_a_grid_asks_and_its_community_approves_the_clocks_stop_as_a_suspension(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = handling(world)
        left = case.resolve_due - timezone.now()
        asked = action_get("ask_suspension")
        assert asked.offered(world.people["grid1"], fresh(case))
        assert not asked.offered(world.people["community1"], fresh(case))  # suspends directly
        request = ask(world, case, days=10)  # after the 7 days' deadline
        assert request.state == "pending" and request.department is None
        assert "community1" in told(case, "queue")  # the approving level is told
        assert fresh(case).suspended_at is None  # nothing stops before the approval
        approve = action_get("approve_suspension")
        assert approve.offered(world.people["community1"], fresh(case))
        assert not approve.offered(world.people["grid1"], fresh(case))
        assert not approve.offered(world.people["community2"], fresh(case))
        # while the request waits, the community decides it rather than suspending past it
        assert not action_get("suspend").offered(world.people["community1"], fresh(case))
        services.case_suspension_approve(case=fresh(case), actor=world.people["community1"])
    case = fresh(case)
    assert case.suspended_at == start and case.resolve_due is None
    assert case.suspend_reason == "unreachable" and case.suspend_note == "业主出国"
    assert case.resume_at == request.resume_at and case.resolve_left == left
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == world.people["community1"]
    suspended = case.events.get(kind="case.suspended")
    assert suspended.payload["asked_by"] and suspended.payload["reason"] == "unreachable"
    assert "grid1" in told(case, "case_update")
    # the timers paused: nothing fires at the old deadline; resumed, the time left runs on
    with time_machine.travel(start + left + timedelta(hours=1), tick=False):
        sweep()
        assert overdue_events(case) == []
        services.case_resume(case=fresh(case), actor=world.people["community1"])
    assert fresh(case).resolve_due == start + left + timedelta(hours=1) + left


def test_a_department_asks_the_level_that_dispatched_it(world):
    case = world.dispatched("police")  # by community1
    police = world.departments["police"]
    services.case_claim(case=case, department=police, actor=world.people["cop1"])
    request = ask(world, fresh(case), by="cop1", reason="court", note="")
    assert request.department == police
    assert "community1" in told(case, "queue")
    refused = services.case_suspension_refuse(
        case=fresh(case), actor=world.people["community1"], reason="可先行处置"
    )
    assert refused.state == "refused" and refused.decision_note == "可先行处置"
    assert {"cop1", "police_head"} <= told(case, "case_update")
    case = fresh(case)
    assert case.suspended_at is None and case.resolve_due is not None
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["case.suspension_asked", "case.suspension_refused"]
    ask(world, case, by="police_head")  # refused, it may be asked again
    services.case_suspension_approve(
        case=fresh(case),
        actor=world.people["community1"],
        resume_at=timezone.now() + timedelta(days=2),  # another date than the one asked
    )
    case = fresh(case)
    assert case.suspended_at is not None
    assert case.resume_at < SuspensionRequest.objects.get(state="approved").resume_at


def test_bad_input_and_refusals_leave_nothing(world):
    case = handling(world)
    with pytest.raises(ValidationError):
        ask(world, case, reason="holiday")
    with pytest.raises(ValidationError):  # "other" says why
        ask(world, case, reason="other", note="  ")
    with pytest.raises(ValidationError):
        ask(world, case, days=-1)
    with pytest.raises(CaseActionDenied):  # not its case
        ask(world, case, by="grid3")
    with pytest.raises(CaseActionDenied):  # the community suspends, it does not ask
        ask(world, case, by="community1")
    with pytest.raises(CaseConflict):  # nothing to approve
        services.case_suspension_approve(case=case, actor=world.people["community1"])
    assert not SuspensionRequest.objects.exists()
    assert not CaseEvent.objects.filter(kind__startswith="case.suspension").exists()
    ask(world, case)
    with pytest.raises(CaseConflict):  # one at a time
        ask(world, fresh(case), by="grid1")
    with pytest.raises(CaseActionDenied):  # the asker does not decide
        services.case_suspension_approve(case=fresh(case), actor=world.people["grid1"])
    with pytest.raises(ValidationError):
        services.case_suspension_refuse(
            case=fresh(case), actor=world.people["community1"], reason=" "
        )
    with pytest.raises(ValidationError):
        services.case_suspension_approve(
            case=fresh(case),
            actor=world.people["community1"],
            resume_at=timezone.now() - timedelta(hours=1),
        )
    assert SuspensionRequest.objects.get().state == "pending"
    assert fresh(case).suspended_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_and_refuse_at_once_one_decision(world):
    case = handling(world)
    ask(world, case)
    outcomes = all_at_once(
        [
            partial(services.case_suspension_approve, case=case, actor=world.people["community1"]),
            partial(
                services.case_suspension_refuse,
                case=case,
                actor=world.people["street"],  # the street may decide for its communities
                reason="不批",
            ),
        ]
    )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    decided = CaseEvent.objects.filter(
        case=case, kind__in=["case.suspended", "case.suspension_refused"]
    )
    assert decided.count() == 1
    state = SuspensionRequest.objects.get().state
    assert (state == "approved") == (fresh(case).suspended_at is not None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_once_suspend_once(world):
    case = handling(world)
    ask(world, case)
    outcomes = all_at_once(
        [
            partial(services.case_suspension_approve, case=case, actor=world.people["community1"]),
            partial(services.case_suspension_approve, case=case, actor=world.people["street"]),
        ]
    )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    assert CaseEvent.objects.filter(case=case, kind="case.suspended").count() == 1


def test_on_the_case_page_the_workbench_and_rest(client, world):
    case = handling(world)
    client.force_login(world.people["grid1"])
    page = client.get(f"/cases/{case.number}/")
    assert 'id="action-ask_suspension"' in page.text and 'id="action-suspend"' not in page.text
    resume = f"{timezone.localtime(timezone.now() + timedelta(days=3)):%Y-%m-%dT%H:%M}"
    url = f"/cases/{case.number}/ask_suspension/"
    bad = client.post(url, {"ask_suspension-reason": "holiday", "ask_suspension-resume_at": resume})
    assert bad.status_code == 302 and bad["Location"].endswith("#action-ask_suspension")
    assert not SuspensionRequest.objects.exists()
    done = client.post(
        url, {"ask_suspension-reason": "weather", "ask_suspension-resume_at": resume}
    )
    assert done.status_code == 302 and SuspensionRequest.objects.get().state == "pending"
    page = client.get(f"/cases/{case.number}/")
    assert 'class="suspension-requests"' in page.text
    assert "Suspension asked for" in page.text or "申请挂起" in page.text  # the history line
    client.force_login(world.people["community1"])
    bench = client.get("/w/community/")
    assert case.number in bench.text and "#action-approve_suspension" in bench.text
    api = APIClient()
    api.force_authenticate(world.people["community1"])
    answer = api.post(f"/api/v1/cases/{case.number}/approve-suspension/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["suspend_reason"] == "weather"
    again = api.post(f"/api/v1/cases/{case.number}/approve-suspension/", {}, format="json")
    assert again.status_code == 409
    sections = client.get("/w/community/").context["sections"]
    assert [s["cases"] for s in sections if s.get("cards")] == [[]]  # decided: off the list
