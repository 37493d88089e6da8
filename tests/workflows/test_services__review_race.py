"""退单审核 and 改派 races: two dispatchers decide on the same part at the same moment.

Real threads with their own database connections (tests/threads.py); exactly one decision
is taken, the other is refused with a conflict, and the flow has one open task for the part.
"""

from functools import partial

import pytest
from viewflow.workflow.models import Task

from grids.roles import Role
from tests.factories import UserFactory, member
from tests.threads import all_at_once
from workflows import services
from workflows.errors import CaseConflict
from workflows.models import CaseEvent

DECISIONS = ("case.return_accepted", "case.return_refused", "case.reassigned")


def open_tasks(case) -> list[str]:
    tasks = Task.objects.filter(
        process_id=case.process_id, status__in=("NEW", "ASSIGNED", "STARTED")
    ).exclude(flow_task_type__in=["TIMER", "JOIN"])
    return sorted(t.flow_task.name for t in tasks)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_accept_and_refuse_of_one_return_at_once(world):
    police = world.departments["police"]
    colleague = UserFactory(username="community1b", name="社区二号")
    member(colleague, Role.COMMUNITY_STAFF, world.areas["C1"])
    case = world.dispatched("police")
    services.case_return(
        case=case, department=police, actor=world.people["cop1"], reason="非本部门"
    )

    outcomes = all_at_once(
        [
            partial(
                services.case_return_accept,
                case=case,
                department=police,
                actor=world.people["community1"],
                reason="同意",
                to_department=world.departments["city"],
            ),
            partial(
                services.case_return_refuse,
                case=case,
                department=police,
                actor=colleague,
                reason="不同意",
            ),
        ]
    )

    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    decided = CaseEvent.objects.filter(case=case, kind__in=DECISIONS[:2]).count()
    assert decided == 1
    assert open_tasks(case) == ["claim"]  # refused: the police's claim; accepted: the city's


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reassignments_of_one_part_at_once(world):
    police = world.departments["police"]
    third = world.departments["elsewhere"]
    third.streets.add(world.areas["S"])
    case = world.dispatched("police")

    outcomes = all_at_once(
        [
            partial(
                services.case_reassign,
                case=case,
                department=police,
                actor=world.people["community1"],
                to_department=target,
                reason="改派",
            )
            for target in (world.departments["city"], third)
        ]
    )

    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    assert CaseEvent.objects.filter(case=case, kind="case.reassigned").count() == 1
    assert case.dispatches.filter(active=True).count() == 1
    assert open_tasks(case) == ["claim"]
