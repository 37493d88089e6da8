"""The owners' vote: one vote per unit, online by a verified owner or on paper entered by
staff, changeable until the vote closes, every vote in the audit log; the count at closing
is computed (`quorum.tally`), never typed in."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import User
from notifications.models import Notification

from ..choices import CompoundRoleKind, EventKind, ProposalStatus, VoteChannel, VoteChoice
from ..models import Proposal, Unit, Vote
from ..permissions import may_enter_paper_votes, owned_units
from ..quorum import Tally, tally
from .common import event_record, owners_text_on_commit, proposal_locked, require, transition
from .proposals import _community_staff, _owner_accounts, _role_holders


def _choice(choice: str) -> str:
    if choice not in VoteChoice.values:
        raise ValidationError(_("Vote for, against or abstain."))
    return choice


@transaction.atomic
def vote_cast(
    *, proposal: Proposal, actor: User, choice: str, unit: Unit | None = None
) -> list[Vote]:
    """An owner votes online for `unit` (or, without one, for every unit they own)."""
    choice = _choice(choice)
    with proposal_locked(proposal) as proposal:
        transition(proposal, "vote", actor)
        mine = list(owned_units(actor, proposal.compound))
        require(bool(mine), _("Only the compound's owners (with a verified phone) vote online."))
        if unit is not None:
            require(unit in mine, _("You are not an owner of unit %(unit)s.") % {"unit": unit})
            mine = [unit]
        owner_name = actor.name or actor.username
        return [
            _vote_write(proposal, u, choice, VoteChannel.ONLINE, actor, owner_name) for u in mine
        ]


@transaction.atomic
def vote_enter_paper(
    *, proposal: Proposal, actor: User, unit: Unit, choice: str, owner_name: str
) -> Vote:
    """Staff enter a signed paper ballot for `unit`, naming the owner who signed it."""
    choice = _choice(choice)
    with proposal_locked(proposal) as proposal:
        transition(proposal, "vote", actor)
        require(
            may_enter_paper_votes(actor, proposal.compound),
            _("Only community staff and the owners' committee enter paper ballots."),
        )
        if unit.building.compound_id != proposal.compound_id:
            raise ValidationError(_("Unit %(unit)s is not in this compound.") % {"unit": unit})
        names = set(unit.owners.values_list("name", flat=True))
        if owner_name.strip() not in names:
            raise ValidationError(
                _("%(name)s is not an owner of unit %(unit)s in the register.")
                % {"name": owner_name, "unit": unit}
            )
        return _vote_write(
            proposal, unit, choice, VoteChannel.PAPER, None, owner_name.strip(), entered_by=actor
        )


def _vote_write(
    proposal: Proposal,
    unit: Unit,
    choice: str,
    channel: str,
    voter: User | None,
    owner_name: str,
    entered_by: User | None = None,
) -> Vote:
    vote = Vote.objects.filter(proposal=proposal, unit=unit).first()
    previous = vote.choice if vote else ""
    if vote is None:
        vote = Vote(proposal=proposal, unit=unit)
    vote.choice, vote.channel, vote.voter, vote.voter_name = choice, channel, voter, owner_name
    vote.entered_by, vote.updated_at = entered_by, timezone.now()
    vote.save()
    event_record(
        proposal,
        EventKind.VOTE_CHANGED if previous else EventKind.VOTE_CAST,
        entered_by or voter,
        unit=unit.pk,
        unit_label=str(unit),
        choice=choice,
        previous=previous,
        channel=channel,
        owner=owner_name,
    )
    return vote


def proposal_tally(proposal: Proposal) -> Tally:
    """The count of the proposal's votes against the compound's register, as of now."""
    register = dict(
        Unit.objects.filter(building__compound=proposal.compound_id).values_list("pk", "floor_area")
    )
    votes = dict(Vote.objects.filter(proposal=proposal).values_list("unit_id", "choice"))
    return tally(proposal.matter, register, votes)


def tally_json(count: Tally) -> dict[str, object]:
    def area(value: Decimal) -> str:
        return f"{value:.2f}"

    return {
        "units": count.units,
        "area": area(count.area),
        "voted_units": count.voted_units,
        "voted_area": area(count.voted_area),
        "for_units": count.for_units,
        "for_area": area(count.for_area),
        "against_units": count.against_units,
        "against_area": area(count.against_area),
        "abstain_units": count.abstain_units,
        "abstain_area": area(count.abstain_area),
        "supermajority": count.supermajority,
        "quorate": count.quorate,
        "passed": count.passed,
    }


@transaction.atomic
def proposal_vote_close(*, proposal: Proposal) -> Proposal:
    """业主大会决议: at the closing time (the flow's timer) count and decide; published."""
    with proposal_locked(proposal) as proposal:
        before = transition(proposal, "close_vote", None)
        count = proposal_tally(proposal)
        proposal.result = tally_json(count)
        proposal.status = ProposalStatus.PASSED if count.passed else ProposalStatus.FAILED
        proposal.decided_at, proposal.step_due, proposal.overdue = timezone.now(), None, False
        proposal.save()
        tell = _community_staff(proposal.compound)
        tell += _role_holders(proposal.compound, CompoundRoleKind.COMMITTEE)
        event_record(
            proposal,
            EventKind.VOTE_CLOSED,
            None,
            before=before,
            passed=count.passed,
            quorate=count.quorate,
            tell=[*tell, proposal.proposer, *_owner_accounts(proposal.compound)],
            text=(_("Passed: %(title)s") if count.passed else _("Not passed: %(title)s"))
            % {"title": proposal.title},
            notice=Notification.Kind.CASE_UPDATE,
        )
        owners_text_on_commit(
            proposal,
            (
                _("[GridCase] %(compound)s: “%(title)s” passed.")
                if count.passed
                else _("[GridCase] %(compound)s: “%(title)s” did not pass.")
            )
            % {"compound": proposal.compound.name, "title": proposal.title},
        )
    return proposal
