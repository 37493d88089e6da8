"""挂起: the supervising level stops a case's clocks (awaiting a court ruling, the weather, an
owner who cannot be reached …) until it resumes it, by hand or at the expected date. The
handler may ask for it instead (`case_suspension_ask`): the same level approves — the case is
then suspended exactly as `case_suspend` does — or refuses with a reason.

While suspended the case has no resolve deadline (the time left is kept: the closure figures
leave it out, "minus suspended"), is not overdue, and its flow timers are paused (each keeps
its time left in its row); on resuming, every deadline moves by the time suspended and the
timers run on with what they had left.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from grids.models import User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import EventKind, Level, SuspendReason
from ..lifecycle import CaseLifecycle
from ..models import Case, SuspensionRequest
from .approvals import approvers, askers, request_create, request_decide, request_pending
from .common import case_locked, event_announce, text_required, transition_check
from .reviewing import case_overdue_refresh

PAUSED = "paused_left_seconds"  # a paused timer's time left, in its task's data


def _people(case: Case) -> list[User | None]:
    """Who works on the case: the handler, or the departments' claimers and heads."""
    if case.level != Level.DEPARTMENT:
        return [case.handler, *unit_members(case.handling_area, (Role.GRID_MEMBER,))]
    people: list[User | None] = []
    for part in case.dispatches.filter(active=True).select_related("department", "claimed_by"):
        people += [part.claimed_by, *unit_members(part.department, (Role.DEPARTMENT_HEAD,))]
    return people


def _working_departments(case: Case) -> list[str]:
    """The departments whose work the suspension stops (counted on their board lines)."""
    if case.level != Level.DEPARTMENT:
        return []
    working = case.dispatches.filter(
        active=True, returned_at__isnull=True, resolved_at__isnull=True
    )
    return sorted(working.values_list("department__code", flat=True))


def _timers(case: Case) -> "list[Task]":
    return list(
        Task.objects.select_for_update().filter(
            process_id=case.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
        )
    )


def _reason_checked(reason: str, note: str) -> str:
    if reason not in SuspendReason.values:
        raise ValidationError(_("Choose why the case is suspended."))
    note = note.strip()
    if reason == SuspendReason.OTHER and not note:
        raise ValidationError(_("Say why the case is suspended."))
    return note


def _ahead(resume_at: datetime) -> None:
    if resume_at <= timezone.now():
        raise ValidationError(_("The expected date to resume must lie ahead."))


@transaction.atomic
def case_suspend(
    *, case: Case, actor: User, reason: str, resume_at: datetime, note: str = ""
) -> Case:
    """挂起 with a reason from the list and the expected date to resume."""
    note = _reason_checked(reason, note)
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "suspend", actor)
        _ahead(resume_at)
        _suspend(case, actor, reason=reason, resume_at=resume_at, note=note)
    return case


def _suspend(
    case: Case,
    actor: User,
    *,
    reason: str,
    resume_at: datetime,
    note: str,
    tell_also: list[User | None] | None = None,
    **more: object,
) -> None:
    """Stop the clocks (under the case's lock): no resolve deadline, the timers paused with
    their time left; `more` goes into the event, `tell_also` is told besides the handlers."""
    now = timezone.now()
    assert case.resolve_due is not None  # a handled or dispatched case has one
    case.suspended_at, case.suspend_reason, case.suspend_note = now, reason, note
    case.resume_at, case.resolve_left = resume_at, case.resolve_due - now
    case.resolve_due, case.overdue = None, False
    case.save()
    for timer in _timers(case):
        assert timer.scheduled is not None
        left = max(timer.scheduled - now, timedelta(0))
        timer.data = {**(timer.data or {}), PAUSED: left.total_seconds()}
        timer.scheduled = None  # the dispatcher fires only rows with a due time
        timer.save(update_fields=["data", "scheduled"])
    event_announce(
        case,
        EventKind.SUSPENDED,
        actor,
        before=case.status,
        reason=reason,
        note=note,
        departments=_working_departments(case),
        resume_at=resume_at.isoformat(),
        **more,
        tell=[*_people(case), *(tell_also or [])],
        notice=Notification.Kind.CASE_UPDATE,
        text=f"{case.number} 已挂起：{SuspendReason(reason).label}",
    )


@transaction.atomic
def case_suspension_ask(
    *, case: Case, actor: User, reason: str, resume_at: datetime, note: str = ""
) -> SuspensionRequest:
    """挂起 asked by the handler (reason from the list, expected date to resume, note): it
    waits for the level that may suspend the case."""
    note = _reason_checked(reason, note)
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "ask_suspension", actor)
        _ahead(resume_at)
        request = request_create(
            SuspensionRequest,
            case=case,
            actor=actor,
            conflict=_("Another suspension request came first."),
            reason=reason,
            note=note,
            resume_at=resume_at,
        )
        event_announce(
            case,
            EventKind.SUSPENSION_ASKED,
            actor,
            before=case.status,
            department=request.department.code if request.department else "",
            reason=reason,
            note=note,
            resume_at=resume_at.isoformat(),
            tell=approvers(case),
            notice=Notification.Kind.QUEUE,
            text=f"{case.number} 申请挂起：{SuspendReason(reason).label}",
        )
    return request


def _request(case: Case) -> SuspensionRequest:
    return request_pending(
        case.suspension_requests.all(), _("No suspension is waiting for approval.")
    )


@transaction.atomic
def case_suspension_approve(
    *, case: Case, actor: User, resume_at: datetime | None = None, note: str = ""
) -> SuspensionRequest:
    """挂起 approved: suspended as asked (or until another date ahead), as `case_suspend` does."""
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "approve_suspension", actor)
        request = _request(case)
        resume_at = resume_at or request.resume_at
        _ahead(resume_at)
        request_decide(request, SuspensionRequest.State.APPROVED, actor, note)
        request.save()
        asked_by = request.requested_by
        _suspend(
            case,
            actor,
            reason=request.reason,
            resume_at=resume_at,
            note=request.note,
            asked_by=str(asked_by) if asked_by else "",
            tell_also=askers(request),
        )
    return request


@transaction.atomic
def case_suspension_refuse(*, case: Case, actor: User, reason: str) -> SuspensionRequest:
    """挂起 refused, with a reason: the clocks run on."""
    reason = text_required(reason, _("Say why the suspension is refused."))
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "refuse_suspension", actor)
        request = _request(case)
        request_decide(request, SuspensionRequest.State.REFUSED, actor, reason)
        request.save()
        event_announce(
            case,
            EventKind.SUSPENSION_REFUSED,
            actor,
            before=case.status,
            reason=reason,
            tell=askers(request),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{case.number} 挂起申请未批准：{reason}",
        )
    return request


@transaction.atomic
def case_resume(*, case: Case, actor: User | None) -> Case:
    """The clocks run again: every deadline moves by the time suspended. `actor=None` is the
    timer dispatcher at the expected date."""
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "resume", actor)
        _resume(case, actor)
    return case


def _resume(case: Case, actor: User | None) -> None:
    now = timezone.now()
    assert case.suspended_at is not None and case.resolve_left is not None
    paused = now - case.suspended_at
    case.resolve_due = now + case.resolve_left
    if case.responded_at is None and case.respond_due is not None:
        case.respond_due += paused
    for part in case.dispatches.filter(active=True):
        # Only the clocks still running move: a deadline already met or missed is history
        # (the department figures measure each answer against the deadline it had then).
        if part.claimed_at is None and part.returned_at is None:
            part.claim_due += paused
        if part.resolved_at is None and part.returned_at is None:
            part.resolve_due += paused
        if part.review_due is not None and part.return_accepted_at is None and part.returned_at:
            part.review_due += paused
        part.save(update_fields=["claim_due", "resolve_due", "review_due"])
    reason = case.suspend_reason
    case.suspended_at, case.suspend_reason, case.suspend_note = None, "", ""
    case.resume_at, case.resolve_left = None, None
    if case.level == Level.DEPARTMENT:
        case_overdue_refresh(case)
    case.save()
    for timer in Task.objects.filter(
        process_id=case.process_id, flow_task_type="TIMER", status=STATUS.SCHEDULED
    ):
        left = (timer.data or {}).pop(PAUSED, None)
        if left is not None:
            timer.scheduled = now + timedelta(seconds=left)
            timer.save(update_fields=["data", "scheduled"])
    event_announce(
        case,
        EventKind.RESUMED,
        actor,
        before=case.status,
        reason=reason,
        suspended_seconds=int(paused.total_seconds()),
        tell=_people(case),
        notice=Notification.Kind.CASE_UPDATE,
        text=f"{case.number} 已恢复办理，新期限 {timezone.localtime(case.resolve_due):%m-%d %H:%M}",
    )


def cases_resume_due(now: datetime | None = None) -> int:
    """The timer dispatcher's sweep: resume the suspended cases whose date has come (each in
    a transaction of its own, re-checked under its lock). Returns how many."""
    now = now or timezone.now()
    due = Case.objects.filter(suspended_at__isnull=False, resume_at__lte=now)
    resumed = 0
    for case in due.order_by("resume_at", "pk"):
        with transaction.atomic(), case_locked(case) as locked:
            if locked.suspended_at is None or locked.resume_at is None or locked.resume_at > now:
                continue  # resumed by hand meanwhile
            transition_check(CaseLifecycle(locked), "resume", None)
            _resume(locked, None)
            resumed += 1
    return resumed
