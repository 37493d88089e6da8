"""The five steps of 五议两公开 and the two publications: every write to a proposal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.base import Node

from grids.models import User
from grids.roles import Role
from grids.selectors import unit_members
from notifications.models import Notification

from ..choices import ENDED_STATUSES, CompoundRoleKind, EventKind, MatterType, ProposalStatus
from ..deadlines import step_due, vote_window_ok
from ..errors import DeliberationConflict
from ..flows import ProposalFlow
from ..models import (
    Compound,
    CoSignature,
    MeetingDecision,
    Owner,
    ProgressReport,
    Proposal,
    ProposalAttachment,
    Unit,
)
from ..permissions import community_of, owned_units
from .common import (
    event_record,
    open_task,
    owners_text_on_commit,
    proposal_locked,
    require,
    task_complete,
    text_required,
    transition,
)

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _role_holders(compound: Compound, role: str) -> list[User]:
    return list(User.objects.filter(compound_roles__compound=compound, compound_roles__role=role))


def _owner_accounts(compound: Compound) -> list[User]:
    """Accounts whose verified phone is an owner's in the register (phones are verified in
    their normal form, as the register stores them)."""
    phones = Owner.objects.filter(unit__building__compound=compound).values("phone")
    return list(User.objects.filter(phone_verified_at__isnull=False, phone__in=phones))


def _community_staff(compound: Compound) -> list[User]:
    community = community_of(compound)
    return unit_members(community, [Role.COMMUNITY_STAFF]) if community else []


def _proposal_fields(title: str, text: str, matter: str) -> tuple[str, str]:
    title = text_required(title, _("A proposal needs a title."), limit=120)
    text = text_required(text, _("Say what you propose."))
    if matter not in MatterType.values:
        raise ValidationError(_("Choose the kind of matter (Civil Code art. 278)."))
    return title, text


def _attachments_check(files: Sequence[File[bytes]]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(_("At most %(max)d attachments.") % {"max": MAX_ATTACHMENTS})
    for upload in files:
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            raise ValidationError(_("Each attachment may have at most 10 MB."))


@transaction.atomic
def proposal_propose(
    *,
    compound: Compound,
    actor: User,
    title: str,
    text: str,
    matter: str,
    attachments: Sequence[File[bytes]] = (),
    source_decision: MeetingDecision | None = None,
) -> Proposal:
    """业主建议: an owner proposes (their units sign first), or community staff put a
    residents' council decision forward (`source_decision`; owners then co-sign)."""
    title, text = _proposal_fields(title, text, matter)
    _attachments_check(attachments)
    units = list(owned_units(actor, compound))
    if source_decision is None:
        require(bool(units), _("Only the compound's owners (with a verified phone) may propose."))
    now = timezone.now()
    proposal = Proposal.objects.create(
        compound=compound,
        title=title,
        text=text,
        matter=matter,
        status=ProposalStatus.COSIGNING,
        proposer=actor,
        proposer_unit=units[0] if units and source_decision is None else None,
        created_at=now,
        step_due=step_due(ProposalStatus.COSIGNING, now),
        source_decision=source_decision,
    )
    for upload in attachments:
        ProposalAttachment.objects.create(
            proposal=proposal, file=upload, name=str(upload.name)[:120], uploaded_by=actor
        )
    event_record(proposal, EventKind.PROPOSED, actor, matter=matter)
    ProposalFlow.start.run(proposal=proposal)
    if source_decision is None:
        _sign(proposal, actor, units)
    return proposal


@transaction.atomic
def proposal_cosign(*, proposal: Proposal, actor: User) -> Proposal:
    """An owner co-signs for each of their units not yet signed; once enough units have
    signed the proposal goes to the owners' committee."""
    with proposal_locked(proposal) as proposal:
        transition(proposal, "cosign", actor)
        units = list(owned_units(actor, proposal.compound))
        _sign(proposal, actor, units)
    return proposal


def _sign(proposal: Proposal, actor: User, units: list[Unit]) -> None:
    signed = set(proposal.cosignatures.values_list("unit_id", flat=True))
    new = [unit for unit in units if unit.pk not in signed]
    if not new:
        raise DeliberationConflict(_("Your units have already signed this proposal."))
    CoSignature.objects.bulk_create(
        CoSignature(proposal=proposal, unit=u, signed_by=actor) for u in new
    )
    count = len(signed) + len(new)
    event_record(proposal, EventKind.COSIGNED, actor, units=len(new), signatures=count)
    if count >= proposal.compound.cosign_threshold:
        task = open_task(proposal, ProposalFlow.cosign)
        before = transition(proposal, "submit", None)
        _enter(proposal, ProposalStatus.SUBMITTED)
        event_record(
            proposal,
            EventKind.SUBMITTED,
            actor,
            before=before,
            signatures=count,
            tell=_role_holders(proposal.compound, CompoundRoleKind.COMMITTEE),
            text=_("Proposal for the owners' committee: %(title)s") % {"title": proposal.title},
        )
        task_complete(task, actor)


def _enter(proposal: Proposal, status: str) -> None:
    """Save the proposal as it enters `status`, with that step's deadline."""
    proposal.step_due = step_due(status)
    proposal.overdue = False
    proposal.save()


def _step(
    proposal: Proposal,
    *,
    name: str,
    node: Node,
    actor: User,
    kind: str,
    tell: list[User],
    text: str,
    reason: str = "",
) -> Proposal:
    """Lock, check and run transition `name`, log it, tell, and finish the step's task."""
    before = transition(proposal, name, actor)  # 403/409 first: then the flow's task
    task = open_task(proposal, node)
    _enter(proposal, proposal.status)
    event_record(proposal, kind, actor, before=before, tell=tell, text=text, reason=reason)
    task_complete(task, actor)
    return proposal


@transaction.atomic
def proposal_adopt(*, proposal: Proposal, actor: User, motion: str) -> Proposal:
    """业委会提议: the committee adopts the proposal as a motion (its wording may differ)."""
    motion = text_required(motion, _("Write the motion the owners will vote on."))
    with proposal_locked(proposal) as proposal:
        proposal.motion = motion
        return _step(
            proposal,
            name="adopt",
            node=ProposalFlow.adopt,
            actor=actor,
            kind=EventKind.ADOPTED,
            tell=_role_holders(proposal.compound, CompoundRoleKind.PARTY_BRANCH),
            text=_("Motion for the party branch: %(title)s") % {"title": proposal.title},
        )


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """The committee declines; the reason is published on the compound's page."""
    reason = text_required(reason, _("Give the reason for declining; it will be published."))
    with proposal_locked(proposal) as proposal:
        proposal.decline_reason = reason
        return _step(
            proposal,
            name="decline",
            node=ProposalFlow.adopt,
            actor=actor,
            kind=EventKind.DECLINED,
            tell=[proposal.proposer],
            text=_("Your proposal was declined: %(title)s") % {"title": proposal.title},
            reason=reason,
        )


@transaction.atomic
def proposal_record_opinion(*, proposal: Proposal, actor: User, opinion: str) -> Proposal:
    """小区党支部商议: the party branch records its opinion; the community reviews next."""
    opinion = text_required(opinion, _("Record the party branch's opinion."))
    with proposal_locked(proposal) as proposal:
        proposal.branch_opinion = opinion
        return _step(
            proposal,
            name="record_opinion",
            node=ProposalFlow.branch,
            actor=actor,
            kind=EventKind.BRANCH_OPINION,
            tell=_community_staff(proposal.compound),
            text=_("Motion for community review: %(title)s") % {"title": proposal.title},
        )


@transaction.atomic
def proposal_approve(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """社区党组织审议: approved; the committee convenes the owners' assembly next."""
    with proposal_locked(proposal) as proposal:
        proposal.review_note = note.strip()[:4000]
        return _step(
            proposal,
            name="approve",
            node=ProposalFlow.review,
            actor=actor,
            kind=EventKind.APPROVED,
            tell=_role_holders(proposal.compound, CompoundRoleKind.COMMITTEE),
            text=_("Approved for the owners' vote: %(title)s") % {"title": proposal.title},
        )


@transaction.atomic
def proposal_return(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    """The community returns the motion to the committee for changes, with its reason."""
    reason = text_required(reason, _("Say what must change."))
    with proposal_locked(proposal) as proposal:
        proposal.review_note = reason
        return _step(
            proposal,
            name="return_for_changes",
            node=ProposalFlow.review,
            actor=actor,
            kind=EventKind.RETURNED,
            tell=_role_holders(proposal.compound, CompoundRoleKind.COMMITTEE),
            text=_("Returned for changes: %(title)s") % {"title": proposal.title},
            reason=reason,
        )


@transaction.atomic
def proposal_open_vote(*, proposal: Proposal, actor: User, closes_at: datetime) -> Proposal:
    """The committee opens the owners' vote until `closes_at` (1 to 60 days from now)."""
    if not vote_window_ok(closes_at):
        raise ValidationError(_("The vote must stay open between 1 and 60 days."))
    with proposal_locked(proposal) as proposal:
        before = transition(proposal, "open_vote", actor)
        task = open_task(proposal, ProposalFlow.convene)
        proposal.vote_opened_at, proposal.vote_closes_at = timezone.now(), closes_at
        proposal.step_due, proposal.overdue = closes_at, False
        proposal.save()
        event_record(
            proposal,
            EventKind.VOTE_OPENED,
            actor,
            before=before,
            closes_at=closes_at.isoformat(),
            tell=[*_community_staff(proposal.compound), *_owner_accounts(proposal.compound)],
            text=_("Owners' vote open: %(title)s") % {"title": proposal.title},
        )
        closes = f"{timezone.localtime(closes_at):%Y-%m-%d %H:%M}"
        owners_text_on_commit(
            proposal,
            _(
                "[GridCase] %(compound)s owners' vote on “%(title)s” until %(closes)s: vote "
                "online after verifying your phone, or ask the community for a paper ballot."
            )
            % {"compound": proposal.compound.name, "title": proposal.title, "closes": closes},
        )
        task_complete(task, actor)  # the vote task starts, with its closing timer
    return proposal


@transaction.atomic
def proposal_progress(
    *, proposal: Proposal, actor: User, text: str, final: bool = False
) -> Proposal:
    """实施结果公开: publish the implementation's progress, or (`final`) its result."""
    text = text_required(text, _("Describe the progress."), limit=2000)
    with proposal_locked(proposal) as proposal:
        before = transition(proposal, "finish" if final else "report_progress", actor)
        task = open_task(proposal, ProposalFlow.implement) if final else None
        ProgressReport.objects.create(proposal=proposal, text=text, final=final, reported_by=actor)
        proposal.step_due = None
        proposal.save()
        event_record(
            proposal, EventKind.IMPLEMENTED if final else EventKind.PROGRESS, actor, before=before
        )
        if task is not None:
            task_complete(task, actor)
    return proposal


@transaction.atomic
def proposal_expire(*, proposal: Proposal) -> Proposal:
    """The co-signing period ended first (the flow's timer; it cancelled the task)."""
    with proposal_locked(proposal) as proposal:
        before = transition(proposal, "expire", None)
        proposal.step_due = None
        proposal.save()
        event_record(
            proposal,
            EventKind.EXPIRED,
            None,
            before=before,
            tell=[proposal.proposer],
            text=_("Not enough co-signatures in time: %(title)s") % {"title": proposal.title},
            notice=Notification.Kind.CASE_UPDATE,
        )
    return proposal


@transaction.atomic
def proposal_mark_overdue(*, proposal: Proposal) -> Proposal:
    """A step ran past its limit: marked once, and its people and the community are told."""
    with proposal_locked(proposal) as proposal:
        due = proposal.step_due
        if proposal.overdue or due is None or due > timezone.now():
            return proposal  # acted on meanwhile, or already marked
        if proposal.status in ENDED_STATUSES:
            return proposal
        proposal.overdue = True
        proposal.save(update_fields=["overdue"])
        tell = _community_staff(proposal.compound)
        tell += _role_holders(proposal.compound, CompoundRoleKind.COMMITTEE)
        event_record(
            proposal,
            EventKind.WENT_OVERDUE,
            None,
            step=proposal.status,
            tell=tell,
            text=_("Overdue: %(title)s") % {"title": proposal.title},
            notice=Notification.Kind.OVERDUE,
        )
    return proposal
