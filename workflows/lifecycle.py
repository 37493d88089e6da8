"""What may happen to a case, and who may do it: the status machines (viewflow.fsm).

`CaseLifecycle` holds the case's status changes (and the things that may happen to a case in
a given status without changing it: a rating, a comment); `DispatchLifecycle` holds one
department's part of a whistled case, whose state is derived from its timestamps. Every
transition names its permission function (`permissions`) and its conditions; the action
registry (`workflows.actions`) derives what a page or the API offers from these transitions,
and the services run them (`services.common.transition`), so "offered" and "allowed" are
one rule. Transitions without a target change no status: the service writes what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from . import permissions, visibility
from .choices import OPEN_STATUSES, Status
from .models import Case, CaseDispatch

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from grids.selectors import AnyUser

    from .verification import Evidence

ANY = fsm.State.ANY

Machine = TypeVar("Machine")


class BoundTransition(Protocol):
    """A transition read from a machine (viewflow.fsm's `TransitionBoundMethod`)."""

    @property
    def label(self) -> StrOrPromise: ...
    def __call__(self) -> None: ...
    def can_proceed(self) -> bool: ...
    def has_perm(self, user: AnyUser) -> bool: ...
    def get_transitions(self) -> Iterable[Any]: ...


class StateField(Protocol[Machine]):
    """`fsm.State` in a machine's class body, where its decorators declare the transitions.
    viewflow ships no type information (and its decorators return Any even in its source):
    typed here once, so mypy checks each transition's permission and conditions against
    the machine they are called with."""

    def transition(
        self,
        *,
        source: str | list[str],
        target: str = ...,
        label: StrOrPromise,
        permission: Callable[[Machine, AnyUser], bool | permissions.Unmet],
        conditions: list[Callable[[Machine], bool | permissions.Unmet]] = ...,
    ) -> Callable[[Callable[[Machine], None]], BoundTransition]: ...
    def getter(self) -> Callable[[Callable[[Machine], str]], Callable[[Machine], str]]: ...
    def setter(
        self,
    ) -> Callable[[Callable[[Machine, str], None]], Callable[[Machine, str], None]]: ...


class CaseLifecycle:
    """Legal status changes of one case, each guarded by an explicit permission."""

    status: StateField[CaseLifecycle] = fsm.State(Status, default=Status.REPORTED)

    def __init__(self, case: Case, evidence: Evidence | None = None) -> None:
        self.case = case
        self.evidence = evidence  # 核查: what the verifier gives (services.case_verify)

    @property
    def current(self) -> str:
        return self.case.status

    @status.getter()
    def _get_status(self) -> str:
        return self.case.status

    @status.setter()
    def _set_status(self, value: str) -> None:
        self.case.status = value

    @status.transition(
        source=Status.REPORTED,
        target=Status.HANDLING,
        label=_("accept"),
        permission=permissions.lifecycle_handle,
    )
    def accept(self) -> None:
        """受理: the grid takes the case on."""

    @status.transition(
        source=Status.REPORTED,
        target=Status.REJECTED,
        label=_("reject"),
        permission=permissions.lifecycle_handle,
    )
    def reject(self) -> None:
        """不予受理, with a reason."""

    @status.transition(
        source=[Status.REPORTED, Status.HANDLING],
        target=Status.DUPLICATE,
        label=_("mark as duplicate"),
        permission=permissions.lifecycle_handle,
        conditions=[permissions.at_area_level],
    )
    def mark_duplicate(self) -> None:
        """Same problem as an earlier case: merged into it, when reported or while the grid,
        community or street handles it (not while departments work on it)."""

    @status.transition(
        source=Status.HANDLING,
        target=Status.HANDLING,
        label=_("whistle up"),
        permission=permissions.lifecycle_handle,
        conditions=[permissions.not_suspended, permissions.below_street],
    )
    def whistle(self) -> None:
        """吹哨: one level up (grid → community → street)."""

    @status.transition(
        source=Status.HANDLING,
        target=Status.DISPATCHED,
        label=_("dispatch"),
        permission=permissions.lifecycle_dispatch,
        conditions=[permissions.not_suspended, permissions.at_area_level],
    )
    def dispatch(self) -> None:
        """吹哨 to functional departments, which must claim (报到)."""

    @status.transition(
        source=Status.DISPATCHED,
        target=Status.HANDLING,
        label=_("claim"),
        conditions=[permissions.not_suspended],
        permission=permissions.lifecycle_claim,
    )
    def claim(self) -> None:
        """报到: the first department reports for duty."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        target=Status.HANDLING,
        label=_("return"),
        permission=permissions.nobody,
        conditions=[permissions.at_department_level],
    )
    def return_to_dispatcher(self) -> None:
        """退回 (the system, at the Join): every department sent the case back."""

    @status.transition(
        source=Status.HANDLING,
        target=Status.RESOLVED,
        label=_("resolve"),
        permission=permissions.lifecycle_handle,
        conditions=[permissions.not_suspended, permissions.at_area_level],
    )
    def resolve(self) -> None:
        """The handling level reports its result; the whistle-blowing level must verify it."""

    @status.transition(
        source=Status.HANDLING,
        target=Status.RESOLVED,
        label=_("resolve"),
        permission=permissions.nobody,
        conditions=[permissions.at_department_level],
    )
    def departments_resolved(self) -> None:
        """(The system, at the Join) the departments reported their results."""

    @status.transition(
        source=Status.RESOLVED,
        target=Status.CLOSED,
        label=_("verify and close"),
        permission=permissions.lifecycle_verify_close,
        conditions=[permissions.verification_evidence],
    )
    def close(self) -> None:
        """核查 passed: closed."""

    @status.transition(
        source=Status.RESOLVED,
        target=Status.HANDLING,
        label=_("send back for rework"),
        permission=permissions.lifecycle_verify,
    )
    def rework(self) -> None:
        """返工: back to the same handler."""

    @status.transition(
        source=Status.RESOLVED,
        label=_("take over the verification"),
        permission=permissions.lifecycle_take_over_verification,
        conditions=[permissions.verified_below_street],
    )
    def take_over_verification(self) -> None:
        """接管核查: the street makes itself the verifying level of a result reported below it
        (the level that whistled or dispatched no longer verifies it), with a reason."""

    @status.transition(
        source=Status.CLOSED,
        label=_("rate"),
        permission=permissions.lifecycle_rate,
        conditions=[permissions.not_rated],
    )
    def rate(self) -> None:
        """The reporter rates the result, once."""

    @status.transition(
        source=Status.CLOSED,
        target=Status.HANDLING,
        label=_("reopen"),
        permission=permissions.nobody,
        conditions=[permissions.may_reopen],
    )
    def reopen(self) -> None:
        """(The system) 不满意 within the feedback window: handled again, once."""

    @status.transition(
        source=[*OPEN_STATUSES, Status.CLOSED],
        label=_("follow"),
        permission=permissions.lifecycle_follow,
        conditions=[permissions.followable],
    )
    def follow(self) -> None:
        """我也遇到 (+1): someone else has the same problem; told of updates, counted."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("ask for an extension"),
        permission=permissions.lifecycle_ask_extension,
        conditions=[
            permissions.not_suspended,
            permissions.before_resolve_deadline,
            permissions.no_extension_pending,
            permissions.extensions_left,
        ],
    )
    def ask_extension(self) -> None:
        """延期: the handling unit asks for a later deadline, at most N times per case."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("grant the extension"),
        permission=permissions.lifecycle_decide_extension,
        conditions=[permissions.extension_pending],
    )
    def approve_extension(self) -> None:
        """延期 granted (possibly shorter than asked): the deadline and its timers move."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("refuse the extension"),
        permission=permissions.lifecycle_decide_extension,
        conditions=[permissions.extension_pending],
    )
    def refuse_extension(self) -> None:
        """延期 refused: the deadline stands."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("suspend"),
        permission=permissions.lifecycle_suspend,
        conditions=[permissions.not_suspended, permissions.no_suspension_pending],
    )
    def suspend(self) -> None:
        """挂起: the case's clocks and timers stop, with a reason and a date to resume."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("ask for a suspension"),
        permission=permissions.lifecycle_ask_suspension,
        conditions=[permissions.not_suspended, permissions.no_suspension_pending],
    )
    def ask_suspension(self) -> None:
        """挂起 asked by the handler, for the level that may suspend the case to decide."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("approve the suspension"),
        permission=permissions.lifecycle_suspend,
        conditions=[permissions.not_suspended, permissions.suspension_pending],
    )
    def approve_suspension(self) -> None:
        """挂起 approved: suspended as `suspend` does, to the date asked or another."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("refuse the suspension"),
        permission=permissions.lifecycle_suspend,
        conditions=[permissions.suspension_pending],
    )
    def refuse_suspension(self) -> None:
        """挂起 refused, with a reason: the clocks run on."""

    @status.transition(
        source=[Status.DISPATCHED, Status.HANDLING],
        label=_("resume"),
        permission=permissions.lifecycle_suspend,
        conditions=[permissions.is_suspended],
    )
    def resume(self) -> None:
        """The clocks run again with the time they had left (by hand, or at the date)."""

    @status.transition(
        source=[Status.REPORTED, Status.HANDLING, Status.DISPATCHED, Status.RESOLVED],
        label=_("supervise"),
        permission=permissions.lifecycle_supervise,
        conditions=[permissions.not_supervised],
    )
    def supervise(self) -> None:
        """督办: the street marks an open case supervised, until it closes."""

    @status.transition(source=ANY, label=_("comment on"), permission=visibility.lifecycle_view)
    def comment(self) -> None:
        """Anyone who can see the case may remark on it, in any status."""


class DispatchPart:
    """States of one department's part, derived from its fields (no column of its own)."""

    INACTIVE = "inactive"  # an earlier round of dispatching
    WAITING = "waiting"  # waiting for the department to report for duty
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    REVIEW = "review"  # returned, waiting for the dispatching level's review (退单审核)
    RETURNED = "returned"  # returned, and the return accepted: the part has ended


# 申诉 may follow a part in any state (a rating or a rework outlives the round it was given in).
ALL_PARTS = [
    DispatchPart.INACTIVE,
    DispatchPart.WAITING,
    DispatchPart.CLAIMED,
    DispatchPart.RESOLVED,
    DispatchPart.REVIEW,
    DispatchPart.RETURNED,
]


def dispatch_part_state(dispatch: CaseDispatch) -> str:
    if not dispatch.active:
        return DispatchPart.INACTIVE  # an earlier round, or reassigned to another department
    if dispatch.returned_at:
        return DispatchPart.RETURNED if dispatch.return_accepted_at else DispatchPart.REVIEW
    if dispatch.resolved_at:
        return DispatchPart.RESOLVED
    return DispatchPart.CLAIMED if dispatch.claimed_by_id else DispatchPart.WAITING


class DispatchLifecycle:
    """What may happen to one department's part of a case (报到, 派单, 退回, its result,
    评价权). The services write the part's timestamps, from which its state follows."""

    state: StateField[DispatchLifecycle] = fsm.State(DispatchPart, default=DispatchPart.WAITING)

    def __init__(self, case: Case, dispatch: CaseDispatch) -> None:
        self.case, self.dispatch = case, dispatch

    @property
    def current(self) -> str:
        return dispatch_part_state(self.dispatch)

    @state.getter()
    def _get_state(self) -> str:
        return dispatch_part_state(self.dispatch)

    @state.transition(
        source=DispatchPart.WAITING,
        label=_("claim"),
        permission=permissions.dispatch_claim,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def claim(self) -> None:
        """报到: one person reports for duty for the department."""

    @state.transition(
        source=[DispatchPart.WAITING, DispatchPart.CLAIMED],
        label=_("assign"),
        permission=permissions.dispatch_assign,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def assign(self) -> None:
        """派单: a head gives the part to one of the department's staff."""

    @state.transition(
        source=[DispatchPart.WAITING, DispatchPart.CLAIMED],
        label=_("return"),
        permission=permissions.dispatch_return,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def return_to_dispatcher(self) -> None:
        """退回: the department sends its part back, with a reason."""

    @state.transition(
        source=[DispatchPart.WAITING, DispatchPart.CLAIMED],
        label=_("resolve"),
        permission=permissions.dispatch_work,
        conditions=[
            permissions.not_suspended,
            permissions.departments_working,
            permissions.dispatch_claimed,
        ],
    )
    def resolve(self) -> None:
        """The department reports its result."""

    @state.transition(
        source=DispatchPart.REVIEW,
        label=_("accept the return"),
        permission=permissions.dispatch_redirect,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def accept_return(self) -> None:
        """退单审核, accepted: the department's part ends (counted as returned, not failed),
        optionally 改派 to another department."""

    @state.transition(
        source=DispatchPart.REVIEW,
        label=_("refuse the return"),
        permission=permissions.dispatch_redirect,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def refuse_return(self) -> None:
        """退单审核, refused: back to the same department, whose claim clock restarts."""

    @state.transition(
        source=[DispatchPart.WAITING, DispatchPart.CLAIMED],
        label=_("reassign"),
        permission=permissions.dispatch_redirect,
        conditions=[permissions.not_suspended, permissions.departments_working],
    )
    def reassign(self) -> None:
        """改派: the dispatching level moves the part to another department, at any time."""

    @state.transition(
        source=[
            DispatchPart.CLAIMED,
            DispatchPart.RESOLVED,
            DispatchPart.REVIEW,
            DispatchPart.RETURNED,
        ],
        label=_("rate"),
        permission=permissions.dispatch_rate,
        conditions=[permissions.dispatch_reported_for_duty, permissions.dispatch_not_rated],
    )
    def rate(self) -> None:
        """评价权: the whistle-blowing level rates the department's response, once a round."""

    @state.transition(
        source=ALL_PARTS,
        label=_("appeal"),
        permission=permissions.dispatch_appeal,
        conditions=[permissions.appealable],
    )
    def appeal(self) -> None:
        """申诉: the department appeals a poor rating or a rework of its part, in the window."""

    @state.transition(
        source=ALL_PARTS,
        label=_("uphold the appeal"),
        permission=permissions.dispatch_decide_appeal,
        conditions=[permissions.appeal_pending],
    )
    def uphold_appeal(self) -> None:
        """申诉 upheld by the street: the rating or the rework no longer counts."""

    @state.transition(
        source=ALL_PARTS,
        label=_("dismiss the appeal"),
        permission=permissions.dispatch_decide_appeal,
        conditions=[permissions.appeal_pending],
    )
    def dismiss_appeal(self) -> None:
        """申诉 dismissed by the street: the rating or the rework stands."""


def unmet_reason(machine: CaseLifecycle | DispatchLifecycle, name: str) -> str:
    """Why transition `name` cannot happen now, if one of its conditions says so ("" when
    there is no such transition from the current state, or no reason was given)."""
    for transition in getattr(machine, name).get_transitions():
        if transition.source in (machine.current, ANY):
            unmet = transition.get_unmet_condition(machine)
            if unmet is not None:
                return str(getattr(unmet[1], "message", ""))
    return ""
