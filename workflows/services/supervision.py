"""督办: the street supervises a case (instruction, due time); the handling unit's head and the
handler are told; a supervised case going overdue tells the street; the supervision ends
when the case closes, on time or not (the board's count and on-time share)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import EventKind, Level
from ..errors import CaseConflict
from ..lifecycle import CaseLifecycle
from ..models import Case, CaseSupervision
from .common import (
    area_for_level,
    case_locked,
    event_announce,
    event_record,
    text_required,
    transition_check,
)


def _handling_unit(case: Case) -> list[User | None]:
    """The handler and the head of the unit handling the case."""
    if case.level == Level.DEPARTMENT:
        people: list[User | None] = []
        for part in case.dispatches.filter(active=True).select_related("department", "claimed_by"):
            people += [part.claimed_by, *unit_members(part.department, (Role.DEPARTMENT_HEAD,))]
        return people
    heads = (Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)
    return [case.handler, *unit_members(case.handling_area, heads)]


@transaction.atomic
def case_supervise(*, case: Case, actor: User, instruction: str, due: datetime) -> CaseSupervision:
    """督办 an open case until `due`, with an instruction."""
    instruction = text_required(instruction, _("Give the supervision's instruction."))
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "supervise", actor)
        if due <= timezone.now():
            raise ValidationError(_("The supervision's due time must lie ahead."))
        try:
            with transaction.atomic():
                supervision = CaseSupervision.objects.create(
                    case=case, supervised_by=actor, instruction=instruction, due=due
                )
        except IntegrityError as exc:
            raise CaseConflict(
                _("Case %(number)s is already supervised.") % {"number": case.number}
            ) from exc
        case.supervised_due = due  # the badge, read with the case wherever it is listed
        case.save(update_fields=["supervised_due", "updated_at"])
        event_announce(
            case,
            EventKind.SUPERVISED,
            actor,
            before=case.status,
            instruction=instruction,
            due=due.isoformat(),
            tell=_handling_unit(case),
            notice=Notification.Kind.WHISTLE,
            text=f"督办 {case.number}：{instruction}",
        )
    return supervision


def supervision_end(case: Case) -> None:
    """In the transaction of the service that ends the case (closed, or rejected or merged as
    a duplicate): its open supervision ends, on time if by its due. The parts of the
    departments at work on it (not returned) carry the outcome, once, for their board."""
    supervision = case.supervisions.select_for_update().filter(ended_at__isnull=True).first()
    if supervision is None:
        return
    assert case.closed_at is not None
    supervision.ended_at = case.closed_at
    supervision.on_time = case.closed_at <= supervision.due
    supervision.save(update_fields=["ended_at", "on_time"])
    case.supervised_due = None
    case.save(update_fields=["supervised_due", "updated_at"])
    parts = case.dispatches.filter(
        active=True, returned_at__isnull=True, supervision_on_time__isnull=True
    )
    ids = list(parts.order_by("pk").values_list("pk", flat=True))
    parts.filter(pk__in=ids).update(supervision_on_time=supervision.on_time)
    event_record(
        case,
        EventKind.SUPERVISION_ENDED,
        None,
        before=case.status,
        on_time=supervision.on_time,
        parts=ids,
    )


def supervisors_of(case: Case) -> list[User]:
    """The street's officials, told when a supervised case goes overdue."""
    if not case.supervisions.filter(ended_at__isnull=True).exists():
        return []
    return unit_members(area_for_level(case, Level.STREET), (Role.STREET_OFFICIAL,))
