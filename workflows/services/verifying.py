"""接管核查: the street takes over the verification of a case resolved below it."""

from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import EventKind
from ..models import Case
from ..permissions import case_street
from .common import case_locked, event_announce, text_required, transition

VERIFIER_ROLES_BELOW = (Role.GRID_MEMBER, Role.GRID_LEADER, Role.COMMUNITY_STAFF)


@transaction.atomic
def case_verification_take_over(*, case: Case, actor: User, reason: str) -> Case:
    """The street becomes the case's verifying level (`Case.verifier_area`): its officials
    may verify it or send it back for rework; the level that whistled or dispatched it no
    longer may, and is told why."""
    reason = text_required(reason, _("Say why the street takes the verification over."))
    with case_locked(case) as case:
        before = transition(case, "take_over_verification", actor)
        street = case_street(case)
        assert street is not None  # the transition's permission found it
        previous = case.verifier_area
        case.verifier_area = street
        case.save()
        event_announce(
            case,
            EventKind.VERIFICATION_TAKEN_OVER,
            actor,
            before=before,
            reason=reason,
            from_area=previous.code,
            to_area=street.code,
            tell=unit_members(previous, VERIFIER_ROLES_BELOW),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"接管核查 {case.number}：{reason}",
        )
    return case
