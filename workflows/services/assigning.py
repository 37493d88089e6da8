"""A department head gives the department's part of a case to one of its staff."""

from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Department, User
from notifications.models import Notification

from ..choices import EventKind
from ..flows import CaseFlow
from ..lifecycle import DispatchLifecycle
from ..models import Case, CaseDispatch
from ..permissions import can_claim_for
from .common import case_locked, event_announce, open_task, require, transition_check
from .departments import dispatch_of, dispatch_take


@transaction.atomic
def case_assign(*, case: Case, department: Department, actor: User, assignee: User) -> CaseDispatch:
    """派单: unclaimed, the department reports for duty with `assignee` as its handler;
    claimed, the work moves from its claimer to `assignee`."""
    with case_locked(case) as case:
        dispatch = dispatch_of(case, department)
        transition_check(DispatchLifecycle(case, dispatch), "assign", actor)
        require(
            assignee.is_active and can_claim_for(assignee, dispatch),
            _("%(person)s does not work for %(department)s.")
            % {"person": assignee, "department": department},
        )
        if dispatch.claimed_by_id is None:
            dispatch_take(case, dispatch, owner=assignee, actor=actor, assignee=assignee.pk)
            return dispatch
        if dispatch.claimed_by_id == assignee.pk:
            return dispatch
        task = open_task(case, CaseFlow.claim, dispatch=dispatch.pk)
        task.owner = assignee
        task.save(update_fields=["owner"])
        previous, dispatch.claimed_by = dispatch.claimed_by, assignee
        dispatch.save(update_fields=["claimed_by"])
        event_announce(
            case,
            EventKind.ASSIGNED,
            actor,
            before=case.status,
            department=department.code,
            assignee=assignee.pk,
            tell=[assignee, previous],
            notice=Notification.Kind.CASE_UPDATE,
            text=f"{department} 将 {case.number} 交给 {assignee}",
        )
    return dispatch
