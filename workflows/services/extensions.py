"""延期: the handling unit asks for a later resolve deadline; the approving level grants it
(possibly shorter than asked) or refuses. A granted extension moves the case's deadline, its
departments' and the flow's timers; the on-time figures count against the granted deadline."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from grids.models import User
from notifications.models import Notification

from ..choices import EventKind, Level
from ..deadlines import extension_apply
from ..flows import CaseFlow
from ..lifecycle import CaseLifecycle
from ..models import Case, CaseExtension
from ..selectors import OPEN_TASK_STATUSES
from .approvals import approvers, askers, request_create, request_decide, request_pending
from .common import case_locked, event_announce, text_required, transition_check
from .reviewing import case_overdue_refresh


def _when(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


@transaction.atomic
def case_extension_ask(*, case: Case, actor: User, due: datetime, reason: str) -> CaseExtension:
    """延期 asked, with a reason and the deadline wanted; before the deadline, at most
    `deadlines.extensions_allowed()` times per case."""
    reason = text_required(reason, _("Say why more time is needed."))
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "ask_extension", actor)
        assert case.resolve_due is not None  # the transition's condition
        if due <= case.resolve_due:
            raise ValidationError(
                _("Ask for a deadline later than the current one (%(due)s).")
                % {"due": _when(case.resolve_due)}
            )
        extension = request_create(
            CaseExtension,
            case=case,
            actor=actor,
            conflict=_("Another extension request came first."),
            reason=reason,
            previous_due=case.resolve_due,
            requested_due=due,
        )
        event_announce(
            case,
            EventKind.EXTENSION_ASKED,
            actor,
            before=case.status,
            department=extension.department.code if extension.department else "",
            reason=reason,
            requested_due=due.isoformat(),
            tell=approvers(case),
            notice=Notification.Kind.QUEUE,
            text=f"{case.number} 申请延期至 {_when(due)}：{reason}",
        )
    return extension


def _pending(case: Case) -> CaseExtension:
    return request_pending(case.extensions.all(), _("No extension is waiting for approval."))


@transaction.atomic
def case_extension_approve(
    *, case: Case, actor: User, due: datetime, note: str = ""
) -> CaseExtension:
    """延期 granted until `due` (at most what was asked, later than the old deadline and now):
    the deadlines and their timers move; the case is no longer overdue for its resolve."""
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "approve_extension", actor)
        extension = _pending(case)
        now = timezone.now()
        if not (max(extension.previous_due, now) < due <= extension.requested_due):
            raise ValidationError(
                _("Grant a deadline after %(old)s and no later than the %(asked)s asked for.")
                % {
                    "old": _when(max(extension.previous_due, now)),
                    "asked": _when(extension.requested_due),
                }
            )
        request_decide(extension, CaseExtension.State.APPROVED, actor, note)
        extension.granted_due = due
        extension.save()
        extension_apply(case, due)
        if case.level == Level.DEPARTMENT:
            case_overdue_refresh(case)
        else:
            case.overdue = False  # handling: answered; its resolve deadline is ahead now
        case.save()
        _resolve_timers_move(case, due)
        event_announce(
            case,
            EventKind.EXTENSION_APPROVED,
            actor,
            before=case.status,
            department=extension.department.code if extension.department else "",
            granted_due=due.isoformat(),
            requested_due=extension.requested_due.isoformat(),
            previous_due=extension.previous_due.isoformat(),
            note=extension.decision_note,
            tell=askers(extension),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{case.number} 延期已批准，新期限 {_when(due)}",
        )
    return extension


@transaction.atomic
def case_extension_refuse(*, case: Case, actor: User, reason: str) -> CaseExtension:
    """延期 refused, with a reason: the deadline stands."""
    reason = text_required(reason, _("Say why the extension is refused."))
    with case_locked(case) as case:
        transition_check(CaseLifecycle(case), "refuse_extension", actor)
        extension = _pending(case)
        request_decide(extension, CaseExtension.State.REFUSED, actor, reason)
        extension.save()
        event_announce(
            case,
            EventKind.EXTENSION_REFUSED,
            actor,
            before=case.status,
            reason=reason,
            tell=askers(extension),
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{case.number} 延期未批准：{reason}",
        )
    return extension


def _resolve_timers_move(case: Case, due: datetime) -> None:
    """The flow's resolve timers fire at the new deadline: the handling step's, or each
    working department's (re-armed when they have already fired)."""
    if case.level == Level.DEPARTMENT:
        boundary_reschedule(case, CaseFlow.claim, CaseFlow.dispatch_overdue, due)
    else:
        boundary_reschedule(case, CaseFlow.handle, CaseFlow.resolve_overdue, due)


def boundary_reschedule(case: Case, host: object, then: object, when: datetime) -> None:
    """Move the timer of `host`'s open tasks that leads to `then` to `when`; arm it again
    where it has fired already (timers are rows: the dispatcher reads `scheduled`)."""
    boundary = next(b for b in host._boundary_events if b._next is then)  # type: ignore[attr-defined]
    hosts = Task.objects.filter(
        process_id=case.process_id, flow_task=host, status__in=OPEN_TASK_STATUSES
    )
    for task in hosts:
        armed = Task.objects.filter(flow_task=boundary, previous=task, status=STATUS.SCHEDULED)
        if not armed.update(scheduled=when):
            boundary._arm(task.flow_task.activation_class(task))
