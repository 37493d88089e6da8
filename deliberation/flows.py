"""The 五议两公开 process of one proposal: `ProposalFlow` (viewflow.workflow).

业主建议 (owners co-sign) → 业委会提议 (adopt or decline) → 小区党支部商议 (opinion) →
社区党组织审议 (approve, or return to the committee) → the committee convenes the assembly →
业主大会决议 (the vote, closed and counted by its timer) → 实施结果公开 (progress reports
until the result). Each step is a task of the right people with a time limit
(`deadlines`): co-signing expires the proposal; the others go overdue and say so. The
status machine is `lifecycle.ProposalLifecycle`; only services call its transitions, and
these node callbacks call services (imported inside them: the services move this flow).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow import this
from viewflow.workflow import flow, lock

from .choices import ProposalStatus
from .models import Proposal

if TYPE_CHECKING:
    from viewflow.workflow.activation import Activation

# The work happens on the proposal's own page, not on viewflow's task forms.
TASK_PAGE = RedirectView.as_view(url=reverse_lazy("deliberation:compound_list"))


def _proposal(activation: Activation) -> Proposal:
    return Proposal.objects.get(process=activation.process)


class ProposalFlow(flow.Flow):  # type: ignore[misc]  # viewflow ships no types: Flow is Any
    """五议两公开 of one proposal; every step's work happens in `services`."""

    process_title = _("Owners' deliberation (五议两公开)")
    lock_impl = lock.SelectForUpdateLock(nowait=False)

    start = flow.StartHandle(this.start_proposal).Next(this.cosign)

    cosign = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("业主建议: owners co-sign"))
        .OnTimeout(this.step_due, this.cosign_expired)
        .Next(this.adopt)
    )
    adopt = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("业委会提议: adopt as a motion or decline"))
        .OnTimeout(this.step_due, this.step_overdue, interrupting=False)
        .Next(this.after_adopt)
    )
    after_adopt = flow.If(this.is_motion).Then(this.branch).Else(this.end)
    branch = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("小区党支部商议: the party branch's opinion"))
        .OnTimeout(this.step_due, this.step_overdue, interrupting=False)
        .Next(this.review)
    )
    review = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("社区党组织审议: approve or return"))
        .OnTimeout(this.step_due, this.step_overdue, interrupting=False)
        .Next(this.after_review)
    )
    after_review = flow.If(this.is_approved).Then(this.convene).Else(this.adopt)
    convene = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("The committee opens the owners' vote"))
        .OnTimeout(this.step_due, this.step_overdue, interrupting=False)
        .Next(this.vote)
    )
    vote = (
        flow.View(TASK_PAGE)
        .Annotation(title=_("业主大会决议: owners vote"))
        .OnTimeout(this.vote_closes, this.vote_close)
        .Next(this.after_vote)
    )
    vote_close = (
        flow.Function(this.count_votes)
        .Annotation(title=_("Count the votes at the closing time"))
        .Next(this.after_vote)
    )
    after_vote = flow.If(this.is_passed).Then(this.implement).Else(this.end)
    implement = (
        flow.View(TASK_PAGE).Annotation(title=_("实施结果公开: progress and result")).Next(this.end)
    )
    cosign_expired = (
        flow.Function(this.expire).Annotation(title=_("Too few co-signatures")).Next(this.end)
    )
    step_overdue = (
        flow.Function(this.mark_overdue).Annotation(title=_("Step overdue")).Next(this.timer_end)
    )
    timer_end = flow.End()
    end = flow.End()

    # --- node callbacks -------------------------------------------------------------------

    def start_proposal(self, activation: Activation, proposal: Proposal) -> Proposal:
        activation.process.artifact = proposal
        activation.process.save()
        proposal.process = activation.process
        proposal.save(update_fields=["process"])
        return proposal

    def step_due(self, activation: Activation) -> datetime | None:
        return _proposal(activation).step_due

    def vote_closes(self, activation: Activation) -> datetime | None:
        return _proposal(activation).vote_closes_at

    def is_motion(self, activation: Activation) -> bool:
        return _proposal(activation).status == ProposalStatus.MOTION

    def is_approved(self, activation: Activation) -> bool:
        return _proposal(activation).status == ProposalStatus.APPROVED

    def is_passed(self, activation: Activation) -> bool:
        return _proposal(activation).status == ProposalStatus.PASSED

    def count_votes(self, activation: Activation) -> None:
        from .services import proposal_vote_close

        proposal_vote_close(proposal=_proposal(activation))

    def expire(self, activation: Activation) -> None:
        from .services import proposal_expire

        proposal_expire(proposal=_proposal(activation))

    def mark_overdue(self, activation: Activation) -> None:
        from .services import proposal_mark_overdue

        proposal_mark_overdue(proposal=_proposal(activation))
