"""workflows.integrity: the one check that a case is whole, and `manage.py cases_check`.

Cases made through the services are whole in every state the world reaches; a case changed
past them (a status without its event, a step closed without its status, a department part
without its task) is reported with what disagrees.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from viewflow.workflow.models import Task

from workflows import services
from workflows.choices import Status
from workflows.integrity import cases_problems, timers_late
from workflows.models import Case, CaseDispatch

pytestmark = pytest.mark.django_db


def test_cases_made_through_the_services_are_whole(world):
    reported = world.report()
    accepted = services.case_accept(case=world.report(), actor=world.people["grid1"])
    at_community = world.at_community()
    dispatched = world.dispatched("police", "city")
    claimed = world.dispatched("police")
    services.case_claim(
        case=claimed, department=world.departments["police"], actor=world.people["cop1"]
    )
    resolved = services.case_resolve(
        case=services.case_accept(case=world.report(), actor=world.people["grid1"]),
        actor=world.people["grid1"],
        result="已清理",
    )
    closed = services.case_verify(
        case=services.case_resolve(
            case=services.case_accept(case=world.report(), actor=world.people["grid1"]),
            actor=world.people["grid1"],
            result="已清理",
        ),
        actor=world.people["grid1"],
    )
    cases = [reported, accepted, at_community, dispatched, claimed, resolved, closed]
    statuses = {c.status for c in Case.objects.filter(pk__in=[c.pk for c in cases])}
    assert statuses == {"reported", "handling", "dispatched", "resolved", "closed"}
    assert cases_problems() == {}


def test_a_status_changed_past_the_services_is_found(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)
    problems = cases_problems()[case.number]
    assert "status resolved but the last event" in problems[0]
    assert any("resolved with open steps ['handle']" in p for p in problems)


def test_a_step_closed_without_its_status_is_found(world):
    case = world.report()
    Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN").update(status="DONE")
    assert cases_problems() == {case.number: ["reported with open steps []"]}


def test_a_department_part_without_its_task_is_found(world):
    case = world.dispatched("police")
    CaseDispatch.objects.create(
        case=case,
        department=world.departments["city"],
        claim_due=timezone.now(),
        resolve_due=timezone.now(),
    )
    problems = cases_problems()[case.number]
    assert "open steps ['claim'], but the parts need ['claim', 'claim']" in problems


def test_a_due_timer_left_unfired_is_late_and_the_command_fails(world):
    case = world.report()
    timer = Task.objects.get(process_id=case.process_id, flow_task_type="TIMER")
    assert timers_late(timedelta(seconds=60)) == []
    call_command("cases_check", stdout=StringIO())  # whole: no error
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - timedelta(minutes=5))
    assert timers_late(timedelta(seconds=60)) == [timer.pk]
    out = StringIO()
    with pytest.raises(CommandError, match="0 case\\(s\\) not whole, 1 timer\\(s\\) late"):
        call_command("cases_check", "--json", stdout=out)
    assert f'"late_timers": [{timer.pk}]' in out.getvalue()
