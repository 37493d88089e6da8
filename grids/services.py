"""Every write to the organisation: memberships and the guardian grants that follow them.

A membership puts its user in one group per (unit, role); that group holds the role's object
permissions on the unit. Adding or removing a membership and its grant is one transaction.
"""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from .models import Area, Department, Membership, User
from .roles import ROLE_PERMISSIONS
from .selectors import user_grants_forget
from .signals import access_changed


def role_group_name(unit: Area | Department, role: str) -> str:
    kind = "area" if isinstance(unit, Area) else "department"
    return f"{kind}:{unit.pk}:{role}"


def role_group_prefix(unit: Area | Department) -> str:
    return role_group_name(unit, "")


def role_group_get(*, unit: Area | Department, role: str) -> Group:
    """The (unit, role) group, created if needed, holding exactly the role's permissions."""
    group, _ = Group.objects.get_or_create(name=role_group_name(unit, role))
    wanted = set(ROLE_PERMISSIONS[role])
    held = set(get_perms(group, unit))
    for codename in wanted - held:
        assign_perm(codename, group, unit)
    for codename in held - wanted:
        remove_perm(codename, group, unit)
    return group


@transaction.atomic
def membership_add(
    *,
    user: User,
    role: str,
    area: Area | None = None,
    department: Department | None = None,
    part_time: bool = False,
) -> Membership:
    """Give `user` `role` on an area or a department, with its permissions (idempotent)."""
    membership = Membership.objects.filter(
        user=user, role=role, area=area, department=department
    ).first()
    if membership is None:
        membership = Membership(
            user=user, role=role, area=area, department=department, part_time=part_time
        )
        membership.full_clean()
        membership.save()
    elif membership.part_time != part_time:
        membership.part_time = part_time
        membership.full_clean()
        membership.save(update_fields=["part_time"])
    unit = membership.unit
    assert unit is not None  # full_clean() and the check constraint require one
    user.groups.add(role_group_get(unit=unit, role=role))
    user_grants_forget(user)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Take the role away: the membership and the group (hence the grant) go together."""
    unit = membership.unit
    assert unit is not None  # the check constraint requires one
    group = Group.objects.filter(name=role_group_name(unit, membership.role)).first()
    if group is not None:
        membership.user.groups.remove(group)
    user_grants_forget(membership.user)
    membership.delete()
    access_changed.send(sender=Membership, user=membership.user)


def unit_grants_delete(*, unit: Area | Department) -> None:
    """Drop every object permission on a deleted unit, and its now useless role groups."""
    Group.objects.filter(name__startswith=role_group_prefix(unit)).delete()
    content_type = ContentType.objects.get_for_model(unit)
    for model in (UserObjectPermission, GroupObjectPermission):
        model.objects.filter(content_type=content_type, object_pk=str(unit.pk)).delete()
