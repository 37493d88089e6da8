"""Every read of the deliberation app: the public compound page, a proposal's history, lists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Task

from grids.phones import verified_phone
from grids.selectors import AnyUser

from .choices import EventKind, ProposalStatus, VoteChannel
from .models import Compound, Proposal, ProposalEvent, Unit, Vote
from .permissions import compounds_staffed_by, may_see_audit
from .services.common import OPEN_TASK_STATUSES

VOTE_KINDS = (EventKind.VOTE_CAST, EventKind.VOTE_CHANGED)


def m2(value: Decimal | float | None) -> Decimal:
    """An area sum as m² with two decimals (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class RegisterSummary:
    buildings: int
    units: int
    area: Decimal
    owners: int


def register_summary(compound: Compound) -> RegisterSummary:
    units = Unit.objects.filter(building__compound=compound)
    totals = units.aggregate(n=Count("pk"), area=Sum("floor_area"))
    return RegisterSummary(
        buildings=compound.buildings.count(),
        units=totals["n"] or 0,
        area=m2(totals["area"]),
        owners=units.aggregate(n=Count("owners"))["n"] or 0,
    )


def public_proposals(compound: Compound) -> QuerySet[Proposal]:
    """Proposals the public page lists: all but those still gathering co-signatures."""
    return (
        compound.proposals.exclude(status=ProposalStatus.COSIGNING)
        .prefetch_related("progress")
        .order_by("-pk")
    )


def compounds_for(user: AnyUser) -> QuerySet[Compound]:
    """Compounds a signed-in person works in or owns a unit in."""
    staffed = compounds_staffed_by(user)
    phone = verified_phone(user)
    if not phone:
        return staffed.order_by("code")
    owned = Compound.objects.filter(buildings__units__owners__phone=phone).values("pk")
    mine = Q(pk__in=staffed.values("pk")) | Q(pk__in=owned)
    return Compound.objects.filter(mine).order_by("code")


def proposal_participation(proposal: Proposal) -> dict[str, Any]:
    """How many units (and m²) have voted so far: no choices while the vote is open."""
    votes = Vote.objects.filter(proposal=proposal)
    totals = votes.aggregate(n=Count("pk"), area=Sum("unit__floor_area"))
    register = Unit.objects.filter(building__compound=proposal.compound_id).aggregate(
        n=Count("pk"), area=Sum("floor_area")
    )
    return {
        "voted_units": totals["n"] or 0,
        "voted_area": m2(totals["area"]),
        "units": register["n"] or 0,
        "area": m2(register["area"]),
        "paper": votes.filter(channel=VoteChannel.PAPER).count(),
    }


def my_votes(user: AnyUser, proposal: Proposal) -> list[Vote]:
    if not user.is_authenticated:
        return []
    return list(
        Vote.objects.filter(proposal=proposal, voter_id=user.pk).select_related("unit__building")
    )


def proposal_history(user: AnyUser, proposal: Proposal) -> list[dict[str, Any]]:
    """The audit log as this person may read it: staff see every vote (unit, choice, who
    entered it); owners see the steps and only that votes were cast."""
    audit = may_see_audit(user, proposal.compound)
    rows = []
    events = ProposalEvent.objects.filter(proposal=proposal).select_related("actor").order_by("pk")
    for event in events:
        details: list[str] = []
        payload = event.payload
        if event.kind in VOTE_KINDS:
            if not audit:
                continue
            details.append(
                f"{payload.get('unit_label')}: "
                f"{payload.get('previous') or '—'} → {payload.get('choice')}"
            )
            details.append(str(VoteChannel(payload.get("channel", VoteChannel.ONLINE)).label))
            details.append(_("owner %(name)s") % {"name": payload.get("owner", "")})
        elif payload.get("reason"):
            details.append(str(payload["reason"]))
        rows.append(
            {
                "event": event,
                "kind": EventKind(event.kind).label
                if event.kind in EventKind.values
                else event.kind,
                "actor": event.actor or _("the system"),
                "from": ProposalStatus(event.from_status).label if event.from_status else "",
                "to": ProposalStatus(event.to_status).label if event.to_status else "",
                "details": details,
            }
        )
    return rows


STEP_LABELS = {
    "cosign": gettext_lazy("owners co-sign"),
    "adopt": gettext_lazy("owners' committee"),
    "branch": gettext_lazy("party branch"),
    "review": gettext_lazy("community review"),
    "convene": gettext_lazy("opening the vote"),
    "vote": gettext_lazy("owners' vote"),
    "implement": gettext_lazy("implementation"),
}


def open_steps(proposal: Proposal) -> list[str]:
    """Labels of the process's open human tasks."""
    tasks = Task.objects.filter(
        process_id=proposal.process_id, flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES
    )
    return [str(STEP_LABELS.get(t.flow_task.name, t.flow_task.name)) for t in tasks]
