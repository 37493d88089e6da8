"""What may happen to a proposal, and who may do it: its status machine (viewflow.fsm).

Each transition names its permission function (`permissions`); the action registry
(`actions`) offers exactly the transitions that may happen now, and the services run them
(`services.common.transition`). Transitions without a target change no status (a
co-signature, a vote, a progress report); `close_vote` is targetless too: its service sets
passed or failed from the count (`quorum.tally`), which no person chooses.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import fsm

from workflows.lifecycle import StateField
from workflows.permissions import Unmet

from . import permissions
from .choices import ProposalStatus
from .models import Proposal

ANY = fsm.State.ANY


def voting_open(machine: ProposalLifecycle) -> bool | Unmet:
    closes = machine.proposal.vote_closes_at
    if closes is not None and timezone.now() >= closes:
        at = f"{timezone.localtime(closes):%Y-%m-%d %H:%M}"
        return Unmet(_("The vote closed at %(at)s.") % {"at": at})
    return True


def voting_over(machine: ProposalLifecycle) -> bool | Unmet:
    closes = machine.proposal.vote_closes_at
    if closes is None or timezone.now() < closes:
        return Unmet(_("The vote is still open."))
    return True


class ProposalLifecycle:
    """Legal status changes of one proposal, each guarded by an explicit permission."""

    status: StateField[ProposalLifecycle] = fsm.State(
        ProposalStatus, default=ProposalStatus.COSIGNING
    )

    def __init__(self, proposal: Proposal) -> None:
        self.proposal = proposal

    @property
    def current(self) -> str:
        return self.proposal.status

    @status.getter()
    def _get_status(self) -> str:
        return self.proposal.status

    @status.setter()
    def _set_status(self, value: str) -> None:
        self.proposal.status = value

    @status.transition(
        source=ProposalStatus.COSIGNING,
        label=gettext_lazy("co-sign"),
        permission=permissions.lifecycle_owner,
    )
    def cosign(self) -> None:
        """An owner adds their unit's signature."""

    @status.transition(
        source=ProposalStatus.COSIGNING,
        target=ProposalStatus.SUBMITTED,
        label=gettext_lazy("submit"),
        permission=permissions.lifecycle_nobody,
    )
    def submit(self) -> None:
        """业主建议 complete: enough units signed; the committee has it now."""

    @status.transition(
        source=ProposalStatus.COSIGNING,
        target=ProposalStatus.EXPIRED,
        label=gettext_lazy("expire"),
        permission=permissions.lifecycle_nobody,
    )
    def expire(self) -> None:
        """The co-signing time ran out first."""

    @status.transition(
        source=ProposalStatus.SUBMITTED,
        target=ProposalStatus.MOTION,
        label=gettext_lazy("adopt as a motion"),
        permission=permissions.lifecycle_committee,
    )
    def adopt(self) -> None:
        """业委会提议."""

    @status.transition(
        source=ProposalStatus.SUBMITTED,
        target=ProposalStatus.DECLINED,
        label=gettext_lazy("decline"),
        permission=permissions.lifecycle_committee,
    )
    def decline(self) -> None:
        """The committee declines, with a reason that is published."""

    @status.transition(
        source=ProposalStatus.MOTION,
        target=ProposalStatus.REVIEW,
        label=gettext_lazy("record the party branch's opinion"),
        permission=permissions.lifecycle_party_branch,
    )
    def record_opinion(self) -> None:
        """小区党支部商议."""

    @status.transition(
        source=ProposalStatus.REVIEW,
        target=ProposalStatus.APPROVED,
        label=gettext_lazy("approve"),
        permission=permissions.lifecycle_community,
    )
    def approve(self) -> None:
        """社区党组织审议: approved for the owners' assembly."""

    @status.transition(
        source=ProposalStatus.REVIEW,
        target=ProposalStatus.SUBMITTED,
        label=gettext_lazy("return for changes"),
        permission=permissions.lifecycle_community,
    )
    def return_for_changes(self) -> None:
        """Back to the committee, with the community's reason."""

    @status.transition(
        source=ProposalStatus.APPROVED,
        target=ProposalStatus.VOTING,
        label=gettext_lazy("open the vote"),
        permission=permissions.lifecycle_committee,
    )
    def open_vote(self) -> None:
        """The committee convenes the owners' assembly: voting until a closing time."""

    @status.transition(
        source=ProposalStatus.VOTING,
        label=gettext_lazy("vote"),
        permission=permissions.lifecycle_voter,
        conditions=[voting_open],
    )
    def vote(self) -> None:
        """One vote per unit, changeable until the vote closes."""

    @status.transition(
        source=ProposalStatus.VOTING,
        label=gettext_lazy("close the vote"),
        permission=permissions.lifecycle_nobody,
        conditions=[voting_over],
    )
    def close_vote(self) -> None:
        """业主大会决议: counted when the time is up (the flow's timer)."""

    @status.transition(
        source=ProposalStatus.PASSED,
        label=gettext_lazy("publish progress"),
        permission=permissions.lifecycle_implementer,
    )
    def report_progress(self) -> None:
        """实施结果公开: progress of the implementation."""

    @status.transition(
        source=ProposalStatus.PASSED,
        target=ProposalStatus.IMPLEMENTED,
        label=gettext_lazy("publish the implementation result"),
        permission=permissions.lifecycle_implementer,
    )
    def finish(self) -> None:
        """实施结果公开: the result, and the end of the process."""


def unmet_reason(machine: ProposalLifecycle, name: str) -> str:
    """Why transition `name` cannot happen now, if one of its conditions says so."""
    for transition in getattr(machine, name).get_transitions():
        if transition.source in (machine.current, ANY):
            unmet = transition.get_unmet_condition(machine)
            if unmet is not None:
                return str(getattr(unmet[1], "message", ""))
    return ""
