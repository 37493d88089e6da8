"""吹哨: whistling a case up a level, or out to the functional departments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Department, User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification
from notifications.services import notify

from ..choices import EventKind, Level, WhistleType
from ..deadlines import deadlines_set, dispatch_deadlines
from ..flows import CaseFlow
from ..models import Case, CaseDispatch
from .common import (
    area_for_level,
    case_locked,
    event_announce,
    event_record,
    open_task,
    require,
    task_complete,
    text_required,
    transition,
)

NEXT_LEVEL: dict[str, Level] = {Level.GRID: Level.COMMUNITY, Level.COMMUNITY: Level.STREET}
LEVEL_ROLES: dict[str, tuple[str, ...]] = {
    Level.COMMUNITY: (Role.COMMUNITY_STAFF,),
    Level.STREET: (Role.STREET_OFFICIAL,),
}


def _whistle_input(whistle_type: str, reason: str) -> str:
    if whistle_type not in WhistleType.values:
        raise ValidationError(_("Unknown whistle type %(type)r.") % {"type": whistle_type})
    return text_required(reason, _("Say why you are blowing the whistle."))


@transaction.atomic
def case_whistle(*, case: Case, actor: User, whistle_type: str, reason: str) -> Case:
    """吹哨 one level up: grid → community → street. The whistling level will verify."""
    reason = _whistle_input(whistle_type, reason)
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.handle)
        before = transition(case, "whistle", actor)
        case.verifier_area = case.handling_area
        case.level = NEXT_LEVEL[case.level]
        case.handling_area = area_for_level(case, case.level)
        case.whistle_type, case.handler = whistle_type, None
        deadlines_set(case, case.level)
        case.save()
        event_announce(
            case,
            EventKind.WHISTLED,
            actor,
            before=before,
            whistle_type=whistle_type,
            reason=reason,
            to_area=case.handling_area.code,
            tell=unit_members(case.handling_area, LEVEL_ROLES[case.level]),
            notice=Notification.Kind.WHISTLE,
            text=f"{case.get_whistle_type_display()} {case.number}：{reason}",
        )
        task_complete(task, actor)
    return case


@transaction.atomic
def case_dispatch(
    *,
    case: Case,
    actor: User,
    departments: list[Department],
    lead: Department,
    whistle_type: str,
    reason: str,
) -> Case:
    """吹哨 to departments: one claimable task each; `lead` leads the joint handling (联动)."""
    reason = _whistle_input(whistle_type, reason)
    departments = list(dict.fromkeys(departments))
    if not departments or lead not in departments:
        raise ValidationError(_("Choose at least one department, and the lead among them."))
    with case_locked(case) as case:
        street = area_for_level(case, Level.STREET)
        require(
            all(street in d.streets.all() for d in departments),
            _("Every department must serve the case's street."),
        )
        task = open_task(case, CaseFlow.handle)
        before = transition(case, "dispatch", actor)
        _dispatches_create(case, actor, departments, lead)
        case.verifier_area, case.whistle_type, case.handler = case.handling_area, whistle_type, None
        case.level, case.overdue = Level.DEPARTMENT, False
        case.save()
        event = event_record(
            case,
            EventKind.DISPATCHED,
            actor,
            before=before,
            whistle_type=whistle_type,
            reason=reason,
            lead=lead.code,
            departments=[d.code for d in departments],
        )
        task_complete(task, actor)
        for department in departments:
            notify(
                recipients=unit_members(department, (Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD)),
                kind=Notification.Kind.QUEUE,
                text=f"{case.get_whistle_type_display()} {case.number}：请报到",
                case=case,
                event=event,
            )
    return case


def _dispatches_create(
    case: Case, actor: User, departments: list[Department], lead: Department
) -> None:
    now = timezone.now()
    case.dispatches.filter(active=True).update(active=False)  # a new round replaces the old
    claim_due, resolve_due = dispatch_deadlines(case, now)
    CaseDispatch.objects.bulk_create(
        CaseDispatch(
            case=case,
            department=d,
            lead=d == lead,
            dispatched_by=actor,
            dispatched_at=now,
            claim_due=claim_due,
            resolve_due=resolve_due,
        )
        for d in departments
    )
