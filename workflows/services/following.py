"""我也遇到 (+1) and merging duplicates: more people behind one case.

A follower is an account, or a name and phone; followers are told when the case's status
changes (`common.followers_tell`, called by `common.event_record`), phone-only followers by SMS when
it is closed. `Case.follower_count` is kept here, in the same transaction as the rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import User
from grids.phones import normalise_phone
from notifications.models import Notification

from ..choices import EventKind
from ..lifecycle import CaseLifecycle
from ..models import Case, CaseFollower
from .common import case_locked, event_announce, transition_check


@transaction.atomic
def case_follow(
    *, case: Case, actor: User | None, contact_name: str = "", contact_phone: str = ""
) -> CaseFollower:
    """我也遇到: `actor` (or, without an account, the person with `contact_phone`) has the
    same problem; they follow the case from now on and are counted on it."""
    phone = normalise_phone(contact_phone) if contact_phone else ""
    if actor is None and not phone:
        raise ValidationError(_("Give your phone so that you can be told of progress."))
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "follow", actor)
        if actor is None and (
            phone == case.contact_phone or case.followers.filter(contact_phone=phone).exists()
        ):
            raise ValidationError(
                _("This phone already follows case %(number)s.") % {"number": case.number}
            )
        follower = CaseFollower.objects.create(
            case=case, user=actor, contact_name=contact_name.strip()[:64], contact_phone=phone
        )
        case.follower_count = case.followers.count()
        case.save(update_fields=["follower_count", "updated_at"])
        event_announce(
            case,
            EventKind.FOLLOWED,
            actor,
            before=case.status,
            followers=case.follower_count,
            tell=[case.handler],
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{case.number}：又有 1 人反映同一问题（共 {case.follower_count + 1} 人）",
        )
    return follower


def followers_move(duplicate: Case, original: Case) -> int:
    """Merging: the duplicate's reporter and followers follow the original instead (once
    each; never its own reporter). Both counters are recounted. Returns how many moved."""
    moved = 0
    people = [
        (f.user, f.contact_name, f.contact_phone)
        for f in duplicate.followers.select_related("user")
    ]
    people.insert(0, (duplicate.reporter, duplicate.contact_name, duplicate.contact_phone))
    for user, name, phone in people:
        if _already_behind(original, user, phone):
            continue
        CaseFollower.objects.create(
            case=original,
            user=user,
            contact_name=name,
            contact_phone="" if user is not None else phone,
        )
        moved += 1
    duplicate.followers.all().delete()
    duplicate.follower_count = 0
    original.follower_count = original.followers.count()
    return moved


def _already_behind(case: Case, user: User | None, phone: str) -> bool:
    if user is not None:
        return case.reporter_id == user.pk or case.followers.filter(user=user).exists()
    if not phone:
        return True  # an anonymous report without a phone: nobody to tell
    return case.contact_phone == phone or case.followers.filter(contact_phone=phone).exists()
