"""报到 races: N people claim the same department task at the same moment; exactly one wins.

Real threads, each with its own database connection, released together by a barrier. The
suite runs on SQLite (file database, IMMEDIATE transactions) and again on PostgreSQL
(`make test` starts one), so this proves both.
"""

from functools import partial

import pytest
from viewflow.workflow.models import Task

from grids.roles import Role
from tests.factories import UserFactory, member
from tests.threads import all_at_once
from workflows import services
from workflows.errors import AlreadyClaimed
from workflows.models import CaseEvent

CLAIMERS = 8


def claim_all_at_once(case, department, people) -> dict[str, object]:
    """Every person claims at the same moment: what each got back, or the exception raised."""
    outcomes = all_at_once(
        [partial(services.case_claim, case=case, department=department, actor=p) for p in people]
    )
    return {person.username: outcome for person, outcome in zip(people, outcomes, strict=True)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exactly_one_of_many_simultaneous_claims_wins(world):
    police = world.departments["police"]
    people = [UserFactory(username=f"officer{i}", name=f"警官{i}") for i in range(CLAIMERS)]
    for person in people:
        member(person, Role.DEPARTMENT_STAFF, police)
    case = world.dispatched("police")

    outcomes = claim_all_at_once(case, police, people)

    winners = [name for name, result in outcomes.items() if not isinstance(result, Exception)]
    assert len(outcomes) == CLAIMERS and len(winners) == 1, outcomes
    winner = winners[0]
    losers = {name: exc for name, exc in outcomes.items() if name != winner}
    assert all(isinstance(exc, AlreadyClaimed) for exc in losers.values()), losers
    winner_name = next(p.name for p in people if p.username == winner)
    assert all(exc.owner.username == winner for exc in losers.values())
    assert all(winner_name in str(exc) for exc in losers.values())  # 已由 … 报到认领
    dispatch = case.dispatches.get()
    assert dispatch.claimed_by.username == winner
    assert CaseEvent.objects.filter(case=case, kind="case.claimed").count() == 1
    claim_tasks = Task.objects.filter(
        process_id=case.process_id, flow_task_type="HUMAN", status="ASSIGNED"
    )
    assert [t.owner.username for t in claim_tasks] == [winner]
