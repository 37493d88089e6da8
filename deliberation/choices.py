"""Enumerations of the deliberation app (Django choices over the pure `quorum` enums)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .quorum import Choice, Matter


class MatterType(models.TextChoices):
    """The items of Civil Code art. 278 (`quorum.Matter` holds the same values)."""

    RULES = Matter.RULES, _("Rules of procedure of the owners' assembly")
    STATUTE = Matter.STATUTE, _("Management statute")
    COMMITTEE = Matter.COMMITTEE, _("Electing or replacing the owners' committee")
    PROPERTY_COMPANY = Matter.PROPERTY_COMPANY, _("Hiring or dismissing the property company")
    FUND_USE = Matter.FUND_USE, _("Using the maintenance fund")
    FUND_RAISE = Matter.FUND_RAISE, _("Raising the maintenance fund")
    REBUILD = Matter.REBUILD, _("Rebuilding or reconstructing buildings and facilities")
    COMMON_PARTS_USE = (
        Matter.COMMON_PARTS_USE,
        _("Changing the use of common parts or running a business on them"),
    )
    OTHER = Matter.OTHER, _("Other major matter of common ownership")


class VoteChoice(models.TextChoices):
    FOR = Choice.FOR, _("For")
    AGAINST = Choice.AGAINST, _("Against")
    ABSTAIN = Choice.ABSTAIN, _("Abstain")


class VoteChannel(models.TextChoices):
    ONLINE = "online", _("Online (verified phone)")
    PAPER = "paper", _("Paper ballot, entered by staff")


class ProposalStatus(models.TextChoices):
    COSIGNING = "cosigning", _("业主建议: collecting co-signatures")
    SUBMITTED = "submitted", _("业委会提议: with the owners' committee")
    DECLINED = "declined", _("Declined by the owners' committee")
    MOTION = "motion", _("小区党支部商议: with the party branch")
    REVIEW = "review", _("社区党组织审议: under review by the community")
    APPROVED = "approved", _("Approved: waiting for the vote to open")
    VOTING = "voting", _("业主大会决议: owners are voting")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Not passed")
    IMPLEMENTED = "implemented", _("Implemented")
    EXPIRED = "expired", _("Expired without enough co-signatures")


ENDED_STATUSES = (
    ProposalStatus.DECLINED,
    ProposalStatus.FAILED,
    ProposalStatus.IMPLEMENTED,
    ProposalStatus.EXPIRED,
)


class CompoundRoleKind(models.TextChoices):
    COMMITTEE = "committee", _("Owners' committee member (业委会委员)")
    PARTY_BRANCH = "party_branch", _("Compound party branch (小区党支部)")


class EventKind(models.TextChoices):
    """What happened to a proposal (`ProposalEvent.kind`), in the past tense."""

    PROPOSED = "proposal.proposed", _("proposed")
    COSIGNED = "proposal.cosigned", _("co-signed")
    SUBMITTED = "proposal.submitted", _("co-signed by enough owners")
    ADOPTED = "proposal.adopted", _("adopted as a motion by the owners' committee")
    DECLINED = "proposal.declined", _("declined by the owners' committee")
    BRANCH_OPINION = "proposal.branch_opinion_recorded", _("party branch opinion recorded")
    APPROVED = "proposal.approved", _("approved by the community party organisation")
    RETURNED = "proposal.returned", _("returned for changes by the community")
    VOTE_OPENED = "proposal.vote_opened", _("vote opened")
    VOTE_CAST = "proposal.vote_cast", _("vote cast")
    VOTE_CHANGED = "proposal.vote_changed", _("vote changed")
    VOTE_CLOSED = "proposal.vote_closed", _("vote closed and counted")
    PROGRESS = "proposal.progress_published", _("implementation progress published")
    IMPLEMENTED = "proposal.implemented", _("implementation result published")
    EXPIRED = "proposal.expired", _("expired")
    WENT_OVERDUE = "proposal.went_overdue", _("step went overdue")
