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

# viewflow's task URLs: the work on a case happens on the case's own page, not a task form.
TASK_PAGE = RedirectView.as_view(url=reverse_lazy("home"))


def _case(activation: Activation) -> Case:
    return Case.objects.get(process=activation.process)


def _claim_task(activation: Activation) -> Task:
    """The department claim task that a boundary timer (or its follower) belongs to."""
    task = activation.task
    while task.flow_task is not CaseFlow.claim:
        task = task.previous.get()
    return task


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
        .Next(this.departments_join)
    )
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

        dispatch_task_prepare(task=activation.task)

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
