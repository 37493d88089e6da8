"""Every write to the organisation: memberships and the guardian grants that follow them.

A membership puts its user in one group per (unit, role); that group holds the role's object
permissions on the unit. Adding or removing a membership and its grant is one transaction.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, get_perms, remove_perm

from notifications.sms import send_sms

from .models import Area, Department, Membership, PhoneCode, User
from .phones import normalise_phone
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


# --- proving a phone: a code by SMS -----------------------------------------------------------

PHONE_CODE_DIGITS = 6
PHONE_CODE_LIFETIME = timedelta(minutes=10)
PHONE_CODE_INTERVAL = timedelta(seconds=60)
PHONE_CODES_PER_DAY = 5
PHONE_CODE_ATTEMPTS = 5
PHONE_PATTERN = re.compile(r"1\d{10}|\+\d{8,15}")


class PhoneCodeRefused(ValueError):
    """A code that cannot be sent or accepted; the message says why, for the person."""


def _phone_code_hash(user: User, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(
        key, f"phone-code:{user.pk}:{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def phone_code_send(*, user: User, phone: str) -> PhoneCode:
    """Send a fresh code to `phone` for `user` (after commit); at most one a minute and
    five a day per account, so the SMS gateway cannot be used to flood a number."""
    phone = normalise_phone(phone)
    if not PHONE_PATTERN.fullmatch(phone):
        raise PhoneCodeRefused(_("Enter a mobile phone number, e.g. 13800138000."))
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sender at a time
    now = timezone.now()
    recent = PhoneCode.objects.filter(user=user, created_at__gte=now - timedelta(days=1))
    latest = recent.first()
    if latest is not None and latest.created_at > now - PHONE_CODE_INTERVAL:
        wait = int((latest.created_at + PHONE_CODE_INTERVAL - now).total_seconds()) + 1
        raise PhoneCodeRefused(
            _("A code was sent just now. You can ask for another in %(seconds)d seconds.")
            % {"seconds": wait}
        )
    if recent.count() >= PHONE_CODES_PER_DAY:
        raise PhoneCodeRefused(_("Too many codes today. Please try again tomorrow."))
    code = f"{secrets.randbelow(10**PHONE_CODE_DIGITS):0{PHONE_CODE_DIGITS}d}"
    row = PhoneCode.objects.create(
        user=user, phone=phone, code_hash=_phone_code_hash(user, phone, code)
    )
    text = _("GridCase verification code: %(code)s (valid for 10 minutes).") % {"code": code}
    transaction.on_commit(lambda: send_sms(phone, text))
    return row


def phone_code_confirm(*, user: User, code: str) -> User:
    """Accept the latest code sent to the user: the phone becomes the account's, verified.
    A wrong code counts (committed) before it is refused; five wrong ones end the code."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            PhoneCode.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if row is None or row.created_at < now - PHONE_CODE_LIFETIME:
            raise PhoneCodeRefused(_("This code has expired. Please ask for a new one."))
        if row.attempts >= PHONE_CODE_ATTEMPTS:
            raise PhoneCodeRefused(_("Too many wrong codes. Please ask for a new one."))
        right = hmac.compare_digest(row.code_hash, _phone_code_hash(user, row.phone, code.strip()))
        if right:
            row.confirmed_at = now
            row.save(update_fields=["confirmed_at"])
            user.phone = row.phone
            user.phone_verified_at = now
            user._phone_just_verified = True
            user.save(update_fields=["phone", "phone_verified_at"])
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
    if not right:
        raise PhoneCodeRefused(_("This code is not right. Please check the message and try again."))
    return user
