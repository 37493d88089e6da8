"""一组一会: residents' council meetings (居民议事会) and what their decisions open."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Area, User
from workflows.choices import Source
from workflows.models import Case, Category
from workflows.services import case_report

from ..models import Compound, Meeting, MeetingDecision, Proposal
from ..permissions import community_of, may_record_meeting
from .common import require, text_required
from .proposals import proposal_propose

MAX_DECISIONS = 30


@transaction.atomic
def meeting_record(
    *,
    community: Area,
    actor: User,
    held_on: date,
    attendees: str,
    topics: str,
    decisions: list[str],
    place: str = "",
) -> Meeting:
    """Record a meeting with its attendees, topics and decisions (one row per decision)."""
    require(
        may_record_meeting(actor, community),
        _("%(actor)s may not record meetings of %(area)s.")
        % {"actor": actor, "area": community.name},
    )
    attendees = text_required(attendees, _("List who attended."), limit=2000)
    topics = text_required(topics, _("List the topics discussed."))
    decisions = [d.strip() for d in decisions if d.strip()]
    if len(decisions) > MAX_DECISIONS:
        raise ValidationError(_("At most %(max)d decisions per meeting.") % {"max": MAX_DECISIONS})
    if any(len(d) > 2000 for d in decisions):
        raise ValidationError(_("A decision has at most 2000 characters."))
    meeting = Meeting.objects.create(
        community=community,
        held_on=held_on,
        place=place.strip()[:120],
        attendees=attendees,
        topics=topics,
        recorded_by=actor,
    )
    MeetingDecision.objects.bulk_create(MeetingDecision(meeting=meeting, text=d) for d in decisions)
    return meeting


def _decision_locked(decision: MeetingDecision, actor: User) -> MeetingDecision:
    decision = (
        MeetingDecision.objects.select_for_update()
        .select_related("meeting__community")
        .get(pk=decision.pk)
    )
    require(
        may_record_meeting(actor, decision.meeting.community),
        _("%(actor)s may not act on this meeting's decisions.") % {"actor": actor},
    )
    return decision


@transaction.atomic
def decision_case_open(
    *, decision: MeetingDecision, actor: User, title: str, category: Category, area: Area
) -> Case:
    """Open a case from a decision (through the case engine's intake), linked both ways:
    the decision names the case, the case's description names the meeting."""
    decision = _decision_locked(decision, actor)
    if decision.case_id is not None:
        raise ValidationError(_("This decision has already opened a case."))
    community = decision.meeting.community
    if not area.path.startswith(community.path):
        raise ValidationError(_("The case must lie in the meeting's community."))
    meeting = decision.meeting
    description = _("Decision of the residents' council of %(community)s on %(day)s: %(text)s") % {
        "community": community.name,
        "day": f"{meeting.held_on:%Y-%m-%d}",
        "text": decision.text,
    }
    case = case_report(
        title=text_required(title, _("A case needs a title."), limit=120),
        description=description[:4000],
        category=category,
        area=area,
        source=Source.GRID_PATROL,  # staff report it; the description says where it comes from
        reporter=actor,
    )
    decision.case = case
    decision.save(update_fields=["case"])
    return case


@transaction.atomic
def decision_proposal_open(
    *,
    decision: MeetingDecision,
    actor: User,
    compound: Compound,
    title: str,
    text: str,
    matter: str,
) -> Proposal:
    """Put a decision forward as a 五议两公开 proposal of one compound of the community;
    the compound's owners co-sign it as any other proposal."""
    decision = _decision_locked(decision, actor)
    community = community_of(compound)
    if community is None or community.pk != decision.meeting.community_id:
        raise ValidationError(_("The compound is not in the meeting's community."))
    return proposal_propose(
        compound=compound,
        actor=actor,
        title=title,
        text=text,
        matter=matter,
        source_decision=decision,
    )
