import pytest
from guardian.shortcuts import assign_perm

from grids.models import Area, Department
from grids.roles import Role
from grids.selectors import (
    area_allows,
    area_grant_paths,
    areas_q,
    department_allows,
    departments_q,
    user_roles,
)
from tests.factories import DepartmentFactory, UserFactory, member


def visible_codes(user, perm="view_area_cases") -> set[str]:
    return set(Area.objects.filter(areas_q(user, perm)).values_list("code", flat=True))


def test_a_community_grant_covers_every_area_below_it(tree):
    staff = UserFactory()
    member(staff, Role.COMMUNITY_STAFF, tree["S-01"])
    assert visible_codes(staff) == {"S-01", "S-01-01", "S-01-02", "S-01-01-01"}
    assert area_allows(staff, "view_area_cases", tree["S-01-01-01"])
    assert not area_allows(staff, "view_area_cases", tree["S-02-01"])
    assert not area_allows(staff, "view_area_cases", tree["S"])  # never upwards


def test_a_street_grant_covers_the_whole_street(tree):
    official = UserFactory()
    member(official, Role.STREET_OFFICIAL, tree["S"])
    assert visible_codes(official) == set(tree)


def test_grid_member_sees_only_their_grid(tree):
    grid_member = UserFactory()
    member(grid_member, Role.GRID_MEMBER, tree["S-02-01"])
    assert visible_codes(grid_member) == {"S-02-01"}
    assert not area_allows(grid_member, "view_area_cases", tree["S-02-02"])


def test_nested_grants_collapse_to_the_outermost(tree):
    user = UserFactory()
    member(user, Role.COMMUNITY_STAFF, tree["S-01"])
    member(user, Role.GRID_MEMBER, tree["S-01-01"])
    member(user, Role.GRID_MEMBER, tree["S-02-02"])
    assert area_grant_paths(user, "view_area_cases") == sorted(
        [tree["S-01"].path, tree["S-02-02"].path]
    )


def test_residents_and_department_staff_see_no_area(tree):
    resident, staff = UserFactory(), UserFactory()
    member(resident, Role.RESIDENT, tree["S-01-01-01"])
    member(staff, Role.DEPARTMENT_STAFF, DepartmentFactory())
    for user in (resident, staff):
        assert visible_codes(user) == set()
        assert not area_allows(user, "view_area_cases", tree["S-01-01-01"])


def test_superuser_and_global_permission_see_everything(tree):
    root = UserFactory(is_superuser=True)
    auditor = UserFactory()
    assign_perm("grids.view_area_cases", auditor)  # model-wide, not per object
    for user in (root, auditor):
        assert visible_codes(user) == set(tree)
        assert area_allows(user, "view_area_cases", tree["S-02-02"])
    assert visible_codes(auditor, "handle_area_cases") == set()


def test_disabled_and_anonymous_users_see_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    user = UserFactory()
    member(user, Role.STREET_OFFICIAL, tree["S"])
    user.is_active = False
    user.save()
    for who in (user, AnonymousUser()):
        assert visible_codes(who) == set()
        assert not area_allows(who, "view_area_cases", tree["S"])
        assert not Department.objects.filter(departments_q(who, "view_department_cases"))


def test_department_visibility_both_faces(db):
    head, police, city = UserFactory(), DepartmentFactory(), DepartmentFactory()
    member(head, Role.DEPARTMENT_HEAD, police)
    assert list(Department.objects.filter(departments_q(head, "view_department_cases"))) == [police]
    assert department_allows(head, "view_department_cases", police)
    assert not department_allows(head, "view_department_cases", city)


def test_direct_user_grant_is_an_exception_that_still_inherits(tree):
    user = UserFactory()
    assign_perm("grids.view_area_cases", user, tree["S-02"])
    assert visible_codes(user) == {"S-02", "S-02-01", "S-02-02"}


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([Role.GRID_MEMBER, Role.COMMUNITY_STAFF], [Role.COMMUNITY_STAFF, Role.GRID_MEMBER]),
        ([Role.RESIDENT], [Role.RESIDENT]),
    ],
)
def test_user_roles_are_ordered_by_seniority(tree, roles, expected):
    user = UserFactory()
    units = {Role.GRID_MEMBER: "S-01-01", Role.COMMUNITY_STAFF: "S-01", Role.RESIDENT: "S-01-01"}
    for role in roles:
        member(user, role, tree[units[role]])
    assert user_roles(user) == expected


def test_disabled_department_staff_see_no_department(db):
    # Found by the property test: guardian's get_objects_for_user ignores is_active.
    staff, police = UserFactory(), DepartmentFactory()
    member(staff, Role.DEPARTMENT_STAFF, police)
    staff.is_active = False
    staff.save()
    assert not Department.objects.filter(departments_q(staff, "view_department_cases"))
    assert not department_allows(staff, "view_department_cases", police)
