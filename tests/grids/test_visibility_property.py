"""Property: the queryset face and the single-object face of visibility always agree.

Random forests of areas, random users holding random roles (some later removed), direct
per-object grants, model-wide grants, disabled accounts: for every user, permission and
area/department, `X.objects.filter(areas_q(...))` contains exactly the objects for which
`area_allows(...)` is true. The object check walks guardian's checker over the ancestors,
the Q is a path-prefix query over guardian's grants: two independent routes to one answer.
"""

from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from grids import services
from grids.models import Area, Department, User
from grids.roles import AREA_ROLE_LEVELS, DEPARTMENT_ROLES, LEVEL_RANK, AreaLevel
from grids.selectors import area_allows, areas_q, department_allows, departments_q

LEVELS = list(AreaLevel.values)
AREA_PERMS = ["view_area_cases", "dispatch_area_cases", "assign_area_cases", "manage_area"]
DEPARTMENT_PERMS = ["view_department_cases", "assign_department_cases"]

forests = st.lists(  # parent index (or None for a new street) for each further area
    st.one_of(st.none(), st.integers(min_value=0, max_value=30)), min_size=0, max_size=14
)
grants = st.lists(
    st.tuples(
        st.integers(0, 4),  # user
        st.sampled_from(["role", "department_role", "direct", "global"]),
        st.integers(0, 1000),  # picks a role/perm
        st.integers(0, 1000),  # picks the unit
        st.booleans(),  # removed again afterwards (memberships only)
    ),
    max_size=12,
)


def build_forest(parents: list[int | None]) -> list[Area]:
    areas = [Area.objects.create(code="R0", name="r0", level=AreaLevel.STREET)]
    for i, parent_index in enumerate(parents, start=1):
        open_parents = [a for a in areas if LEVEL_RANK[a.level] < len(LEVELS) - 1]
        if parent_index is None or not open_parents:
            areas.append(Area.objects.create(code=f"R{i}", name=f"r{i}", level=AreaLevel.STREET))
            continue
        parent = open_parents[parent_index % len(open_parents)]
        level = LEVELS[LEVEL_RANK[parent.level] + 1]
        areas.append(Area.objects.create(code=f"R{i}", name=f"r{i}", level=level, parent=parent))
    return areas


def apply_grant(grant, users, areas, departments) -> None:
    user_index, kind, pick, unit_pick, removed = grant
    user = users[user_index]
    if kind == "direct":
        assign_perm(AREA_PERMS[pick % len(AREA_PERMS)], user, areas[unit_pick % len(areas)])
    elif kind == "global":
        assign_perm(f"grids.{AREA_PERMS[pick % len(AREA_PERMS)]}", user)
    elif kind == "department_role":
        role = sorted(DEPARTMENT_ROLES)[pick % len(DEPARTMENT_ROLES)]
        department = departments[unit_pick % len(departments)]
        membership = services.membership_add(user=user, role=role, department=department)
        if removed:
            services.membership_remove(membership=membership)
    else:
        roles = sorted(AREA_ROLE_LEVELS)
        role = roles[pick % len(roles)]
        fitting = [a for a in areas if a.level in AREA_ROLE_LEVELS[role]]
        if fitting:
            area = fitting[unit_pick % len(fitting)]
            membership = services.membership_add(user=user, role=role, area=area)
            if removed:
                services.membership_remove(membership=membership)


class VisibilityAgreement(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        parents=forests,
        grant_list=grants,
        disabled=st.sets(st.integers(0, 4)),
        superuser=st.one_of(st.none(), st.integers(0, 4)),
    )
    def test_q_and_object_check_agree(self, parents, grant_list, disabled, superuser):
        areas = build_forest(parents)
        departments = [Department.objects.create(code=f"D{i}", name=f"d{i}") for i in range(3)]
        users = [User.objects.create(username=f"u{i}") for i in range(5)]
        for grant in grant_list:
            apply_grant(grant, users, areas, departments)
        User.objects.filter(username__in=[f"u{i}" for i in disabled]).update(is_active=False)
        if superuser is not None:
            User.objects.filter(username=f"u{superuser}").update(is_superuser=True)

        for user in [*User.objects.all(), AnonymousUser()]:
            for perm in AREA_PERMS:
                by_query = set(Area.objects.filter(areas_q(user, perm)))
                by_object = {a for a in Area.objects.all() if area_allows(user, perm, a)}
                assert by_query == by_object, (user, perm)
            for perm in DEPARTMENT_PERMS:
                by_query = set(Department.objects.filter(departments_q(user, perm)))
                by_object = {d for d in departments if department_allows(user, perm, d)}
                assert by_query == by_object, (user, perm)
