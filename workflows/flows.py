"""The process that drives a case's status machine (`lifecycle.CaseLifecycle`): `CaseFlow`.

It holds the work: one claimable task per handling step, one per dispatched department,
verification by the level that blew the whistle, a wait for the resident's rating, and timers
for overdue alerts and escalation. Only services call transitions; flow nodes call services
(imported inside the callbacks: the services move this flow's tasks, so they import it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow import this
from viewflow.workflow import flow, lock

from .choices import Level, Status
from .deadlines import REOPEN_WINDOW
from .flow_nodes import DataSplit
from .models import Case

if TYPE_CHECKING:
    from viewflow.workflow.activation import Activation
    from viewflow.workflow.models import Task

    from .models import CaseDispatch

# viewflow's task URLs: the work on a case happens on the case's own page, not a task form.
TASK_PAGE = RedirectView.as_view(url=reverse_lazy("home"))


def _case(activation: Activation) -> Case:
    return Case.objects.get(process=activation.process)


def _claim_task(activation: Activation) -> Task:
    """The department claim task that a boundary timer (or its follower) belongs to."""
    return _host_task(activation, CaseFlow.claim)


def _host_task(activation: Activation, node: object) -> Task:
    task = activation.task
    while task.flow_task is not node:
        task = task.previous.get()
    return task


def _branch_dispatch(task: Task) -> int:
    """The department's part (a `CaseDispatch` id) a task of a department branch works on:
    its own data, else what the task before it in the branch worked on — followed to the
    part it was reassigned to (改派), if it was."""
    from .models import CaseDispatch

    while "dispatch" not in task.data:
        task = task.previous.get()
    dispatch_id: int = task.data["dispatch"]
    moved = CaseDispatch.objects.filter(pk=dispatch_id).values_list("reassigned_to", flat=True)
    return moved.first() or dispatch_id


def _incoming_dispatch(activation: Activation) -> CaseDispatch:
    """At a gateway after a department branch's task: that task's part, as it is now."""
    from .models import CaseDispatch

    return CaseDispatch.objects.get(pk=_branch_dispatch(activation.task))


class CaseFlow(flow.Flow):  # type: ignore[misc]  # viewflow ships no types: Flow is Any
    """The 吹哨报到 process of one case; every step's work happens in `services`."""

    process_title = _("Case")
    # Row lock on the process (PostgreSQL; SQLite serialises writers anyway). Blocking rather
    # than viewflow's NOWAIT-and-retry default: every service takes this lock first and holds
    # it for milliseconds, so simultaneous claimers queue instead of failing after retries.
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_case).Next(this.intake)

    intake = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("Accept, reject or mark duplicate"))
        .OnTimeout(this.respond_due, this.respond_overdue, interrupting=False)
        .Next(this.after_intake)
    )
    after_intake = flow.If(this.is_open).Then(this.handle).Else(this.end)

    handle = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("Handle: resolve, whistle up or dispatch"))
        .OnTimeout(this.resolve_due, this.resolve_overdue, interrupting=False)
        .Next(this.after_handle)
    )
    after_handle = (
        flow.Switch()
        .Case(this.dispatch, this.is_dispatched)
        .Case(this.verify, this.is_resolved)
        .Case(this.end, this.is_merged)
        .Default(this.handle)
    )

    dispatch = DataSplit().Next(this.claim, data_source=this.dispatches_to_work)
    claim = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("Department: claim (报到), handle, report back"))
        .onCreate(this.claim_created)
        .OnTimeout(this.claim_due, this.claim_overdue, interrupting=False)
        .OnTimeout(this.dispatch_resolve_due, this.dispatch_overdue, interrupting=False)
        .Next(this.after_claim)
    )
    # A department's part ends with its result, or goes back to the dispatching level for
    # review (退回 → 退单审核), or to another department (改派: a new claim task).
    after_claim = (
        flow.Switch()
        .Case(this.review_return, this.part_in_review)
        .Case(this.claim, this.part_goes_on)
        .Default(this.departments_join)
    )
    review_return = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("Dispatcher: review the return (退单审核)"))
        .onCreate(this.review_created)
        .OnTimeout(this.review_due, this.review_overdue, interrupting=False)
        .Next(this.after_review)
    )
    # Refused: the same department claims again; accepted with 改派: the new department
    # claims; accepted alone: the part has ended.
    after_review = flow.Switch().Case(this.claim, this.part_goes_on).Default(this.departments_join)
    departments_join = flow.Join().Next(this.departments_done)
    departments_done = flow.Function(this.after_departments).Next(this.after_departments_switch)
    after_departments_switch = (
        flow.Switch().Case(this.verify, this.is_resolved).Default(this.handle)
    )

    verify = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("Verify on site (核查): close or rework"))
        .Next(this.after_verify)
    )
    after_verify = (
        flow.Switch()
        .Case(this.feedback, this.is_closed)
        .Case(this.dispatch, this.is_department_rework)
        .Default(this.handle)
    )

    feedback = (
        flow.Handle(this.feedback_received)
        .Annotation(title=_("Resident's rating"))
        .OnTimeout(REOPEN_WINDOW, this.end)
        .Next(this.after_feedback)
    )
    after_feedback = flow.If(this.is_open).Then(this.handle).Else(this.end)

    respond_overdue = flow.Function(this.mark_respond_overdue).Next(this.timer_end)
    resolve_overdue = flow.Function(this.mark_resolve_overdue).Next(this.timer_end)
    claim_overdue = flow.Function(this.mark_claim_overdue).Next(this.timer_end)
    dispatch_overdue = flow.Function(this.mark_dispatch_overdue).Next(this.timer_end)
    review_overdue = flow.Function(this.mark_review_overdue).Next(this.timer_end)
    timer_end = flow.End()
    end = flow.End()

    # --- node callbacks -------------------------------------------------------------------

    def start_case(self, activation: Activation, case: Case) -> Case:
        activation.process.artifact = case
        activation.process.save()  # the next nodes look the case up by its process
        case.process = activation.process
        case.save(update_fields=["process"])
        return case

    def is_open(self, activation: Activation) -> bool:
        return _case(activation).status not in (Status.REJECTED, Status.DUPLICATE, Status.CLOSED)

    def is_merged(self, activation: Activation) -> bool:
        """Merged into an earlier case while being handled (services.case_mark_duplicate)."""
        return _case(activation).status == Status.DUPLICATE

    def is_dispatched(self, activation: Activation) -> bool:
        return _case(activation).status == Status.DISPATCHED

    def is_resolved(self, activation: Activation) -> bool:
        return _case(activation).status == Status.RESOLVED

    def is_closed(self, activation: Activation) -> bool:
        return _case(activation).status == Status.CLOSED

    def is_department_rework(self, activation: Activation) -> bool:
        case = _case(activation)
        return case.status == Status.HANDLING and case.level == Level.DEPARTMENT

    def dispatches_to_work(self, activation: Activation) -> list[dict[str, int]]:
        case = _case(activation)
        pending = case.dispatches.filter(
            active=True, resolved_at__isnull=True, returned_at__isnull=True
        )
        return [{"dispatch": d.pk, "department": d.department_id} for d in pending]

    def claim_created(self, activation: Activation) -> None:
        from .services import dispatch_task_prepare

        task = activation.task
        task.data = {**(task.data or {}), "dispatch": _branch_dispatch(task)}
        task.save(update_fields=["data"])
        dispatch_task_prepare(task=task)

    def review_created(self, activation: Activation) -> None:
        from .services import review_task_prepare

        task = activation.task
        task.data = {**(task.data or {}), "dispatch": _branch_dispatch(task)}
        task.save(update_fields=["data"])
        review_task_prepare(task=task)

    def part_in_review(self, activation: Activation) -> bool:
        dispatch = _incoming_dispatch(activation)
        return (
            dispatch.active
            and dispatch.returned_at is not None
            and not (dispatch.return_accepted_at)
        )

    def part_goes_on(self, activation: Activation) -> bool:
        """Still to be claimed or worked on: a refused return, or the part it was moved to."""
        dispatch = _incoming_dispatch(activation)
        return dispatch.active and dispatch.returned_at is None and dispatch.resolved_at is None

    def review_due(self, activation: Activation) -> datetime:
        from .models import CaseDispatch

        task = _host_task(activation, CaseFlow.review_return)
        due = CaseDispatch.objects.get(pk=task.data["dispatch"]).review_due
        assert due is not None, "a return under review has its review deadline"
        return due

    def mark_review_overdue(self, activation: Activation) -> None:
        from .services import return_review_overdue

        task = _host_task(activation, CaseFlow.review_return)
        return_review_overdue(dispatch_id=task.data["dispatch"])

    def respond_due(self, activation: Activation) -> datetime | None:
        return _case(activation).respond_due

    def resolve_due(self, activation: Activation) -> datetime | None:
        return _case(activation).resolve_due

    def claim_due(self, activation: Activation) -> datetime:
        from .models import CaseDispatch

        return CaseDispatch.objects.get(pk=_claim_task(activation).data["dispatch"]).claim_due

    def dispatch_resolve_due(self, activation: Activation) -> datetime:
        from .models import CaseDispatch

        return CaseDispatch.objects.get(pk=_claim_task(activation).data["dispatch"]).resolve_due

    def mark_dispatch_overdue(self, activation: Activation) -> None:
        from .services import dispatch_resolve_overdue

        dispatch_resolve_overdue(dispatch_id=_claim_task(activation).data["dispatch"])

    def mark_respond_overdue(self, activation: Activation) -> None:
        from .services import case_mark_overdue

        case_mark_overdue(case=_case(activation), what="respond")

    def mark_resolve_overdue(self, activation: Activation) -> None:
        from .services import case_mark_overdue

        case_mark_overdue(case=_case(activation), what="resolve")

    def mark_claim_overdue(self, activation: Activation) -> None:
        from .services import dispatch_claim_overdue

        dispatch_claim_overdue(dispatch_id=_claim_task(activation).data["dispatch"])

    def after_departments(self, activation: Activation) -> None:
        from .services import case_departments_finished

        case_departments_finished(case=_case(activation))

    def feedback_received(self, activation: Activation, **kwargs: object) -> Case:
        return _case(activation)
