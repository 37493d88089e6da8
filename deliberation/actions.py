"""The action registry: every step a person takes on a proposal, declared once.

An action names the transition of `lifecycle.ProposalLifecycle` that says who may and when
(plus, where two actions share a transition, a narrower `who`: online votes are the
owners', paper ballots the staff's), the service that does it (and refuses with the same
transition's check), its page form and API serializer, and its labels. The proposal page,
its POST endpoints and the REST endpoints (with the OpenAPI schema) are generated from
`ACTIONS`, so what a page offers is what the service accepts (tests/deliberation check it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers as drf

from grids.models import User
from grids.selectors import AnyUser
from workflows.lifecycle import BoundTransition

from . import forms, permissions, serializers, services
from .lifecycle import ProposalLifecycle
from .models import Proposal


@dataclass(frozen=True)
class Action:
    name: (
        str  # /deliberation/proposals/<pk>/<name>/ and /api/v1/deliberation/proposals/<pk>/<name>/
    )
    transition: str
    service: Callable[..., object]
    form: type[forms.ProposalActionForm]
    serializer: type[drf.Serializer[Any]]
    label: StrOrPromise
    done: StrOrPromise
    summary: str  # OpenAPI
    who: Callable[[AnyUser, Proposal], bool] | None = None
    primary: bool = True
    fixed: dict[str, object] | None = None  # service arguments the action adds

    def possible(self, proposal: Proposal) -> bool:
        method: BoundTransition = getattr(ProposalLifecycle(proposal), self.transition)
        return bool(method.can_proceed())

    def offered(self, user: AnyUser, proposal: Proposal) -> bool:
        method: BoundTransition = getattr(ProposalLifecycle(proposal), self.transition)
        if not (method.can_proceed() and method.has_perm(user)):
            return False
        return self.who is None or self.who(user, proposal)

    def run(self, *, proposal: Proposal, actor: User, **data: object) -> object:
        return self.service(proposal=proposal, actor=actor, **data, **(self.fixed or {}))


def _owner(user: AnyUser, proposal: Proposal) -> bool:
    return permissions.is_owner(user, proposal.compound)


def _paper_staff(user: AnyUser, proposal: Proposal) -> bool:
    return permissions.may_enter_paper_votes(user, proposal.compound)


ACTIONS: tuple[Action, ...] = (
    Action(
        "cosign",
        "cosign",
        services.proposal_cosign,
        forms.EmptyForm,
        serializers.EmptySerializer,
        _("Co-sign this proposal"),
        _("Signed."),
        "业主联署 an owner co-signs for their units",
        who=permissions.may_still_sign,
    ),
    Action(
        "adopt",
        "adopt",
        services.proposal_adopt,
        forms.MotionForm,
        serializers.MotionSerializer,
        _("Adopt as a motion"),
        _("Adopted as a motion; the party branch has it now."),
        "业委会提议 the owners' committee adopts the proposal as a motion",
    ),
    Action(
        "decline",
        "decline",
        services.proposal_decline,
        forms.ReasonForm,
        serializers.ReasonSerializer,
        _("Decline (the reason is published)"),
        _("Declined; the reason is published."),
        "The owners' committee declines, with a published reason",
        primary=False,
    ),
    Action(
        "opinion",
        "record_opinion",
        services.proposal_record_opinion,
        forms.OpinionForm,
        serializers.OpinionSerializer,
        _("Record the party branch's opinion"),
        _("Opinion recorded; the community reviews next."),
        "小区党支部商议 the party branch's opinion",
    ),
    Action(
        "approve",
        "approve",
        services.proposal_approve,
        forms.NoteForm,
        serializers.NoteSerializer,
        _("Approve for the owners' vote"),
        _("Approved."),
        "社区党组织审议 approve",
    ),
    Action(
        "return",
        "return_for_changes",
        services.proposal_return,
        forms.ReasonForm,
        serializers.ReasonSerializer,
        _("Return to the committee for changes"),
        _("Returned to the owners' committee."),
        "社区党组织审议 return for changes",
        primary=False,
    ),
    Action(
        "open_vote",
        "open_vote",
        services.proposal_open_vote,
        forms.OpenVoteForm,
        serializers.OpenVoteSerializer,
        _("Open the owners' vote"),
        _("The vote is open."),
        "The owners' committee opens the vote until a closing time",
    ),
    Action(
        "vote",
        "vote",
        services.vote_cast,
        forms.VoteForm,
        serializers.VoteSerializer,
        _("Vote"),
        _("Your vote is recorded; you may change it until the vote closes."),
        "业主大会决议 an owner votes online (verified phone) for their units",
        who=_owner,
    ),
    Action(
        "paper_vote",
        "vote",
        services.vote_enter_paper,
        forms.PaperVoteForm,
        serializers.PaperVoteSerializer,
        _("Enter a paper ballot"),
        _("Paper ballot entered."),
        "Staff enter a unit's signed paper ballot",
        who=_paper_staff,
        primary=False,
    ),
    Action(
        "progress",
        "report_progress",
        services.proposal_progress,
        forms.ProgressForm,
        serializers.ProgressSerializer,
        _("Publish implementation progress"),
        _("Progress published."),
        "实施结果公开 publish progress",
        primary=False,
        fixed={"final": False},
    ),
    Action(
        "finish",
        "finish",
        services.proposal_progress,
        forms.ProgressForm,
        serializers.ProgressSerializer,
        _("Publish the implementation result"),
        _("Result published; the process is complete."),
        "实施结果公开 publish the result",
        fixed={"final": True},
    ),
)

_BY_NAME = {action.name: action for action in ACTIONS}
assert len(_BY_NAME) == len(ACTIONS), "two actions share a name"


def action_get(name: str) -> Action:
    return _BY_NAME[name]


def actions_offered(user: AnyUser, proposal: Proposal) -> list[Action]:
    return [action for action in ACTIONS if action.offered(user, proposal)]
