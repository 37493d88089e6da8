"""Who may do what to a case: one predicate per kind of action, built on grids.selectors.

Each predicate answers for a user and a case without changing anything, so the UI can ask
"may I?" and the services can refuse with a reason. The `lifecycle_*` wrappers adapt them
to viewflow.fsm's `permission=` signature (instance, user).
"""

from datetime import timedelta

from django.utils import timezone

from grids.selectors import area_allows, department_allows

from .choices import Level, Status

REOPEN_WINDOW = timedelta(days=7)


def can_handle(user, case) -> bool:
    """Accept/reject, resolve or whistle at the case's current area level."""
    return case.level != Level.DEPARTMENT and area_allows(
        user, "handle_area_cases", case.handling_area
    )


def can_dispatch(user, case) -> bool:
    return case.level != Level.DEPARTMENT and area_allows(
        user, "dispatch_area_cases", case.handling_area
    )


def can_claim_for(user, dispatch) -> bool:
    return department_allows(user, "claim_department_cases", dispatch.department)


def can_work_dispatch(user, dispatch) -> bool:
    """Resolve or return a claimed dispatch: its claimer, or a head of that department."""
    if dispatch.claimed_by_id == user.pk and can_claim_for(user, dispatch):
        return True
    return can_assign_dispatch(user, dispatch)


def can_assign_dispatch(user, dispatch) -> bool:
    """派单: a head gives the department's part to one of its staff."""
    return department_allows(user, "assign_department_cases", dispatch.department)


def can_verify(user, case) -> bool:
    """核查: the level that blew the whistle, or on site the grid the case lies in."""
    return area_allows(user, "verify_area_cases", case.verifier_area) or area_allows(
        user, "verify_area_cases", case.area
    )


def can_view(user, case) -> bool:
    if user.is_authenticated and case.reporter_id == user.pk:
        return True
    if area_allows(user, "view_area_cases", case.area):
        return True
    return any(
        department_allows(user, "view_department_cases", d.department)
        for d in case.dispatches.all()
    )


def can_rate_department(user, case) -> bool:
    """评价权: the level that blew the whistle, or whoever rates departments for the area."""
    return area_allows(user, "verify_area_cases", case.verifier_area) or area_allows(
        user, "rate_departments", case.verifier_area
    )


def is_reporter(user, case) -> bool:
    return user.is_authenticated and case.reporter_id == user.pk


def active_dispatches(case):
    return case.dispatches.filter(active=True).select_related("department")


# --- viewflow.fsm adapters: (lifecycle, user) -> bool, conditions: (lifecycle) -> bool ---


def lifecycle_handle(lifecycle, user) -> bool:
    return can_handle(user, lifecycle.case)


def lifecycle_dispatch(lifecycle, user) -> bool:
    return can_dispatch(user, lifecycle.case)


def lifecycle_claim(lifecycle, user) -> bool:
    return any(can_claim_for(user, d) for d in active_dispatches(lifecycle.case))


def lifecycle_resolve(lifecycle, user) -> bool:
    case = lifecycle.case
    if case.level == Level.DEPARTMENT:
        return any(can_work_dispatch(user, d) for d in active_dispatches(case))
    return can_handle(user, case)


def lifecycle_verify(lifecycle, user) -> bool:
    return can_verify(user, lifecycle.case)


def lifecycle_rate(lifecycle, user) -> bool:
    return is_reporter(user, lifecycle.case)


def below_street(lifecycle) -> bool:
    return lifecycle.case.level in (Level.GRID, Level.COMMUNITY)


def at_area_level(lifecycle) -> bool:
    return lifecycle.case.level != Level.DEPARTMENT


def may_reopen(lifecycle) -> bool:
    case = lifecycle.case
    return (
        case.status == Status.CLOSED
        and case.reopen_count == 0
        and case.closed_at is not None
        and timezone.now() - case.closed_at <= REOPEN_WINDOW
    )
