"""Role × action × (inside/outside jurisdiction): who may do each transition.

For every action a case is brought to the right state (in grid G1 of community C1, the
police dispatched), then every person of the world tries it inside a savepoint that is
rolled back, so each attempt starts from the same state. The allowed set must be exact.
"""

import pytest
from django.db import transaction

from tests.workflows import world as the_world
from tests.workflows.world import World, photo
from workflows import services
from workflows.errors import CaseActionDenied
from workflows.models import Case

EVERYONE = set(the_world.EVERYONE)
GRID1_HANDLERS = {"grid1", "leader1", "community1", "street"}  # a grant covers areas below
# 核查 of a case the community dispatched: the community itself (not the street above it,
# unless it takes the verification over), or on site the case's grid.
VERIFIERS = {"grid1", "leader1", "community1"}


def accepted(world: World) -> Case:
    return services.case_accept(case=world.report(), actor=world.people["grid1"])


def claimed(world: World) -> Case:
    case = world.dispatched("police")
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    return case


def resolved_by_police(world: World) -> Case:
    case = claimed(world)
    services.case_dispatch_resolve(
        case=case,
        department=world.departments["police"],
        actor=world.people["cop1"],
        result="已处理",
        photos=[photo()],
    )
    return Case.objects.get(pk=case.pk)


def taken_over(world: World) -> Case:
    case = resolved_by_police(world)
    return services.case_verification_take_over(
        case=case, actor=world.people["street"], reason="街道接管"
    )


def closed(world: World) -> Case:
    case = services.case_resolve(case=accepted(world), actor=world.people["grid1"], result="好")
    return services.case_verify(case=case, actor=world.people["grid1"])


MATRIX = {
    # action: (bring the case there, do it as `actor`, who may)
    "accept": (
        lambda w: w.report(),
        lambda w, c, a: services.case_accept(case=c, actor=a),
        GRID1_HANDLERS,
    ),
    "reject": (
        lambda w: w.report(),
        lambda w, c, a: services.case_reject(case=c, actor=a, reason="r"),
        GRID1_HANDLERS,
    ),
    "duplicate": (
        lambda w: [w.report(), w.report()][-1],
        lambda w, c, a: services.case_mark_duplicate(
            case=c, actor=a, original=Case.objects.order_by("pk").first()
        ),
        GRID1_HANDLERS,
    ),
    "whistle": (
        accepted,
        lambda w, c, a: services.case_whistle(case=c, actor=a, whistle_type="routine", reason="r"),
        GRID1_HANDLERS,
    ),
    "resolve": (
        accepted,
        lambda w, c, a: services.case_resolve(case=c, actor=a, result="r"),
        GRID1_HANDLERS,
    ),
    "dispatch": (
        lambda w: w.at_community(),
        lambda w, c, a: services.case_dispatch(
            case=c,
            actor=a,
            departments=[w.departments["police"]],
            lead=w.departments["police"],
            whistle_type="hard",
            reason="r",
        ),
        {"community1", "street"},
    ),
    "claim": (
        lambda w: w.dispatched("police"),
        lambda w, c, a: services.case_claim(case=c, department=w.departments["police"], actor=a),
        {"cop1", "cop2", "police_head"},
    ),
    "return unclaimed": (
        lambda w: w.dispatched("police"),
        lambda w, c, a: services.case_return(
            case=c, department=w.departments["police"], actor=a, reason="r"
        ),
        {"cop1", "cop2", "police_head"},
    ),
    "return claimed": (
        claimed,
        lambda w, c, a: services.case_return(
            case=c, department=w.departments["police"], actor=a, reason="r"
        ),
        {"cop1", "police_head"},
    ),
    "department resolve": (
        claimed,
        lambda w, c, a: services.case_dispatch_resolve(
            case=c, department=w.departments["police"], actor=a, result="r", photos=[photo()]
        ),
        {"cop1", "police_head"},
    ),
    "verify": (
        resolved_by_police,
        lambda w, c, a: services.case_verify(case=c, actor=a),
        VERIFIERS,  # the dispatcher, or on site the case's grid; not the street above it
    ),
    "rework": (
        resolved_by_police,
        lambda w, c, a: services.case_rework(case=c, actor=a, reason="r"),
        VERIFIERS,
    ),
    "take over verification": (
        resolved_by_police,
        lambda w, c, a: services.case_verification_take_over(case=c, actor=a, reason="r"),
        {"street"},  # 接管核查: the street's own people
    ),
    "verify taken over": (
        taken_over,
        lambda w, c, a: services.case_verify(case=c, actor=a),
        {"street", "grid1", "leader1"},  # the street now; the dispatcher no longer
    ),
    "rework taken over": (
        taken_over,
        lambda w, c, a: services.case_rework(case=c, actor=a, reason="r"),
        {"street", "grid1", "leader1"},
    ),
    "rate department": (
        claimed,
        lambda w, c, a: services.dispatch_rate(
            case=c, department=w.departments["police"], actor=a, score=5
        ),
        {"community1", "street"},
    ),
    "rate": (
        closed,
        lambda w, c, a: services.case_rate(case=c, rating="satisfied", actor=a),
        {"grid1"},
    ),  # the reporter
}


def allowed(call) -> bool:
    savepoint = transaction.savepoint()
    try:
        call()
        return True
    except CaseActionDenied:
        return False
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("action", MATRIX)
def test_exactly_the_right_people_may(world, action):
    bring, do, expected = MATRIX[action]
    case = bring(world)
    outcome = {
        name: allowed(lambda name=name: do(world, Case.objects.get(pk=case.pk), world.people[name]))
        for name in sorted(EVERYONE)
    }
    assert {name for name, ok in outcome.items() if ok} == expected


def test_refusals_change_nothing(world):
    case = world.report()
    before = list(case.events.values_list("pk", flat=True))
    with pytest.raises(CaseActionDenied):
        services.case_accept(case=case, actor=world.people["grid2"])
    case = Case.objects.get(pk=case.pk)
    assert case.status == "reported" and list(case.events.values_list("pk", flat=True)) == before
