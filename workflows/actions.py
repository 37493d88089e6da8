"""The action registry: every action on a case, or on a department's part of one, declared once.

An action names the transition of a status machine (`lifecycle.CaseLifecycle`, or
`lifecycle.DispatchLifecycle` for a department's part) that says *who may and when*; the
service that does it (and refuses with the same transition's check, `services.common`); its
page form and its API serializer; its labels. The case page's buttons and the workbench's
one-tap buttons (`views`), the page and REST endpoints (`urls`, `apis.rest`), the OpenAPI
schema and the success messages all read `ACTIONS`, so what is offered is what is allowed.

A hypothesis test (tests/workflows/test_actions__registry.py) checks it: for random
histories, people and actions, `offered` is true exactly when the service accepts.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise
from rest_framework import serializers as drf

from grids.models import Department, User
from grids.selectors import AnyUser

from . import forms, services
from .apis import serializers as s
from .lifecycle import BoundTransition, CaseLifecycle, DispatchLifecycle
from .models import Case, CaseDispatch

Scope = Literal["case", "part"]


@dataclass(frozen=True)
class Action:
    """One thing a person may do. `scope="part"` acts on one department's part of a case
    (its page URL ends with the department's code; its API body names the department)."""

    name: str  # /cases/<number>/<name>/[<department>/] on the pages
    scope: Scope
    transition: str  # on CaseLifecycle (case) or DispatchLifecycle (part)
    service: Callable[..., object]
    form: type[forms.CaseActionForm]
    serializer: type[drf.Serializer[Any]]  # input only: no instance
    label: StrOrPromise  # the button
    done: StrOrPromise  # the message after it succeeded
    summary: str  # the API endpoint's summary (OpenAPI)
    primary: bool = True  # shown open on the case page
    one_tap: bool = False  # may be sent straight from a workbench list, without its form
    api_name: str = ""  # /api/v1/cases/<number>/<api_name>/ (default: name)
    short_label: StrOrPromise | None = None  # on a workbench card

    @property
    def endpoint(self) -> str:
        return self.api_name or self.name

    @property
    def card_label(self) -> StrOrPromise:
        return self.short_label or self.label

    @property
    def needs_files(self) -> bool:
        return any(f.widget.needs_multipart_form for f in self.form.base_fields.values())

    def machine(
        self, case: Case, dispatch: CaseDispatch | None = None
    ) -> CaseLifecycle | DispatchLifecycle:
        if self.scope == "part":
            assert dispatch is not None, f"{self.name} acts on a department's part"
            return DispatchLifecycle(case, dispatch)
        return CaseLifecycle(case)

    def possible(self, case: Case, dispatch: CaseDispatch | None = None) -> bool:
        """Could anyone do this now? The transition's status and conditions."""
        method: BoundTransition = getattr(self.machine(case, dispatch), self.transition)
        return bool(method.can_proceed())

    def offered(self, user: AnyUser, case: Case, dispatch: CaseDispatch | None = None) -> bool:
        """May `user` do this now? The transition's status, conditions and permission."""
        method: BoundTransition = getattr(self.machine(case, dispatch), self.transition)
        return method.can_proceed() and method.has_perm(user)

    def run(
        self, *, case: Case, actor: User, department: Department | None = None, **data: object
    ) -> object:
        """Call the service (which checks again, under the case's lock)."""
        if self.scope == "part":
            data["department"] = department
        return self.service(case=case, actor=actor, **data)


ACTIONS: tuple[Action, ...] = (
    Action(
        "accept",
        "case",
        "accept",
        services.case_accept,
        forms.EmptyForm,
        s.EmptyInputSerializer,
        _("Accept"),
        _("Case accepted."),
        "受理 accept the case",
        one_tap=True,
    ),
    Action(
        "reject",
        "case",
        "reject",
        services.case_reject,
        forms.ReasonForm,
        s.ReasonSerializer,
        _("Reject"),
        _("Case rejected."),
        "不予受理 reject, with reason",
        primary=False,
    ),
    Action(
        "duplicate",
        "case",
        "mark_duplicate",
        services.case_mark_duplicate,
        forms.DuplicateForm,
        s.DuplicateSerializer,
        _("Merge into an earlier case"),
        _("Merged into the earlier case: its reporter, photos and followers moved there."),
        "Merge into an earlier case (this one ends as its duplicate)",
        primary=False,
    ),
    Action(
        "resolve",
        "case",
        "resolve",
        services.case_resolve,
        forms.ResolveForm,
        s.ResolveSerializer,
        _("Report the result"),
        _("Result reported; waiting for verification."),
        "Report the result (with `department`: that department's part)",
    ),
    Action(
        "whistle",
        "case",
        "whistle",
        services.case_whistle,
        forms.WhistleForm,
        s.WhistleSerializer,
        _("Blow the whistle to the level above"),
        _("Whistle blown: the level above has the case now."),
        "吹哨 whistle to the level above",
        primary=False,
        short_label=_("Blow the whistle"),
    ),
    Action(
        "dispatch",
        "case",
        "dispatch",
        services.case_dispatch,
        forms.DispatchForm,
        s.DispatchInputSerializer,
        _("Blow the whistle to departments"),
        _("Dispatched: the departments must now report for duty."),
        "吹哨 whistle to departments",
        primary=False,
    ),
    Action(
        "verify",
        "case",
        "close",
        services.case_verify,
        forms.VerifyForm,
        s.VerifySerializer,
        _("Verified: close the case"),
        _("Case closed."),
        "核查 verify and close: `method` with an on-site photo and location, or a reason",
        short_label=_("Verify"),  # on a card: opens the case page's form (never one tap)
    ),
    Action(
        "rework",
        "case",
        "rework",
        services.case_rework,
        forms.ReworkForm,
        s.ReasonSerializer,
        _("Send back for rework"),
        _("Case sent back for rework."),
        "返工 send back for rework",
        primary=False,
    ),
    Action(
        "take_over_verification",
        "case",
        "take_over_verification",
        services.case_verification_take_over,
        forms.ReasonForm,
        s.ReasonSerializer,
        _("Take over the verification (接管核查)"),
        _("The street verifies this case now."),
        "接管核查 the street takes over verifying a case resolved below it, with a reason",
        primary=False,
    ),
    Action(
        "rate",
        "case",
        "rate",
        services.case_rate,
        forms.RateForm,
        s.RateSerializer,
        _("Rate the result"),
        _("Thank you for your rating."),
        "The reporter rates the result",
    ),
    Action(
        "comment",
        "case",
        "comment",
        services.case_comment,
        forms.CommentForm,
        s.CommentSerializer,
        _("Comment"),
        _("Comment added."),
        "Comment on the case",
        primary=False,
    ),
    Action(
        "follow",
        "case",
        "follow",
        services.case_follow,
        forms.EmptyForm,
        s.EmptyInputSerializer,
        _("I have this problem too"),
        _("You follow this case now: you will be told of its progress."),
        "我也遇到 +1: follow the case, counted on it",
        primary=False,
    ),
    Action(
        "ask_extension",
        "case",
        "ask_extension",
        services.case_extension_ask,
        forms.ExtensionAskForm,
        s.ExtensionAskSerializer,
        _("Ask for more time"),
        _("Extension asked for; waiting for approval."),
        "延期 ask for a later deadline, with a reason",
        primary=False,
    ),
    Action(
        "approve_extension",
        "case",
        "approve_extension",
        services.case_extension_approve,
        forms.ExtensionApproveForm,
        s.ExtensionApproveSerializer,
        _("Grant the extension"),
        _("Extension granted: the deadline has moved."),
        "延期 grant the extension (the deadline asked for, or a shorter one)",
    ),
    Action(
        "refuse_extension",
        "case",
        "refuse_extension",
        services.case_extension_refuse,
        forms.ReasonForm,
        s.ReasonSerializer,
        _("Refuse the extension"),
        _("Extension refused."),
        "延期 refuse the extension, with a reason",
        primary=False,
    ),
    Action(
        "supervise",
        "case",
        "supervise",
        services.case_supervise,
        forms.SuperviseForm,
        s.SuperviseSerializer,
        _("Supervise (督办)"),
        _("Case supervised: the handling unit has been told."),
        "督办 the street supervises the case, with an instruction and a due time",
        primary=False,
    ),
    Action(
        "suspend",
        "case",
        "suspend",
        services.case_suspend,
        forms.SuspendForm,
        s.SuspendSerializer,
        _("Suspend"),
        _("Case suspended: its clocks have stopped."),
        "挂起 suspend the case (clocks and timers stop), with a reason and a date to resume",
        primary=False,
    ),
    Action(
        "ask_suspension",
        "case",
        "ask_suspension",
        services.case_suspension_ask,
        forms.SuspendForm,
        s.SuspendSerializer,
        _("Ask for a suspension"),
        _("Suspension asked for; waiting for approval."),
        "挂起 the handler asks for a suspension (reason, date to resume), for approval",
        primary=False,
    ),
    Action(
        "approve_suspension",
        "case",
        "approve_suspension",
        services.case_suspension_approve,
        forms.SuspensionApproveForm,
        s.SuspensionApproveSerializer,
        _("Approve the suspension"),
        _("Suspension approved: the case's clocks have stopped."),
        "挂起 approve the handler's request (until the date asked for, or `resume_at`)",
    ),
    Action(
        "refuse_suspension",
        "case",
        "refuse_suspension",
        services.case_suspension_refuse,
        forms.ReasonForm,
        s.ReasonSerializer,
        _("Refuse the suspension"),
        _("Suspension refused."),
        "挂起 refuse the handler's request, with a reason",
        primary=False,
    ),
    Action(
        "resume",
        "case",
        "resume",
        services.case_resume,
        forms.EmptyForm,
        s.EmptyInputSerializer,
        _("Resume"),
        _("Case resumed: its clocks run again."),
        "Resume a suspended case (its deadlines move by the time suspended)",
    ),
    Action(
        "claim",
        "part",
        "claim",
        services.case_claim,
        forms.EmptyForm,
        s.DepartmentInputSerializer,
        _("Claim (report for duty)"),
        _("Claimed."),
        "报到 claim a department's part",
        one_tap=True,
    ),
    Action(
        "resolve",
        "part",
        "resolve",
        services.case_dispatch_resolve,
        forms.DepartmentResolveForm,
        s.ResolveSerializer,
        _("Report the department's result"),
        _("Result reported."),
        "Report the result (with `department`: that department's part)",
        short_label=_("Report the result"),
    ),
    Action(
        "return",
        "part",
        "return_to_dispatcher",
        services.case_return,
        forms.ReasonForm,
        s.DepartmentReasonSerializer,
        _("Return to the dispatcher"),
        _("Returned to the dispatcher."),
        "退回 return a department's part",
        primary=False,
        short_label=_("Return"),
    ),
    Action(
        "assign",
        "part",
        "assign",
        services.case_assign,
        forms.AssignForm,
        s.AssignSerializer,
        _("Give to a staff member"),
        _("Assigned."),
        "派单 a department head gives its part to one of its staff",
        primary=False,
    ),
    Action(
        "accept_return",
        "part",
        "accept_return",
        services.case_return_accept,
        forms.ReturnAcceptForm,
        s.ReturnAcceptSerializer,
        _("Accept the return"),
        _("Return accepted."),
        "退单审核 accept a department's return (with `to_department`: 改派 to it)",
    ),
    Action(
        "refuse_return",
        "part",
        "refuse_return",
        services.case_return_refuse,
        forms.ReasonForm,
        s.DepartmentReasonSerializer,
        _("Refuse the return"),
        _("Return refused: the department must report for duty again."),
        "退单审核 refuse a department's return: back to it, claim clock restarted",
        primary=False,
        short_label=_("Refuse the return"),
    ),
    Action(
        "reassign",
        "part",
        "reassign",
        services.case_reassign,
        forms.ReassignForm,
        s.ReassignSerializer,
        _("Reassign to another department"),
        _("Reassigned."),
        "改派 move a department's part to another department",
        primary=False,
        short_label=_("Reassign"),
    ),
    Action(
        "rate",
        "part",
        "rate",
        services.dispatch_rate,
        forms.DepartmentRatingForm,
        s.DepartmentRateSerializer,
        _("Rate the department's response"),
        _("Department rated."),
        "评价 rate a department's response",
        primary=False,
        api_name="rate_department",
    ),
    Action(
        "appeal",
        "part",
        "appeal",
        services.case_appeal,
        forms.AppealForm,
        s.AppealSerializer,
        _("Appeal (申诉)"),
        _("Appeal filed: the street will decide."),
        "申诉 a department appeals a poor rating or a rework of its part, with a reason and photos",
        primary=False,
        short_label=_("Appeal"),
    ),
    Action(
        "uphold_appeal",
        "part",
        "uphold_appeal",
        services.case_appeal_uphold,
        forms.AppealDecisionForm,
        s.AppealDecisionSerializer,
        _("Uphold the appeal"),
        _("Appeal upheld: the rating or rework no longer counts."),
        "申诉 upheld by the street: the rating or rework no longer counts, with a reason",
        short_label=_("Uphold"),
    ),
    Action(
        "dismiss_appeal",
        "part",
        "dismiss_appeal",
        services.case_appeal_dismiss,
        forms.AppealDecisionForm,
        s.AppealDecisionSerializer,
        _("Dismiss the appeal"),
        _("Appeal dismissed."),
        "申诉 dismissed by the street: the rating or rework stands, with a reason",
        primary=False,
        short_label=pgettext_lazy("appeal", "Dismiss"),
    ),
)


def action_get(name: str, scope: Scope = "case") -> Action:
    """The action called `name` on a case (or, with scope="part", on a department's part)."""
    return _BY_NAME[(scope, name)]


def actions_in(scope: Scope) -> Iterator[Action]:
    return (action for action in ACTIONS if action.scope == scope)


def api_endpoints() -> dict[str, list[Action]]:
    """REST endpoint name → its actions (the case's first; `resolve` serves both scopes)."""
    endpoints: dict[str, list[Action]] = {}
    for action in ACTIONS:
        endpoints.setdefault(action.endpoint, []).append(action)
    return endpoints


def case_actions_offered(user: AnyUser, case: Case) -> list[Action]:
    return [action for action in actions_in("case") if action.offered(user, case)]


def part_actions_offered(user: AnyUser, case: Case, dispatch: CaseDispatch) -> list[Action]:
    return [action for action in actions_in("part") if action.offered(user, case, dispatch)]


_BY_NAME = {(action.scope, action.name): action for action in ACTIONS}
assert len(_BY_NAME) == len(ACTIONS), "two actions share a scope and a name"
