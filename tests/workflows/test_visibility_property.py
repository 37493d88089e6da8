"""Property: the two faces of case visibility always agree.

Random cases (reported by random people in random areas, some whistled up, dispatched to
random departments, some dispatch rounds replaced) and random changes of people's roles
(memberships added and removed, accounts disabled): for every person, `cases_visible_to`
holds exactly the cases for which `can_view` is true. The queryset is a path-prefix and
dispatch-table query; the single case walks guardian's grants over the case's area and
departments: two routes to one answer.
"""

from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from grids import services as memberships
from grids.models import Membership, User
from grids.roles import Role
from tests.workflows.world import photo, world_build
from workflows import services
from workflows.errors import CaseActionDenied
from workflows.models import Case
from workflows.visibility import can_view, cases_visible_to

AREAS = ["G1", "G2", "G3", "M1", "C1", "C2", "S"]
REPORTERS = ["grid1", "grid2", "grid3", "community1", "street", "resident"]
DEPARTMENTS = ["police", "city"]
STAFF = {"PCS": "cop1", "CG": "city1"}
GRID_MEMBERS = {"S-01-01": "grid1", "S-01-02": "grid2"}  # community1 takes their whistles

cases = st.lists(
    st.tuples(
        st.sampled_from(AREAS),
        st.sampled_from(REPORTERS),
        # how far it goes: reported, accepted, at community, dispatched, one department's
        # part resolved (ended: its department keeps only its history), closed
        st.integers(0, 5),
        st.sets(st.sampled_from(DEPARTMENTS), min_size=1),
        st.booleans(),  # returned and dispatched again, to other departments (a new round)
    ),
    max_size=6,
)
changes = st.lists(
    st.tuples(
        st.sampled_from(["cop1", "city1", "grid2", "community2", "resident", "water1"]),
        st.sampled_from(["remove", "disable", "grid:G1", "grid:G3", "dept:police", "dept:city"]),
    ),
    max_size=4,
)


def case_build(world, area: str, by: str, depth: int, departments: set, again: bool) -> Case:
    try:
        source = "resident" if by == "resident" else "grid_patrol"
        case = world.report(area=area, by=by, source=source)
    except CaseActionDenied:  # staff report only in their own areas; as residents elsewhere
        case = world.report(area=area, by=by, source="resident")
    handler = world.people.get(GRID_MEMBERS.get(case.handling_area.code, ""))
    if depth == 0 or handler is None:
        return case
    case = services.case_accept(case=case, actor=handler)
    if depth >= 2:
        case = services.case_whistle(case=case, actor=handler, whistle_type="routine", reason="上")
    if depth >= 3:
        case = dispatch(world, case, [world.departments[d] for d in sorted(departments)])
        if again:
            for part in case.dispatches.filter(active=True).select_related("department"):
                staff = world.people[STAFF[part.department.code]]
                services.case_return(
                    case=case, department=part.department, actor=staff, reason="退"
                )
                services.case_return_accept(  # 退单审核: back to the community
                    case=case,
                    department=part.department,
                    actor=world.people["community1"],
                    reason="同意",
                )
            others = [world.departments[d] for d in DEPARTMENTS if d not in departments]
            case = dispatch(
                world, Case.objects.get(pk=case.pk), others or [world.departments["police"]]
            )
        parts = list(case.dispatches.filter(active=True).select_related("department"))
        for part in parts[: 1 if depth == 4 else len(parts)] if depth >= 4 else []:
            staff = world.people[STAFF[part.department.code]]
            services.case_claim(case=case, department=part.department, actor=staff)
            services.case_dispatch_resolve(
                case=case, department=part.department, actor=staff, result="已办", photos=[photo()]
            )
        if depth == 5:
            services.case_verify(
                case=Case.objects.get(pk=case.pk), actor=world.people["community1"]
            )
            case = Case.objects.get(pk=case.pk)
    return case


def dispatch(world, case: Case, departments: list) -> Case:
    return services.case_dispatch(
        case=case,
        actor=world.people["community1"],
        departments=departments,
        lead=departments[0],
        whistle_type="hard",
        reason="派遣",
    )


def change_apply(world, person: str, change: str) -> None:
    user = world.people[person]
    kind, _, unit = change.partition(":")
    if kind == "remove":
        for membership in Membership.objects.filter(user=user):
            memberships.membership_remove(membership=membership)
    elif kind == "disable":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif kind == "grid":
        memberships.membership_add(user=user, role=Role.GRID_MEMBER, area=world.areas[unit])
    else:
        department = world.departments[unit]
        memberships.membership_add(user=user, role=Role.DEPARTMENT_STAFF, department=department)


class CaseVisibilityProperty(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(cases=cases, changes=changes)
    def test_the_list_and_the_single_case_agree(self, cases, changes):
        world = world_build()
        for spec in cases:
            case_build(world, *spec)
        for change in changes:
            change_apply(world, *change)
        everyone = [*User.objects.all(), AnonymousUser()]  # fresh: no cached grants
        for person in everyone:
            listed = set(cases_visible_to(person).values_list("pk", flat=True))
            all_cases = Case.objects.select_related("area").prefetch_related(
                "dispatches__department"
            )
            single = {case.pk for case in all_cases if can_view(person, case)}
            assert listed == single, f"{person}: list {sorted(listed)}, single {sorted(single)}"
