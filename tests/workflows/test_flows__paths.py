"""Paths through CaseFlow: status, level and the open viewflow tasks after every step."""

import pytest
from viewflow.workflow.models import Task

from tests.workflows.world import photo
from workflows import services
from workflows.choices import Level, Status
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case

OPEN = ("NEW", "ASSIGNED", "STARTED")


def steps(case: Case) -> list[tuple[str, str | None]]:
    """Open work items of the case's process: (node, owner) sorted."""
    tasks = Task.objects.filter(process_id=case.process_id, status__in=OPEN).exclude(
        flow_task_type__in=["TIMER"]
    )
    items = [(t.flow_task.name, t.owner.username if t.owner else None) for t in tasks]
    return sorted(items, key=lambda item: (item[0], item[1] or ""))


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_report_opens_an_intake_step_with_a_number(world):
    case = world.report()
    assert case.number.startswith("S-") and case.number.endswith("-0001")
    assert (case.status, case.level) == (Status.REPORTED, Level.GRID)
    assert case.handling_area == world.areas["G1"]
    assert steps(case) == [("intake", None)]
    assert [e.kind for e in case.events.all()] == ["case.reported"]


def test_numbers_count_per_street_and_day(world):
    numbers = [world.report().number for _ in range(3)]
    assert [n[-4:] for n in numbers] == ["0001", "0002", "0003"]


def test_a_grid_solves_its_own_case(world):
    grid1 = world.people["grid1"]
    case = services.case_accept(case=world.report(), actor=grid1)
    assert (case.status, case.handler) == (Status.HANDLING, grid1)
    assert steps(case) == [("handle", "grid1")]
    case = services.case_resolve(case=case, actor=grid1, result="已清理", photos=[photo()])
    assert steps(case) == [("verify", None)]
    case = services.case_verify(case=case, actor=world.people["leader1"])
    assert (case.status, case.closed_level) == (Status.CLOSED, Level.GRID)
    assert steps(case) == [("feedback", None)]
    assert case.photos.filter(kind="after").count() == 1


@pytest.mark.parametrize(
    ("service", "extra", "status"),
    [
        ("case_reject", {"reason": "不属于受理范围"}, Status.REJECTED),
        ("case_mark_duplicate", {}, Status.DUPLICATE),
    ],
)
def test_rejected_or_duplicate_cases_end_the_process(world, service, extra, status):
    if service == "case_mark_duplicate":
        extra = {"original": world.report()}
    case = getattr(services, service)(case=world.report(), actor=world.people["grid1"], **extra)
    assert case.status == status
    assert steps(case) == []
    assert case.process.finished is not None


def test_whistle_moves_the_case_up_and_the_whistler_verifies(world):
    case = world.at_community()
    assert (case.status, case.level) == (Status.HANDLING, Level.COMMUNITY)
    assert (case.handling_area, case.verifier_area) == (world.areas["C1"], world.areas["G1"])
    assert steps(case) == [("handle", None)]
    case = services.case_resolve(case=case, actor=world.people["community1"], result="已协调")
    assert steps(case) == [("verify", None)]
    with pytest.raises(CaseActionDenied):
        services.case_verify(case=case, actor=world.people["community2"])
    case = services.case_verify(case=case, actor=world.people["grid1"])
    assert (case.status, case.closed_level) == (Status.CLOSED, Level.COMMUNITY)


def test_community_escalates_to_the_street_which_dispatches(world):
    case = services.case_whistle(
        case=world.at_community(),
        actor=world.people["community1"],
        whistle_type="hard",
        reason="社区无法解决",
    )
    assert (case.level, case.handling_area) == (Level.STREET, world.areas["S"])
    with pytest.raises(CaseConflict):
        services.case_whistle(
            case=case,
            actor=world.people["street"],
            whistle_type="hard",
            reason="no level above the street",
        )
    case = services.case_dispatch(
        case=case,
        actor=world.people["street"],
        departments=[world.departments["city"]],
        lead=world.departments["city"],
        whistle_type="emergency",
        reason="派遣城管",
    )
    assert (case.status, case.level, case.verifier_area) == (
        Status.DISPATCHED,
        Level.DEPARTMENT,
        world.areas["S"],
    )


def test_joint_dispatch_has_one_claim_step_per_department(world):
    case = world.dispatched("police", "city", lead="police")
    assert steps(case) == [("claim", None), ("claim", None)]
    assert case.dispatches.get(lead=True).department == world.departments["police"]
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    assert (fresh(case).status, fresh(case).level) == (Status.HANDLING, Level.DEPARTMENT)
    assert steps(case) == [("claim", None), ("claim", "cop1")]
    services.case_claim(
        case=case, department=world.departments["city"], actor=world.people["city1"]
    )
    services.case_dispatch_resolve(
        case=case,
        department=world.departments["police"],
        actor=world.people["cop1"],
        result="已处理",
        photos=[photo()],
    )
    assert fresh(case).status == Status.HANDLING  # the city has not finished yet
    services.case_dispatch_resolve(
        case=case,
        department=world.departments["city"],
        actor=world.people["city1"],
        result="已处理",
        photos=[photo()],
    )
    case = fresh(case)
    assert case.status == Status.RESOLVED and steps(case) == [("verify", None)]
    assert "派出所" in case.result and "城管" in case.result


def test_departments_outside_the_street_cannot_be_dispatched(world):
    with pytest.raises(CaseActionDenied):
        world.dispatched("elsewhere")


def test_all_departments_returning_sends_the_case_back_to_the_dispatcher(world):
    case = world.dispatched("police", "city")
    for name, person in (("police", "cop1"), ("city", "city1")):
        services.case_return(
            case=case,
            department=world.departments[name],
            actor=world.people[person],
            reason="不属于本部门职责",
        )
    assert steps(fresh(case)) == [("review_return", None), ("review_return", None)]
    for name in ("police", "city"):  # 退单审核: the dispatching level accepts each return
        services.case_return_accept(
            case=case,
            department=world.departments[name],
            actor=world.people["community1"],
            reason="同意退回",
        )
    case = fresh(case)
    assert (case.status, case.level, case.handling_area) == (
        Status.HANDLING,
        Level.COMMUNITY,
        world.areas["C1"],
    )
    assert steps(case) == [("handle", None)]
    assert [e.kind for e in case.events.all()][-1] == "case.returned_to_dispatcher"


def test_department_rework_goes_back_to_the_same_claimer(world):
    case = world.dispatched("police")
    police, cop1 = world.departments["police"], world.people["cop1"]
    services.case_claim(case=case, department=police, actor=cop1)
    services.case_dispatch_resolve(
        case=case, department=police, actor=cop1, result="已处理", photos=[photo()]
    )
    case = services.case_rework(
        case=fresh(case), actor=world.people["community1"], reason="仍有杂物"
    )
    assert (case.status, case.level, case.rework_count) == (Status.HANDLING, Level.DEPARTMENT, 1)
    assert steps(case) == [("claim", "cop1")]
    with pytest.raises(CaseConflict, match="Already claimed by cop1"):
        services.case_claim(case=case, department=police, actor=world.people["cop2"])


def test_area_rework_goes_back_to_the_same_handler(world):
    grid1 = world.people["grid1"]
    case = services.case_accept(case=world.report(), actor=grid1)
    case = services.case_resolve(case=case, actor=grid1, result="已清理")
    case = services.case_rework(case=case, actor=world.people["leader1"], reason="没清干净")
    assert (case.status, case.rework_count) == (Status.HANDLING, 1)
    assert steps(case) == [("handle", "grid1")]


def closed_case(world) -> Case:
    grid1 = world.people["grid1"]
    case = services.case_accept(case=world.report(by="grid1"), actor=grid1)
    case = services.case_resolve(case=case, actor=grid1, result="已清理")
    return services.case_verify(case=case, actor=world.people["leader1"])


def test_dissatisfied_rating_reopens_once(world):
    case = closed_case(world)
    case = services.case_rate(case=case, rating="dissatisfied", actor=world.people["grid1"])
    assert (case.status, case.reopen_count, case.level) == (Status.HANDLING, 1, Level.GRID)
    assert steps(case) == [("handle", None)]
    grid1 = world.people["grid1"]
    case = services.case_resolve(case=case, actor=grid1, result="再次清理")
    case = services.case_verify(case=case, actor=world.people["leader1"])
    case = services.case_rate(case=case, rating="dissatisfied", actor=grid1)
    assert (case.status, case.reopen_count) == (Status.CLOSED, 1)  # only once
    assert steps(case) == [] and fresh(case).process.finished is not None


def test_satisfied_rating_finishes_the_process(world):
    case = services.case_rate(
        case=closed_case(world), rating="satisfied", actor=world.people["grid1"]
    )
    assert case.rating == "satisfied" and steps(case) == []
    with pytest.raises(CaseConflict, match="already been rated"):
        services.case_rate(case=case, rating="satisfied", actor=world.people["grid1"])


def test_residents_rate_by_phone_without_an_account(world):
    case = world.report(by="resident", source="resident", contact_phone="13800000001")
    grid1 = world.people["grid1"]
    case = services.case_accept(case=case, actor=grid1)
    case = services.case_resolve(case=case, actor=grid1, result="已清理")
    case = services.case_verify(case=case, actor=grid1)
    with pytest.raises(CaseActionDenied):
        services.case_rate(case=case, rating="satisfied", phone="13900000000")
    case = services.case_rate(case=case, rating="basically", phone="13800000001")
    assert case.rating == "basically"


def test_whistle_blower_rates_the_department(world):
    case = world.dispatched("police")
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    with pytest.raises(CaseActionDenied):
        services.dispatch_rate(
            case=case,
            department=world.departments["police"],
            actor=world.people["community2"],
            score=5,
        )
    services.dispatch_rate(
        case=case, department=world.departments["police"], actor=world.people["community1"], score=4
    )
    assert fresh(case).dispatches.get().response_rating == 4
