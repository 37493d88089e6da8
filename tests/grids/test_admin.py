"""The admin: a tree-ordered area list, and memberships that grant through the service."""

from django.contrib.auth.models import Group
from django.urls import reverse

from grids.models import Membership
from grids.roles import Role
from grids.selectors import area_allows
from tests.factories import UserFactory


def test_area_list_is_ordered_as_a_tree_and_indented(admin_client, tree):
    html = admin_client.get(reverse("admin:grids_area_changelist")).content.decode()
    positions = [
        html.index(f">{code}<")
        for code in ("S", "S-01", "S-01-01", "S-01-01-01", "S-01-02", "S-02", "S-02-01")
    ]
    assert positions == sorted(positions)
    assert "tree-depth-3" in html  # the micro-grid, three levels down (indented by class)


def test_adding_a_membership_in_the_admin_grants_its_permissions(admin_client, tree):
    user = UserFactory()
    response = admin_client.post(
        reverse("admin:grids_membership_add"),
        {"user": user.pk, "role": Role.COMMUNITY_STAFF, "area": tree["S-01"].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert area_allows(user, "dispatch_area_cases", tree["S-01-02"])


def test_an_impossible_membership_is_a_form_error(admin_client, tree):
    user = UserFactory()
    response = admin_client.post(
        reverse("admin:grids_membership_add"),
        {"user": user.pk, "role": Role.STREET_OFFICIAL, "area": tree["S-01-01"].pk},
    )
    assert response.status_code == 200
    assert "街道工作人员不能在网格任职" in response.content.decode()  # the admin speaks zh-hans
    assert not Membership.objects.exists()


def test_deleting_a_membership_in_the_admin_revokes_it(admin_client, tree):
    user = UserFactory()
    admin_client.post(
        reverse("admin:grids_membership_add"),
        {"user": user.pk, "role": Role.GRID_MEMBER, "area": tree["S-01-01"].pk},
    )
    membership = Membership.objects.get(user=user)
    response = admin_client.post(
        reverse("admin:grids_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.exists()
    assert not user.groups.exists() and Group.objects.count() == 1
    assert not area_allows(type(user).objects.get(pk=user.pk), "view_area_cases", tree["S-01-01"])
