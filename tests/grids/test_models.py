import pytest
from django.core.exceptions import ValidationError

from grids.models import Area, Membership
from grids.roles import AreaLevel, Role
from tests.factories import AreaFactory, DepartmentFactory, UserFactory, child_area


def test_path_is_the_chain_of_primary_keys(tree):
    grid = tree["S-01-01"]
    assert grid.path == f"{tree['S'].pk}/{tree['S-01'].pk}/{grid.pk}/"
    assert grid.ancestor_ids == [tree["S"].pk, tree["S-01"].pk, grid.pk]
    assert grid.depth == 2


def test_descendants_are_one_prefix_query(tree):
    below = Area.objects.filter(path__startswith=tree["S-01"].path)
    assert {a.code for a in below} == {"S-01", "S-01-01", "S-01-02", "S-01-01-01"}


def test_moving_an_area_rewrites_its_whole_subtree(tree):
    grid = tree["S-01-01"]
    grid.parent = tree["S-02"]
    grid.save()
    micro = Area.objects.get(code="S-01-01-01")
    assert micro.path == f"{tree['S'].pk}/{tree['S-02'].pk}/{grid.pk}/{micro.pk}/"
    below = Area.objects.filter(path__startswith=tree["S-02"].path)
    assert {a.code for a in below} == {"S-02", "S-02-01", "S-02-02", "S-01-01", "S-01-01-01"}


@pytest.mark.parametrize(
    ("level", "parent_code", "message"),
    [
        (AreaLevel.GRID, None, "Only a street may have no parent"),
        (AreaLevel.COMMUNITY, "S-01-01", "cannot lie under"),
        (AreaLevel.STREET, "S", "cannot lie under"),
    ],
)
def test_clean_rejects_an_impossible_tree(tree, level, parent_code, message):
    area = Area(code="X-1", name="x", level=level, parent=tree.get(parent_code))
    with pytest.raises(ValidationError, match=message):
        area.full_clean()


def test_clean_rejects_a_cycle(tree):
    community = tree["S-01"]
    community.parent = tree["S-01-01"]
    community.level = AreaLevel.MICROGRID  # a legal level below a grid, still a cycle
    with pytest.raises(ValidationError, match="below itself"):
        community.full_clean()


def test_code_format_is_enforced(db):
    with pytest.raises(ValidationError, match="capital letters"):
        Area(code="qg 01", name="x", level=AreaLevel.STREET).full_clean()


@pytest.mark.parametrize(
    ("role", "unit", "message"),
    [
        (Role.GRID_MEMBER, "S-01", "cannot be held on a"),
        (Role.COMMUNITY_STAFF, "S-01-01", "cannot be held on a"),
        (Role.STREET_OFFICIAL, "S-01", "cannot be held on a"),
        (Role.DEPARTMENT_STAFF, "S-01-01", "held on a department"),
        (Role.GRID_MEMBER, "department", "held on an area"),
    ],
)
def test_membership_role_must_fit_the_unit(tree, role, unit, message):
    user = UserFactory()
    kwargs = {"department": DepartmentFactory()} if unit == "department" else {"area": tree[unit]}
    with pytest.raises(ValidationError, match=message):
        Membership(user=user, role=role, **kwargs).full_clean()


def test_membership_needs_exactly_one_unit(tree):
    membership = Membership(
        user=UserFactory(), role=Role.RESIDENT, area=tree["S"], department=DepartmentFactory()
    )
    with pytest.raises(ValidationError, match="either an area or a department"):
        membership.full_clean()


def test_only_grid_members_are_part_time(tree):
    membership = Membership(
        user=UserFactory(), role=Role.COMMUNITY_STAFF, area=tree["S-01"], part_time=True
    )
    with pytest.raises(ValidationError, match="part-time"):
        membership.full_clean()


def test_new_street_gets_a_root_path(db):
    street = AreaFactory()
    assert street.path == f"{street.pk}/"
    community = child_area(street, AreaLevel.COMMUNITY)
    assert community.path.startswith(street.path)
