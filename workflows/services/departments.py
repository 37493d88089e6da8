"""报到: departments claim dispatched cases, return them, or report their result."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from grids.models import Department, User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification
from notifications.services import notify

from ..choices import CASE_LEVEL_BY_AREA_LEVEL, EventKind, PhotoKind, Status
from ..deadlines import deadlines_set, return_review_due
from ..errors import AlreadyClaimed, CaseConflict
from ..flows import CaseFlow
from ..lifecycle import DispatchLifecycle
from ..models import Case, CaseDispatch
from ..permissions import can_claim_for
from ..photos import photo_clean
from .common import (
    area_for_level,
    case_locked,
    event_announce,
    event_record,
    open_task,
    photos_attach,
    task_complete,
    text_required,
    transition,
    transition_check,
)
from .supervision import supervisors_of


def dispatch_of(case: Case, department: Department) -> CaseDispatch:
    """The department's part of the current round, locked."""
    dispatch = (
        case.dispatches.select_for_update(of=("self",))
        .select_related("claimed_by", "department")
        .filter(active=True, department=department)
        .first()
    )
    if dispatch is None:
        raise CaseConflict(
            _("Case %(number)s is not waiting for %(department)s.")
            % {"number": case.number, "department": department}
        )
    return dispatch


def _people_to_tell(case: Case, dispatch: CaseDispatch) -> list[User | None]:
    return [dispatch.dispatched_by, case.reporter]


def dispatch_task_prepare(*, task: Task) -> None:
    """A new claim task: claimable by the department; back to its claimer after a rework."""
    dispatch = CaseDispatch.objects.select_related("department").get(pk=task.data["dispatch"])
    task.owner_permission = "grids.claim_department_cases"
    task.owner_permission_obj = dispatch.department
    task.save()
    if dispatch.claimed_by_id:
        task.flow_task.activation_class(task).assign(dispatch.claimed_by)


@transaction.atomic
def case_claim(*, case: Case, department: Department, actor: User) -> CaseDispatch:
    """报到: exactly one person claims a department's part; everyone else is told who did."""
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        if dispatch.claimed_by_id and can_claim_for(actor, dispatch):
            when = timezone.localtime(dispatch.claimed_at)
            raise AlreadyClaimed(
                _("Already claimed by %(owner)s at %(time)s.")
                % {"owner": dispatch.claimed_by, "time": f"{when:%Y-%m-%d %H:%M:%S}"},
                owner=dispatch.claimed_by,
                claimed_at=dispatch.claimed_at,
            )
        transition_check(DispatchLifecycle(case, dispatch), "claim", actor)
        dispatch_take(case, dispatch, owner=actor, actor=actor)
    return dispatch


def dispatch_take(
    case: Case, dispatch: CaseDispatch, *, owner: User, actor: User, **payload: object
) -> None:
    """`owner` reports for duty on the department's part (claimed, or given by a head)."""
    task = open_task(case, CaseFlow.claim, dispatch=dispatch.pk)
    task.flow_task.activation_class(task).assign(owner)
    now = timezone.now()
    dispatch.claimed_by, dispatch.claimed_at = owner, now
    dispatch.save(update_fields=["claimed_by", "claimed_at"])
    before = case.status
    if case.status == Status.DISPATCHED:
        transition(case, "claim", actor)
        case.responded_at = now
    # still overdue only if another department has let its claim limit pass
    case.overdue = (
        case.dispatches.filter(active=True, claimed_at__isnull=True, claim_overdue=True)
        .exclude(pk=dispatch.pk)
        .exists()
    )
    case.save()
    department = dispatch.department
    event_announce(
        case,
        EventKind.CLAIMED,
        actor,
        before=before,
        department=department.code,
        tell=[*_people_to_tell(case, dispatch), owner if owner != actor else None],
        notice=Notification.Kind.CASE_UPDATE,
        text=f"{department} 已报到 {case.number}",
        **payload,
    )


@transaction.atomic
def case_return(*, case: Case, department: Department, actor: User, reason: str) -> CaseDispatch:
    """退回: the department sends its part back to the dispatching level, with a reason; the
    return waits there for review (退单审核, `services.reviewing`)."""
    reason = text_required(reason, _("Give a reason for returning the case."))
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "return_to_dispatcher", actor)
        now = timezone.now()
        dispatch.returned_at, dispatch.return_reason = now, reason
        dispatch.review_due = return_review_due(now)
        dispatch.save(update_fields=["returned_at", "return_reason", "review_due"])
        dispatchers = unit_members(case.handling_area, (Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL))
        event = event_record(
            case,
            EventKind.RETURNED,
            actor,
            before=case.status,
            department=department.code,
            reason=reason,
            review_due=dispatch.review_due.isoformat(),
        )
        notify(
            recipients=[*_people_to_tell(case, dispatch), *dispatchers],
            kind=Notification.Kind.CASE_UPDATE,
            text=f"{department} 退回 {case.number}：{reason}",
            case=case,
            event=event,
            push=True,  # the dispatcher must review it within 2 h (退单审核): by Web Push too
        )
        task_complete(open_task(case, CaseFlow.claim, dispatch=dispatch.pk), actor)
    return dispatch


@transaction.atomic
def case_dispatch_resolve(
    *,
    case: Case,
    department: Department,
    actor: User,
    result: str,
    photos: Sequence[File[bytes]] = (),
) -> CaseDispatch:
    """The department reports its result, with at least one after-photo."""
    result = text_required(result, _("Describe what was done."))
    if not photos:
        raise ValidationError(_("Add at least one photo of the result."))
    cleaned = [photo_clean(photo) for photo in photos]
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "resolve", actor)
        dispatch.resolved_at, dispatch.result = timezone.now(), result
        dispatch.save(update_fields=["resolved_at", "result"])
        photos_attach(case, PhotoKind.AFTER, cleaned, actor)
        event_announce(
            case,
            EventKind.DISPATCH_RESOLVED,
            actor,
            before=case.status,
            department=department.code,
            photos=len(cleaned),
            tell=_people_to_tell(case, dispatch),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{department} 已办结 {case.number}",
        )
        task_complete(open_task(case, CaseFlow.claim, dispatch=dispatch.pk), actor)
    return dispatch


def case_departments_finished(*, case: Case) -> None:
    """Every department is done (flow Join): verify the results, or back to the dispatcher."""
    with case_locked(case) as case:
        parts = list(case.dispatches.filter(active=True).order_by("-lead", "pk"))
        done = [d for d in parts if d.resolved_at]
        if done:
            before = transition(case, "departments_resolved", None)
            case.resolved_at, case.overdue = timezone.now(), False
            case.result = "\n".join(f"{d.department}：{d.result}" for d in done)
            case.save()
            event_record(
                case,
                EventKind.RESOLVED,
                None,
                before=before,
                departments=[d.department.code for d in done],
            )
            return
        before = transition(case, "return_to_dispatcher", None)
        case.level = CASE_LEVEL_BY_AREA_LEVEL[case.handling_area.level]
        deadlines_set(case, case.level)
        case.save()
        event_record(case, EventKind.RETURNED_TO_DISPATCHER, None, before=before)


def dispatch_claim_overdue(*, dispatch_id: int) -> None:
    """Not claimed in time: flag it and escalate to the department head and the street."""
    dispatch = CaseDispatch.objects.select_related("case", "department").get(pk=dispatch_id)
    with case_locked(dispatch.case) as case:
        dispatch.refresh_from_db()
        if dispatch.claimed_by_id or not dispatch.active or dispatch.returned_at:
            return
        dispatch.claim_overdue = True
        dispatch.save(update_fields=["claim_overdue"])
        case.overdue = True
        case.save(update_fields=["overdue", "updated_at"])
        street = area_for_level(case, "street")
        recipients = unit_members(dispatch.department, (Role.DEPARTMENT_HEAD,))
        recipients += unit_members(street, (Role.STREET_OFFICIAL,))
        event_announce(
            case,
            EventKind.CLAIM_WENT_OVERDUE,
            None,
            before=case.status,
            department=dispatch.department.code,
            tell=recipients,
            notice=Notification.Kind.OVERDUE,
            text=f"{dispatch.department} 超时未报到 {case.number}",
        )


def dispatch_resolve_overdue(*, dispatch_id: int) -> None:
    """A department has not reported its result in time: overdue, tell it and the dispatcher."""
    dispatch = CaseDispatch.objects.select_related("case", "department").get(pk=dispatch_id)
    with case_locked(dispatch.case) as case:
        dispatch.refresh_from_db()
        if not dispatch.active or dispatch.returned_at or dispatch.resolved_at:
            return
        case.overdue = True
        case.save(update_fields=["overdue", "updated_at"])
        recipients = [dispatch.claimed_by, dispatch.dispatched_by, *supervisors_of(case)]
        recipients += unit_members(dispatch.department, (Role.DEPARTMENT_HEAD,))
        event_announce(
            case,
            EventKind.WENT_OVERDUE,
            None,
            before=case.status,
            what="resolve",
            department=dispatch.department.code,
            tell=recipients,
            notice=Notification.Kind.OVERDUE,
            text=f"{dispatch.department} 超期未办结 {case.number}",
        )
