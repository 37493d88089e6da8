"""Closing the loop: resolve, verify (核查) or rework (返工), the resident's rating, 评价权."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from grids.models import Department, User
from grids.phones import normalise_phone
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import CASE_LEVEL_BY_AREA_LEVEL, EventKind, Level, PhotoKind, Rating
from ..deadlines import deadlines_set
from ..flows import CaseFlow
from ..lifecycle import CaseLifecycle, DispatchLifecycle
from ..models import Case, CaseDispatch, CaseEvent
from ..photos import photo_clean
from ..selectors import OPEN_TASK_STATUSES
from ..signals import case_closed
from ..verification import Evidence
from .common import (
    case_locked,
    event_announce,
    event_record,
    open_task,
    photos_attach,
    require,
    task_complete,
    text_required,
    transition,
    transition_check,
)
from .departments import dispatch_of
from .supervision import supervision_end

VERIFIER_ROLES = (Role.GRID_MEMBER, Role.GRID_LEADER, Role.COMMUNITY_STAFF, Role.STREET_OFFICIAL)


@transaction.atomic
def case_resolve(
    *, case: Case, actor: User, result: str, photos: Sequence[File[bytes]] = ()
) -> Case:
    """The grid, community or street reports its result; the verifying level checks it."""
    result = text_required(result, _("Describe what was done."))
    cleaned = [photo_clean(photo) for photo in photos]
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.handle)
        before = transition(case, "resolve", actor)
        case.result, case.resolved_at, case.handler = result, timezone.now(), actor
        case.overdue = False  # waiting for verification now, which has no limit
        case.save()
        photos_attach(case, PhotoKind.AFTER, cleaned, actor)
        event_announce(
            case,
            EventKind.RESOLVED,
            actor,
            before=before,
            photos=len(cleaned),
            tell=unit_members(case.verifier_area, VERIFIER_ROLES),
            notice=Notification.Kind.QUEUE,
            text=f"待核查 {case.number}：{case.title}",
        )
        task_complete(task, actor)
    return case


@transaction.atomic
def case_verify(
    *,
    case: Case,
    actor: User,
    note: str = "",
    method: str | None = None,
    reason: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    photos: Sequence[File[bytes]] = (),
) -> Case:
    """核查 passed: the case is closed at the level that solved it. `method` (核查方式) with
    its evidence — on site: photos and the verifier's location within the limit; otherwise a
    reason — is checked by the close transition (`verification`), stored and counted. The
    pages and the API always give it; `method=None` is a system path's unrecorded close."""
    cleaned = [photo_clean(photo) for photo in photos]
    evidence = None
    if method is not None:
        evidence = Evidence(
            method=method,
            photos=len(cleaned),
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
            reason=reason.strip(),
        )
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.verify)
        before = transition(case, "close", actor, CaseLifecycle(case, evidence))
        case.closed_at, case.closed_level, case.overdue = timezone.now(), case.level, False
        case.verify_method = method or ""
        case.save()
        photos_attach(case, PhotoKind.VERIFY, cleaned, actor)
        event = event_announce(
            case,
            EventKind.CLOSED,
            actor,
            before=before,
            note=note.strip(),
            method=case.verify_method,
            reason=reason.strip(),
            photos=len(cleaned),
            tell=[case.handler, case.reporter],
            notice=Notification.Kind.CASE_UPDATE,
            text=f"已结案 {case.number}",
        )
        supervision_end(case)
        task_complete(task, actor)
        case_closed.send(sender=Case, case=case, event=event)  # receivers write in this transaction
    return case


@transaction.atomic
def case_rework(*, case: Case, actor: User, reason: str) -> Case:
    """返工: the result does not hold; back to the same handler, counted."""
    reason = text_required(reason, _("Say what is still wrong."))
    with case_locked(case) as case:
        task = open_task(case, CaseFlow.verify)
        before = transition(case, "rework", actor)
        case.rework_count += 1
        case.resolved_at = None
        case.save()
        sent_back: list[str] = []  # the departments whose work is sent back (申诉 reads it)
        if case.level == Level.DEPARTMENT:
            parts = case.dispatches.filter(active=True, resolved_at__isnull=False)
            sent_back = sorted(parts.values_list("department__code", flat=True))
            parts.update(resolved_at=None)
        event_announce(
            case,
            EventKind.REWORKED,
            actor,
            before=before,
            departments=sent_back,
            reason=reason,
            rework=case.rework_count,
            tell=_handlers(case),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"返工 {case.number}：{reason}",
        )
        handler = case.handler
        task_complete(task, actor)
        if case.level != Level.DEPARTMENT and handler is not None:
            new_task = open_task(case, CaseFlow.handle)
            new_task.flow_task.activation_class(new_task).assign(handler)
    return case


def _handlers(case: Case) -> list[User | None]:
    if case.level == Level.DEPARTMENT:
        return [d.claimed_by for d in case.dispatches.filter(active=True)]
    return [case.handler]


@transaction.atomic
def case_rate(
    *, case: Case, rating: str, actor: User | None = None, phone: str = "", comment: str = ""
) -> Case:
    """The resident's 满意/基本满意/不满意; 不满意 within 7 days reopens the case once."""
    if rating not in Rating.values:
        raise ValidationError(_("Unknown rating %(rating)r.") % {"rating": rating})
    with case_locked(case) as case:
        by_phone = bool(phone) and normalise_phone(phone) == case.contact_phone
        if actor is None:  # on the tracking page, by the phone given when reporting
            require(by_phone, _("Only the person who reported the case may rate it."))
        transition(case, "rate", actor)
        case.rating, case.rated_at = rating, timezone.now()
        case.save()
        event = event_announce(
            case,
            EventKind.RATED,
            actor,
            before=case.status,
            rating=rating,
            comment=comment.strip(),
            tell=_handlers(case) + [case.handler],
            notice=Notification.Kind.RATING,
            text=f"{case.number} 评价：{case.get_rating_display()}",
        )
        feedback = Task.objects.filter(
            process_id=case.process_id, flow_task=CaseFlow.feedback, status__in=OPEN_TASK_STATUSES
        ).first()
        if feedback is None:
            return case  # the feedback window has closed: recorded, nothing reopens
        if rating == Rating.DISSATISFIED and CaseLifecycle(case).reopen.can_proceed():
            _reopen(case, event)  # once, and only inside the window; otherwise just recorded
        CaseFlow.feedback.run(feedback)
    return case


def _reopen(case: Case, rating_event: CaseEvent) -> None:
    before = transition(case, "reopen", None)
    case.reopen_count += 1
    case.level = CASE_LEVEL_BY_AREA_LEVEL[case.verifier_area.level]
    case.handling_area, case.handler = case.verifier_area, None
    case.closed_at, case.closed_level, case.rating, case.rated_at = None, "", "", None
    deadlines_set(case, case.level)
    case.save()
    event_record(case, EventKind.REOPENED, None, before=before, after_event=rating_event.pk)


@transaction.atomic
def dispatch_rate(
    *, case: Case, department: Department, actor: User, score: int, comment: str = ""
) -> CaseDispatch:
    """评价权: the whistle-blowing level rates a department's response (1–5), latest round."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError(_("Rate from 1 to 5."))
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "rate", actor)
        previous = dispatch.response_rating  # the board's counters replace it (counters.py)
        dispatch.response_rating, dispatch.response_comment = score, comment.strip()
        dispatch.save(update_fields=["response_rating", "response_comment"])
        event_record(
            case,
            EventKind.DEPARTMENT_RATED,
            actor,
            before=case.status,
            department=department.code,
            score=score,
            previous=previous,
        )
    return dispatch
