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
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area, Department
from grids.phones import verified_phone
from grids.roles import AreaLevel
from grids.selectors import (
    AnyUser,
    area_allows,
    area_allows_here,
    area_ancestor_at,
    area_grant_paths_at,
    department_allows,
    departments_q,
)

from .choices import Level, Status
from .deadlines import (
    extensions_allowed,
    nearby_closed_window,
    within_nearby_window,
    within_reopen_window,
)
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


def can_redirect(user: AnyUser, case: Case) -> bool:
    """退单审核 and 改派: the level that dispatched the case to its departments (the case's
    handling area keeps that level while the departments have it)."""
    return area_allows(user, "dispatch_area_cases", case.handling_area)


def can_ask_extension(user: AnyUser, case: Case) -> bool:
    """延期 is asked by whoever handles the case: at department level, the claimer or a head
    of a department still working on it; otherwise the handling level's people."""
    if case.level == Level.DEPARTMENT:
        working = active_dispatches(case).filter(returned_at__isnull=True, resolved_at__isnull=True)
        return any(can_work_dispatch(user, d) for d in working)
    return can_handle(user, case)


def extension_approver_area(case: Case) -> Area:
    """Who grants 延期: the level that dispatched the case to its departments, the level
    above a grid or a community handling it, the street itself for its own cases."""
    if case.level in (Level.GRID, Level.COMMUNITY) and case.handling_area.parent_id:
        parent = case.handling_area.parent
        assert parent is not None
        return parent
    return case.handling_area


def can_decide_extension(user: AnyUser, case: Case) -> bool:
    return area_allows(user, "dispatch_area_cases", extension_approver_area(case))


def can_suspend(user: AnyUser, case: Case) -> bool:
    """挂起 and its resumption: the level that grants extensions (see above)."""
    return can_decide_extension(user, case)


def can_ask_suspension(user: AnyUser, case: Case) -> bool:
    """挂起 asked by the handler (as 延期 is asked), unless they may suspend it themselves."""
    return can_ask_extension(user, case) and not can_suspend(user, case)


def can_supervise(user: AnyUser, case: Case) -> bool:
    """督办: the street's officials (who rate departments for the street)."""
    street = area_ancestor_at(case.area, AreaLevel.STREET)
    return street is not None and area_allows(user, "rate_departments", street)


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


VERIFY = "verify_area_cases"
# Levels whose grants cover the verifying areas below them (a community verifies its grids'
# cases); the street's do not: it verifies what it whistled or dispatched, or takes over.
BELOW_STREET = (AreaLevel.COMMUNITY, AreaLevel.GRID, AreaLevel.MICROGRID, AreaLevel.BUILDING)
# Whose people verify on the spot where a case lies: the grid and what is below it.
ON_SITE_LEVELS = (AreaLevel.GRID, AreaLevel.MICROGRID, AreaLevel.BUILDING)


def can_verify(user: AnyUser, case: Case) -> bool:
    """核查: the case's verifying level (`Case.verifier_area`: the level that blew the whistle
    up, or dispatched it to departments) and the levels between it and the street, or on
    site the grid the case lies in. The street's officials verify a case of a lower level
    only after taking the verification over (接管核查, `can_take_over_verification`), which
    makes the street the verifying level."""
    if area_allows_here(user, VERIFY, case.verifier_area):
        return True
    verifier_path = case.verifier_area.path
    if any(verifier_path.startswith(path) for path in verify_paths_below_street(user)):
        return True
    return any(case.area_path.startswith(path) for path in on_site_paths(user))


def verify_paths_below_street(user: AnyUser) -> list[str]:
    """The areas below the street where `user` verifies (and the verifying areas below them)."""
    return area_grant_paths_at(user, VERIFY, BELOW_STREET)


def on_site_paths(user: AnyUser) -> list[str]:
    """The grid-level areas where `user` verifies the cases lying there, on site."""
    return area_grant_paths_at(user, VERIFY, ON_SITE_LEVELS)


def case_street(case: Case) -> Area | None:
    return area_ancestor_at(case.area, AreaLevel.STREET)


def can_take_over_verification(user: AnyUser, case: Case) -> bool:
    """接管核查: the street's own people (verifying at the street itself) may make the street
    the verifying level of a case resolved below it."""
    street = case_street(case)
    return street is not None and area_allows_here(user, VERIFY, street)


def verification_refused(user: AnyUser, case: Case) -> bool | Unmet:
    """ "No" to someone who may not verify: with the reason for the street's people, who could
    take the verification over."""
    if case.verifier_area.level != AreaLevel.STREET and can_take_over_verification(user, case):
        return Unmet(
            _(
                "The verification of case %(number)s belongs to %(area)s, the level that "
                "whistled or dispatched it: take the verification over first (接管核查)."
            )
            % {"number": case.number, "area": case.verifier_area.name}
        )
    return False


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


def lifecycle_verify(lifecycle: CaseLifecycle, user: AnyUser) -> bool | Unmet:
    case = lifecycle.case
    return can_verify(user, case) or verification_refused(user, case)


def lifecycle_verify_close(lifecycle: CaseLifecycle, user: AnyUser) -> bool | Unmet:
    """核查通过: those who may verify, except — where the street wants four eyes — the
    person who resolved it."""
    from .verification import four_eyes, resolved_by

    case = lifecycle.case
    if not can_verify(user, case):
        return verification_refused(user, case)
    if four_eyes(case) and resolved_by(user, case):
        return Unmet(
            _(
                "In this street the person who resolved case %(number)s may not verify it: "
                "a colleague must."
            )
            % {"number": case.number}
        )
    return True


def verification_evidence(lifecycle: CaseLifecycle) -> bool | Unmet:
    """The verifier's evidence (`verification.Evidence`, given by the service) suffices; before
    it is given (is the action offered?) the form will ask for it."""
    from .verification import evidence_problem

    if lifecycle.evidence is None:
        return True
    problem = evidence_problem(lifecycle.case, lifecycle.evidence)
    return Unmet(problem) if problem else True


def lifecycle_take_over_verification(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_take_over_verification(user, lifecycle.case)


def verified_below_street(lifecycle: CaseLifecycle) -> bool | Unmet:
    """接管核查 only of a case whose verifying level is not the street already."""
    case = lifecycle.case
    if case.verifier_area.level == AreaLevel.STREET:
        return Unmet(_("The street already verifies case %(number)s.") % {"number": case.number})
    return True


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


def lifecycle_ask_extension(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_ask_extension(user, lifecycle.case)


def lifecycle_decide_extension(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_decide_extension(user, lifecycle.case)


def lifecycle_supervise(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_supervise(user, lifecycle.case)


def not_supervised(lifecycle: CaseLifecycle) -> bool | Unmet:
    if lifecycle.case.supervisions.filter(ended_at__isnull=True).exists():
        return Unmet(
            _("Case %(number)s is already supervised.") % {"number": lifecycle.case.number}
        )
    return True


def lifecycle_suspend(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_suspend(user, lifecycle.case)


def lifecycle_ask_suspension(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    return can_ask_suspension(user, lifecycle.case)


def no_suspension_pending(lifecycle: CaseLifecycle) -> bool | Unmet:
    """One suspension request at a time; while it waits, it is approved or refused (the
    approving level does not suspend past it)."""
    if lifecycle.case.suspension_requests.filter(state="pending").exists():
        return Unmet(
            _("A suspension of case %(number)s is waiting for approval.")
            % {"number": lifecycle.case.number}
        )
    return True


def suspension_pending(lifecycle: CaseLifecycle) -> bool | Unmet:
    if not lifecycle.case.suspension_requests.filter(state="pending").exists():
        return Unmet(
            _("No suspension of case %(number)s is waiting for approval.")
            % {"number": lifecycle.case.number}
        )
    return True


def _suspended(case: Case) -> Unmet:
    return Unmet(_("Case %(number)s is suspended: resume it first.") % {"number": case.number})


def not_suspended(lifecycle: CaseLifecycle | DispatchLifecycle) -> bool | Unmet:
    """While suspended (挂起) a case's work waits with its clocks."""
    return _suspended(lifecycle.case) if lifecycle.case.suspended_at else True


def is_suspended(lifecycle: CaseLifecycle) -> bool | Unmet:
    if lifecycle.case.suspended_at is None:
        return Unmet(_("Case %(number)s is not suspended.") % {"number": lifecycle.case.number})
    return True


def before_resolve_deadline(lifecycle: CaseLifecycle) -> bool | Unmet:
    """延期 is asked before the deadline, not after it has passed."""
    due = lifecycle.case.resolve_due
    if due is None or due <= timezone.now():
        return Unmet(
            _("The deadline of case %(number)s has passed: an extension is asked before it.")
            % {"number": lifecycle.case.number}
        )
    return True


def no_extension_pending(lifecycle: CaseLifecycle) -> bool | Unmet:
    if lifecycle.case.extensions.filter(state="pending").exists():
        return Unmet(
            _("An extension of case %(number)s is already waiting for approval.")
            % {"number": lifecycle.case.number}
        )
    return True


def extensions_left(lifecycle: CaseLifecycle) -> bool | Unmet:
    allowed = extensions_allowed()
    if lifecycle.case.extensions.count() >= allowed:
        return Unmet(
            _("Case %(number)s has had its %(count)d extension requests.")
            % {"number": lifecycle.case.number, "count": allowed}
        )
    return True


def extension_pending(lifecycle: CaseLifecycle) -> bool | Unmet:
    if not lifecycle.case.extensions.filter(state="pending").exists():
        return Unmet(
            _("No extension of case %(number)s is waiting for approval.")
            % {"number": lifecycle.case.number}
        )
    return True


def at_department_level(lifecycle: CaseLifecycle) -> bool:
    return lifecycle.case.level == Level.DEPARTMENT


def lifecycle_follow(lifecycle: CaseLifecycle, user: AnyUser) -> bool:
    """我也遇到: anyone signed in, but not the reporter and only once."""
    case = lifecycle.case
    if not user.is_authenticated or is_reporter(user, case):
        return False
    return not case.followers.filter(user_id=user.pk).exists()


def followable(lifecycle: CaseLifecycle) -> bool | Unmet:
    """Open cases, and closed ones for a while (the problem may be back)."""
    case = lifecycle.case
    if case.status == Status.CLOSED and not within_nearby_window(case.closed_at):
        return Unmet(
            _("Case %(number)s was closed more than %(days)d days ago: report the problem anew.")
            % {"number": case.number, "days": nearby_closed_window().days}
        )
    return True


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


def dispatch_redirect(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_redirect(user, lifecycle.case)


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


def can_edit_reply_templates(user: AnyUser, department: Department) -> bool:
    """常用回复: a department's head keeps its reply templates (the admin can too)."""
    return department_allows(user, "assign_department_cases", department)


def departments_headed(user: AnyUser) -> QuerySet[Department]:
    """The departments whose reply templates `user` keeps."""
    return Department.objects.filter(departments_q(user, "assign_department_cases")).order_by(
        "code"
    )


# --- 申诉: a department appeals a rating or a rework of its part; the street decides ---


def can_appeal_for(user: AnyUser, dispatch: CaseDispatch) -> bool:
    """The department's own people (staff or head) appeal for it."""
    return can_claim_for(user, dispatch) or can_assign_dispatch(user, dispatch)


def dispatch_appeal(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    return can_appeal_for(user, lifecycle.dispatch)


def dispatch_decide_appeal(lifecycle: DispatchLifecycle, user: AnyUser) -> bool:
    """The street's officials decide appeals (as they rate departments and supervise)."""
    return can_supervise(user, lifecycle.case)


def appealable(lifecycle: DispatchLifecycle) -> bool | Unmet:
    """A poor rating or a rework of the part, inside its window and not appealed yet."""
    from .appeals import appeal_subjects

    subjects, reason = appeal_subjects(lifecycle.case, lifecycle.dispatch)
    return True if subjects else Unmet(reason)


def appeal_pending(lifecycle: DispatchLifecycle) -> bool | Unmet:
    dispatch = lifecycle.dispatch
    if not lifecycle.case.appeals.filter(
        department_id=dispatch.department_id, state="pending"
    ).exists():
        return Unmet(
            _("No appeal of %(department)s on case %(number)s is waiting for a decision.")
            % {"department": dispatch.department, "number": lifecycle.case.number}
        )
    return True
