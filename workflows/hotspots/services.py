"""What a street official does with a hot spot: turn it into a proactive case (主动治理),
linked to the group, or dismiss it with a reason. And the board's read of them."""

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, User

from ..choices import Source
from ..errors import CaseActionDenied, CaseConflict
from ..models import Case, HotSpot
from ..services import case_report
from ..services.common import text_required
from ..visibility import hotspots_manage_allowed

LISTED = 10  # on the board


def hotspots_in(scope: Area) -> QuerySet[HotSpot]:
    """The open hot spots inside `scope`, most cases first, then the steepest rise."""
    return (
        HotSpot.objects.filter(state=HotSpot.State.OPEN, area__path__startswith=scope.path)
        .select_related("category", "area")
        .order_by("-count", (F("previous") - F("recent")).asc(), "pk")
    )


def _decidable(hotspot: HotSpot, actor: User) -> HotSpot:
    if not hotspots_manage_allowed(actor, hotspot.street):
        raise CaseActionDenied(
            _("%(actor)s may not act on the hot spots of %(street)s.")
            % {"actor": actor, "street": hotspot.street.name}
        )
    current = (
        HotSpot.objects.select_for_update().select_related("category", "area").get(pk=hotspot.pk)
    )
    if current.state != HotSpot.State.OPEN:
        raise CaseConflict(_("This hot spot has already been decided."))
    return current


def _description(hotspot: HotSpot) -> str:
    numbers = list(
        Case.objects.filter(pk__in=hotspot.case_ids)
        .order_by("reported_at")
        .values_list("number", flat=True)
    )
    return _(
        "Found before anyone complained again: %(count)d cases of %(category)s within "
        "%(radius)d m of each other (%(recent)d in the last 30 days, %(previous)d in the 30 "
        "before): %(numbers)s"
    ) % {
        "count": hotspot.count,
        "category": hotspot.category.name,
        "radius": settings.GRIDCASE_HOTSPOT_RADIUS_M,
        "recent": hotspot.recent,
        "previous": hotspot.previous,
        "numbers": "、".join(numbers),
    }


@transaction.atomic
def hotspot_turn(*, hotspot: HotSpot, actor: User) -> Case:
    """主动治理: a case for the group's problem, at its centre, in the area most of its cases
    are in, reported by the official; the hot spot points to it and is closed."""
    current = _decidable(hotspot, actor)
    case = case_report(
        title=_("Proactive: %(category)s (%(count)d cases)")
        % {"category": current.category.name, "count": current.count},
        description=_description(current),
        category=current.category,
        area=current.area,
        source=Source.PROACTIVE,
        reporter=actor,
        latitude=current.latitude,
        longitude=current.longitude,
    )
    current.state, current.case = HotSpot.State.TURNED, case
    current.decided_by, current.decided_at = actor, timezone.now()
    current.save(update_fields=["state", "case", "decided_by", "decided_at"])
    return case


@transaction.atomic
def hotspot_dismiss(*, hotspot: HotSpot, actor: User, reason: str) -> HotSpot:
    """Not a problem to act on (a market day, already known): kept, with the reason."""
    reason = text_required(reason, _("Give a reason for dismissing the hot spot."))
    current = _decidable(hotspot, actor)
    current.state, current.reason = HotSpot.State.DISMISSED, reason
    current.decided_by, current.decided_at = actor, timezone.now()
    current.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    return current
