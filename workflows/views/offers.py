"""Which actions a case page offers this user now, with their forms and endpoints."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grids.models import Department

from .. import forms, services
from ..choices import Level, Status
from ..models import Case, CaseDispatch
from ..permissions import (
    can_assign_dispatch,
    can_claim_for,
    can_dispatch,
    can_rate_department,
    can_verify,
    can_work_dispatch,
    is_reporter,
)

# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One thing to do to a case: its form, its service, its button and its success message.

    The service is called with the case, the actor, the department for a department's part,
    and the form's cleaned data as keyword arguments.
    """

    form: type[forms.CaseActionForm]
    service: Callable[..., object]
    label: Promise
    done: Promise
    primary: bool = True

    @property
    def multipart(self) -> bool:
        return any(f.widget.needs_multipart_form for f in self.form.base_fields.values())


CASE_ACTIONS: dict[str, Action] = {
    "accept": Action(forms.EmptyForm, services.case_accept, _("Accept"), _("Case accepted.")),
    "reject": Action(
        forms.ReasonForm, services.case_reject, _("Reject"), _("Case rejected."), False
    ),
    "duplicate": Action(
        forms.DuplicateForm,
        services.case_mark_duplicate,
        _("Mark as duplicate"),
        _("Case marked as a duplicate."),
        False,
    ),
    "resolve": Action(
        forms.ResolveForm,
        services.case_resolve,
        _("Report the result"),
        _("Result reported; waiting for verification."),
    ),
    "whistle": Action(
        forms.WhistleForm,
        services.case_whistle,
        _("Blow the whistle to the level above"),
        _("Whistle blown: the level above has the case now."),
        False,
    ),
    "dispatch": Action(
        forms.DispatchForm,
        services.case_dispatch,
        _("Blow the whistle to departments"),
        _("Dispatched: the departments must now report for duty."),
        False,
    ),
    "verify": Action(
        forms.VerifyForm, services.case_verify, _("Verified: close the case"), _("Case closed.")
    ),
    "rework": Action(
        forms.ReworkForm,
        services.case_rework,
        _("Send back for rework"),
        _("Case sent back for rework."),
        False,
    ),
    "rate": Action(
        forms.RateForm, services.case_rate, _("Rate the result"), _("Thank you for your rating.")
    ),
}
DEPARTMENT_ACTIONS: dict[str, Action] = {
    "claim": Action(
        forms.EmptyForm, services.case_claim, _("Claim (report for duty)"), _("Claimed.")
    ),
    "resolve": Action(
        forms.DepartmentResolveForm,
        services.case_dispatch_resolve,
        _("Report the department's result"),
        _("Result reported."),
    ),
    "assign": Action(
        forms.AssignForm,
        services.case_assign,
        _("Give to a staff member"),
        _("Assigned."),
        False,
    ),
    "return": Action(
        forms.ReasonForm,
        services.case_return,
        _("Return to the dispatcher"),
        _("Returned to the dispatcher."),
        False,
    ),
    "rate": Action(
        forms.DepartmentRatingForm,
        services.dispatch_rate,
        _("Rate the department's response"),
        _("Department rated."),
        False,
    ),
}


def case_actions(user, case: Case, may_handle: bool) -> list[str]:
    if case.status == Status.REPORTED:
        return ["accept", "reject", "duplicate"] if may_handle else []
    if case.status == Status.HANDLING and case.level != Level.DEPARTMENT:
        names = ["resolve"] if may_handle else []
        if may_handle and case.level in (Level.GRID, Level.COMMUNITY):
            names.append("whistle")
        if can_dispatch(user, case):
            names.append("dispatch")
        return names
    if case.status == Status.RESOLVED:
        return ["verify", "rework"] if can_verify(user, case) else []
    if case.status == Status.CLOSED and not case.rating and is_reporter(user, case):
        return ["rate"]
    return []


def dispatch_actions(user, case: Case, dispatch: CaseDispatch) -> list[str]:
    rate = ["rate"] if _may_rate(user, case, dispatch) else []
    working = case.level == Level.DEPARTMENT and case.status in (Status.DISPATCHED, Status.HANDLING)
    if not working or not dispatch.active or dispatch.returned_at or dispatch.resolved_at:
        return rate
    assign = ["assign"] if can_assign_dispatch(user, dispatch) else []
    if dispatch.claimed_by_id is None:
        return (["claim", "return"] if can_claim_for(user, dispatch) else []) + assign
    return (["resolve", "return"] if can_work_dispatch(user, dispatch) else []) + assign + rate


def _may_rate(user, case: Case, dispatch: CaseDispatch) -> bool:
    """评价权, once the department has reported for duty and until it has been rated."""
    rated = dispatch.response_rating is not None
    current = dispatch.active and dispatch.claimed_at is not None
    return current and not rated and can_rate_department(user, case)


def form_prefix(name: str, department: Department | None) -> str:
    return f"{name}-{department.code}" if department else name


def _action_url(case: Case, name: str, department: Department | None) -> str:
    if department:
        return reverse(f"dispatch_{name}", args=[case.number, department.code])
    return reverse(f"case_{name}", args=[case.number])


def actions_offered(request, case: Case, names: list[str], department, bound) -> list[dict]:
    """The action forms for the page; the one just submitted keeps its input and errors."""
    table = DEPARTMENT_ACTIONS if department else CASE_ACTIONS
    key = department.code if department else None
    if bound and bound[0] == key and bound[1] not in names:
        names = [*names, bound[1]]  # the state moved on, but the user must see their errors
    offered = []
    for name in names:
        action = table[name]
        if bound and bound[:2] == (key, name):
            form = bound[2]
        else:
            prefix = form_prefix(name, department)
            form = action.form(case=case, user=request.user, department=department, prefix=prefix)
        url = _action_url(case, name, department)
        offered.append(
            {"name": name, "action": action, "form": form, "url": url, "department": department}
        )
    return offered
