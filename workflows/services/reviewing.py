"""退单审核 and 改派: the dispatching level reviews a department's return, or moves a
department's part to another department at any time."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from grids.models import Department, User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification
from notifications.services import notify

from ..choices import EventKind, Level
from ..deadlines import part_claim_due
from ..flows import CaseFlow
from ..lifecycle import DispatchLifecycle
from ..models import Case, CaseDispatch
from .common import (
    area_for_level,
    case_locked,
    event_announce,
    event_record,
    open_task,
    task_complete,
    text_required,
    transition_check,
)
from .departments import dispatch_of

DISPATCHER_ROLES = (Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)
DEPARTMENT_ROLES = (Role.DEPARTMENT_STAFF, Role.DEPARTMENT_HEAD)


def dispatchers_of(case: Case) -> list[User]:
    """The people of the level that dispatched the case (its handling area meanwhile)."""
    return unit_members(case.handling_area, DISPATCHER_ROLES)


def review_task_prepare(*, task: Task) -> None:
    """A new review task: for the level that dispatched the case."""
    case = Case.objects.select_related("handling_area").get(process_id=task.process_id)
    task.owner_permission = "grids.dispatch_area_cases"
    task.owner_permission_obj = case.handling_area
    task.save()


def _target_checked(case: Case, dispatch: CaseDispatch, target: Department | None) -> Department:
    """The department a part moves to: another one serving the case's street, without a part
    of its own in this round."""
    if target is None:
        raise ValidationError(_("Choose the department the case goes to."))
    if target.pk == dispatch.department_id:
        raise ValidationError(_("Choose another department than the one it leaves."))
    street = area_for_level(case, Level.STREET)
    if not target.streets.filter(pk=street.pk).exists():
        raise ValidationError(
            _("%(department)s does not serve this street.") % {"department": target}
        )
    if case.dispatches.filter(active=True, department=target).exists():
        raise ValidationError(
            _("%(department)s already has a part of this case.") % {"department": target}
        )
    return target


def _part_move(
    case: Case,
    dispatch: CaseDispatch,
    target: Department,
    actor: User,
    *,
    reason: str,
    instruction: str,
) -> CaseDispatch:
    """改派: a new part for `target` (its own claim clock, the case's resolve deadline); the
    old part ends. The caller completes the old part's task: the flow opens the new claim."""
    now = timezone.now()
    moved = CaseDispatch.objects.create(
        case=case,
        department=target,
        lead=dispatch.lead,
        dispatched_by=actor,
        dispatched_at=now,
        claim_due=part_claim_due(case, now),
        resolve_due=dispatch.resolve_due,
    )
    dispatch.active, dispatch.reassigned_to, dispatch.reassigned_at = False, moved, now
    dispatch.save(update_fields=["active", "reassigned_to", "reassigned_at"])
    case_overdue_refresh(case)
    case.save()
    event = event_record(
        case,
        EventKind.REASSIGNED,
        actor,
        before=case.status,
        from_department=dispatch.department.code,
        department=target.code,
        reason=reason,
        instruction=instruction,
    )
    text = f"改派 {case.number} → {target}：{reason}"
    notify(
        recipients=unit_members(target, DEPARTMENT_ROLES),
        kind=Notification.Kind.QUEUE,
        text=f"{text}（请报到）",
        case=case,
        event=event,
    )
    notify(
        recipients=[
            dispatch.claimed_by,
            *unit_members(dispatch.department, (Role.DEPARTMENT_HEAD,)),
        ],
        kind=Notification.Kind.CASE_UPDATE,
        text=f"{dispatch.department} 的 {case.number} 已改派给 {target}",
        case=case,
        event=event,
    )
    return moved


def case_overdue_refresh(case: Case) -> None:
    """Overdue while one of its departments' live parts is late (claim or result)."""
    now = timezone.now()
    live = case.dispatches.filter(active=True, returned_at__isnull=True, resolved_at__isnull=True)
    late_claim = live.filter(claimed_at__isnull=True, claim_due__lt=now)
    case.overdue = late_claim.exists() or live.filter(resolve_due__lt=now).exists()


@transaction.atomic
def case_reassign(
    *,
    case: Case,
    department: Department,
    actor: User,
    to_department: Department | None,
    reason: str,
    instruction: str = "",
) -> CaseDispatch:
    """改派 at any time: the dispatching level moves a department's part (claimed or not) to
    another department; the old department is told. Returns the new part."""
    reason = text_required(reason, _("Give a reason for reassigning the case."))
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "reassign", actor)
        target = _target_checked(case, dispatch, to_department)
        task = open_task(case, CaseFlow.claim, dispatch=dispatch.pk)
        moved = _part_move(
            case, dispatch, target, actor, reason=reason, instruction=instruction.strip()
        )
        task_complete(task, actor)
    return moved


@transaction.atomic
def case_return_accept(
    *,
    case: Case,
    department: Department,
    actor: User,
    reason: str,
    to_department: Department | None = None,
    instruction: str = "",
) -> CaseDispatch:
    """退单审核, accepted: the returning department's part ends (counted as returned, not as
    failed); with `to_department`, 改派 to it. Returns the part the case goes on with (the
    new one), or the ended one."""
    reason = text_required(reason, _("Give a reason for your decision."))
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "accept_return", actor)
        if to_department is not None:
            _target_checked(case, dispatch, to_department)
        task = open_task(case, CaseFlow.review_return, dispatch=dispatch.pk)
        dispatch.return_accepted_at = timezone.now()
        dispatch.save(update_fields=["return_accepted_at"])
        case_overdue_refresh(case)
        case.save()
        event_announce(
            case,
            EventKind.RETURN_ACCEPTED,
            actor,
            before=case.status,
            department=department.code,
            reason=reason,
            tell=[dispatch.claimed_by, *unit_members(department, (Role.DEPARTMENT_HEAD,))],
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{department} 退回 {case.number} 已通过审核：{reason}",
        )
        result = dispatch
        if to_department is not None:
            result = _part_move(
                case, dispatch, to_department, actor, reason=reason, instruction=instruction.strip()
            )
        task_complete(task, actor)
    return result


@transaction.atomic
def case_return_refuse(
    *, case: Case, department: Department, actor: User, reason: str
) -> CaseDispatch:
    """退单审核, refused: the part goes back to the same department with the dispatcher's
    reason; it must report for duty again, its claim clock restarted."""
    reason = text_required(reason, _("Say why the department must keep the case."))
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "refuse_return", actor)
        task = open_task(case, CaseFlow.review_return, dispatch=dispatch.pk)
        answered_at = dispatch.claimed_at or dispatch.returned_at
        in_time = answered_at is not None and answered_at <= dispatch.claim_due
        now = timezone.now()
        dispatch.returned_at, dispatch.return_reason, dispatch.review_due = None, "", None
        dispatch.claimed_by, dispatch.claimed_at, dispatch.claim_overdue = None, None, False
        dispatch.claim_due = part_claim_due(case, now)
        dispatch.save()
        case_overdue_refresh(case)
        case.save()
        event_announce(
            case,
            EventKind.RETURN_REFUSED,
            actor,
            before=case.status,
            department=department.code,
            reason=reason,
            answered_in_time=in_time,  # the answer the return was: no longer one (counters)
            tell=unit_members(department, DEPARTMENT_ROLES),
            notice=Notification.Kind.QUEUE,
            text=f"{department} 退回 {case.number} 未通过审核：{reason}（请重新报到）",
        )
        task_complete(task, actor)
    return dispatch


def return_review_overdue(*, dispatch_id: int) -> None:
    """A return not reviewed in time: tell the dispatching level and the street."""
    dispatch = CaseDispatch.objects.select_related("case", "department").get(pk=dispatch_id)
    with case_locked(dispatch.case) as case:
        dispatch.refresh_from_db()
        if not dispatch.active or dispatch.returned_at is None or dispatch.return_accepted_at:
            return
        street = area_for_level(case, Level.STREET)
        recipients = dispatchers_of(case) + unit_members(street, (Role.STREET_OFFICIAL,))
        event_announce(
            case,
            EventKind.RETURN_REVIEW_WENT_OVERDUE,
            None,
            before=case.status,
            department=dispatch.department.code,
            tell=recipients,
            notice=Notification.Kind.OVERDUE,
            text=f"{dispatch.department} 退回的 {case.number} 超时未审核",
        )
