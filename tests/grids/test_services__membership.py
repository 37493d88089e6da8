from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from guardian.models import GroupObjectPermission
from guardian.shortcuts import get_perms

from grids import services
from grids.models import Membership
from grids.roles import ROLE_PERMISSIONS, Role
from grids.selectors import area_allows, department_allows
from tests.factories import DepartmentFactory, UserFactory, member

AREA_ROLES = [
    (Role.GRID_MEMBER, "S-01-01"),
    (Role.GRID_LEADER, "S-01-01"),
    (Role.COMMUNITY_STAFF, "S-01"),
    (Role.STREET_OFFICIAL, "S"),
    (Role.ADMINISTRATOR, "S"),
    (Role.RESIDENT, "S-01-01-01"),
]


@pytest.mark.parametrize(("role", "code"), AREA_ROLES)
def test_area_role_grants_exactly_its_permissions_on_its_unit(tree, role, code):
    user = UserFactory()
    member(user, role, tree[code])
    assert set(get_perms(user, tree[code])) == set(ROLE_PERMISSIONS[role])
    group = Group.objects.get(name=f"area:{tree[code].pk}:{role}")
    assert set(get_perms(group, tree[code])) == set(ROLE_PERMISSIONS[role])
    assert list(user.groups.all()) == [group]


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD])
def test_department_role_grants_its_permissions_on_the_department(db, role):
    user, department, other = UserFactory(), DepartmentFactory(), DepartmentFactory()
    member(user, role, department)
    assert set(get_perms(user, department)) == set(ROLE_PERMISSIONS[role])
    assert get_perms(user, other) == []
    assert department_allows(user, "claim_department_cases", department)
    assert department_allows(user, "assign_department_cases", department) == (
        role == Role.DEPARTMENT_HEAD
    )


def test_grid_member_cannot_dispatch_but_community_staff_can(tree):
    grid_member, staff = UserFactory(), UserFactory()
    member(grid_member, Role.GRID_MEMBER, tree["S-01-01"])
    member(staff, Role.COMMUNITY_STAFF, tree["S-01"])
    assert area_allows(grid_member, "handle_area_cases", tree["S-01-01"])
    assert not area_allows(grid_member, "dispatch_area_cases", tree["S-01-01"])
    assert area_allows(staff, "dispatch_area_cases", tree["S-01-01"])


def test_adding_twice_is_idempotent_and_updates_part_time(tree):
    user = UserFactory()
    first = member(user, Role.GRID_MEMBER, tree["S-01-01"])
    second = member(user, Role.GRID_MEMBER, tree["S-01-01"], part_time=True)
    assert first.pk == second.pk
    assert Membership.objects.get().part_time is True


def test_one_group_per_unit_and_role_is_shared(tree):
    a, b = UserFactory(), UserFactory()
    member(a, Role.GRID_MEMBER, tree["S-01-01"])
    member(b, Role.GRID_MEMBER, tree["S-01-01"])
    assert Group.objects.filter(name__startswith=f"area:{tree['S-01-01'].pk}:").count() == 1


def test_removal_revokes_the_grant(tree):
    user, colleague = UserFactory(), UserFactory()
    membership = member(user, Role.COMMUNITY_STAFF, tree["S-01"])
    member(colleague, Role.COMMUNITY_STAFF, tree["S-01"])
    services.membership_remove(membership=membership)
    user = type(user).objects.get(pk=user.pk)  # fresh permission caches
    assert not Membership.objects.filter(user=user).exists()
    assert get_perms(user, tree["S-01"]) == []
    assert not area_allows(user, "view_area_cases", tree["S-01-01"])
    assert area_allows(colleague, "view_area_cases", tree["S-01-01"])


def test_removing_one_role_keeps_the_other(tree):
    user = UserFactory()
    leader = member(user, Role.GRID_LEADER, tree["S-01-01"])
    member(user, Role.GRID_MEMBER, tree["S-01-01"])
    services.membership_remove(membership=leader)
    user = type(user).objects.get(pk=user.pk)
    assert area_allows(user, "handle_area_cases", tree["S-01-01"])
    assert not area_allows(user, "assign_area_cases", tree["S-01-01"])


def test_invalid_membership_writes_nothing(tree):
    user = UserFactory()
    with pytest.raises(ValidationError):
        member(user, Role.STREET_OFFICIAL, tree["S-01-01"])
    assert not Membership.objects.exists()
    assert not Group.objects.exists()


def test_a_failing_grant_rolls_the_membership_back(tree):
    user = UserFactory()
    with (
        mock.patch("grids.services.assign_perm", side_effect=RuntimeError("db down")),
        pytest.raises(RuntimeError),
    ):
        member(user, Role.GRID_MEMBER, tree["S-01-01"])
    assert not Membership.objects.exists()
    assert not Group.objects.exists()
    assert not user.groups.exists()


def test_a_failing_revocation_keeps_the_membership(tree):
    user = UserFactory()
    membership = member(user, Role.GRID_MEMBER, tree["S-01-01"])
    with (
        mock.patch.object(Membership, "delete", side_effect=RuntimeError("db down")),
        pytest.raises(RuntimeError),
    ):
        services.membership_remove(membership=membership)
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert area_allows(type(user).objects.get(pk=user.pk), "view_area_cases", tree["S-01-01"])


def test_deleting_a_unit_drops_its_groups_and_grants(db):
    department = DepartmentFactory()
    membership = member(UserFactory(), Role.DEPARTMENT_HEAD, department)
    services.membership_remove(membership=membership)
    assert GroupObjectPermission.objects.exists()  # the empty role group keeps its grant
    department.delete()
    assert not Group.objects.exists()
    assert not GroupObjectPermission.objects.exists()
