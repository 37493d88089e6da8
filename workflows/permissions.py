"""Who may do what to a case: one predicate per kind of action, built on grids.selectors.

Each predicate answers for a user and a case without changing anything. The status machines
(`lifecycle.py`) name them as their transitions' permissions and conditions: the `lifecycle_*`
and `dispatch_*` wrappers adapt them to viewflow.fsm's `permission=` signature
(machine, user), the conditions take the machine alone. Who may *see* a case is
`visibility.py`'s question (which builds on these predicates, not the other way round).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from grids.models import Area
from grids.phones import verified_phone
from grids.selectors import AnyUser, area_allows, department_allows

from .choices import Level, Status
from .deadlines import within_reopen_window
from .models import Case, CaseDispatch

if TYPE_CHECKING:  # lifecycle names these predicates: it imports this module
    from .lifecycle import CaseLifecycle, DispatchLifecycle


class Unmet:
    """A condition's "no", with the reason the person is told (viewflow.fsm reads
    `.message` of a falsy condition result)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __bool__(self) -> bool:
        return False


def can_handle(user: AnyUser, case: Case) -> bool:
    """Accept/reject, resolve or whistle at the case's current area level."""
    return case.level != Level.DEPARTMENT and area_allows(
        user, "handle_area_cases", case.handling_area
    )


def can_dispatch(user: AnyUser, case: Case) -> bool:
    return case.level != Level.DEPARTMENT and area_allows(
        user, "dispatch_area_cases", case.handling_area
    )


def can_claim_for(user: AnyUser, dispatch: CaseDispatch) -> bool:
    return department_allows(user, "claim_department_cases", dispatch.department)


def can_work_dispatch(user: AnyUser, dispatch: CaseDispatch) -> bool:
    """Resolve or return a claimed dispatch: its claimer, or a head of that department."""
    if dispatch.claimed_by_id == user.pk and can_claim_for(user, dispatch):
        return True
    return can_assign_dispatch(user, dispatch)


def can_assign_dispatch(user: AnyUser, dispatch: CaseDispatch) -> bool:
    """派单: a head gives the department's part to one of its staff."""
    return department_allows(user, "assign_department_cases", dispatch.department)


def can_verify(user: AnyUser, case: Case) -> bool:
    """核查: the level that blew the whistle, or on site the grid the case lies in."""
    return area_allows(user, "verify_area_cases", case.verifier_area) or area_allows(
        user, "verify_area_cases", case.area
    )


def can_rate_department(user: AnyUser, case: Case) -> bool:
    """评价权: the level that blew the whistle, or whoever rates departments for the area."""
    return area_allows(user, "verify_area_cases", case.verifier_area) or area_allows(
        user, "rate_departments", case.verifier_area
    )


def is_reporter(user: AnyUser, case: Case) -> bool:
    """Reported with this account, or with this account's verified phone as the contact."""
    if not user.is_authenticated:
        return False
    if case.reporter_id == user.pk:
        return True
    return bool(case.contact_phone) and verified_phone(user) == case.contact_phone


def active_dispatches(case: Case) -> QuerySet[CaseDispatch]:
    return case.dispatches.filter(active=True).select_related("department")


# --- viewflow.fsm adapters: (lifecycle, user) -> bool, conditions: (lifecycle) -> bool ---


def lifecycle_handle(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_handle(user, lifecycle.case)


def lifecycle_dispatch(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_dispatch(user, lifecycle.case)


def lifecycle_claim(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return any(can_claim_for(user, d) for d in active_dispatches(lifecycle.case))


def lifecycle_verify(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_verify(user, lifecycle.case)


def lifecycle_rate(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return is_reporter(user, lifecycle.case)


def below_street(lifecycle: CaseLifecycle) -> bool:
    return lifecycle.case.level in (Level.GRID, Level.COMMUNITY)


def at_area_level(lifecycle: CaseLifecycle) -> bool:
    return lifecycle.case.level != Level.DEPARTMENT


def may_reopen(lifecycle: CaseLifecycle) -> bool:
    case = lifecycle.case
    return (
        case.status == Status.CLOSED
        and case.reopen_count == 0
        and within_reopen_window(case.closed_at)
    )


def not_rated(lifecycle: CaseLifecycle) -> bool | Unmet:
    case = lifecycle.case
    if case.rating:
        return Unmet(_("Case %(number)s has already been rated.") % {"number": case.number})
    return True


def at_department_level(lifecycle: CaseLifecycle) -> bool:
    return lifecycle.case.level == Level.DEPARTMENT


def nobody(lifecycle: CaseLifecycle | DispatchLifecycle, user: AnyUser) -> bool:
    """The system's own transitions (at the Join, after a rating): no person makes them."""
    return False


# --- one department's part (lifecycle.DispatchLifecycle) ---


def dispatch_claim(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_claim_for(user, lifecycle.dispatch)


def dispatch_assign(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_assign_dispatch(user, lifecycle.dispatch)


def dispatch_return(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    """Unclaimed, anyone who could claim it; claimed, whoever works on it."""
    dispatch = lifecycle.dispatch
    if dispatch.claimed_by_id:
        return can_work_dispatch(user, dispatch)
    return can_claim_for(user, dispatch)


def dispatch_work(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_work_dispatch(user, lifecycle.dispatch)


def dispatch_rate(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_rate_department(user, lifecycle.case)


def departments_working(lifecycle: DispatchLifecycle) -> bool:
    """The case is with its departments (dispatched, or claimed and being handled)."""
    case = lifecycle.case
    return case.level == Level.DEPARTMENT and case.status in (Status.DISPATCHED, Status.HANDLING)


def dispatch_claimed(lifecycle: DispatchLifecycle) -> bool | Unmet:
    if lifecycle.dispatch.claimed_by_id is None:
        return Unmet(
            _("Claim case %(number)s before reporting a result.")
            % {"number": lifecycle.case.number}
        )
    return True


def dispatch_reported_for_duty(lifecycle: DispatchLifecycle) -> bool | Unmet:
    dispatch = lifecycle.dispatch
    if dispatch.claimed_at is None:
        return Unmet(
            _("%(department)s never reported for duty on this case.")
            % {"department": dispatch.department}
        )
    return True


def dispatch_not_rated(lifecycle: DispatchLifecycle) -> bool | Unmet:
    dispatch = lifecycle.dispatch
    if dispatch.response_rating is not None:
        return Unmet(
            _("%(department)s has already been rated on case %(number)s.")
            % {"department": dispatch.department, "number": lifecycle.case.number}
        )
    return True


def can_report_in(user: AnyUser, area: Area) -> bool:
    """Staff report (as a patrol) only inside their own areas."""
    return area_allows(user, "report_area_cases", area)
