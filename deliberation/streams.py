"""What 五议两公开 publishes live, registered with the transport (`notifications`).

One stream kind, `compound:<code>`: every committed `ProposalEvent` of the compound's
proposals goes to the group `compound.<pk>`, for anyone signed in (the compound's page is
public: 两公开). The payload names the proposal, its status and the event's kind, never a
unit, an owner or a vote. The ids are `ProposalEvent` ids, a sequence of their own: follow
compound streams on a socket of their own (`static/deliberation/compound.js` does), and
since the transport's replay source is the case engine's, these streams are live only: the
page re-reads its state (its JSON twin) on every (re)subscription instead of replaying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

from notifications.broadcasts import publish_on_commit
from notifications.streams import UNKNOWN, Grant, stream_register

if TYPE_CHECKING:
    from grids.models import User

    from .models import ProposalEvent

# Neutral for the registered replay source (the case engine's, which ORs case selections):
# a compound stream selects no case events.
NO_CASES = Q(pk__in=[])


def _compound_stream(user: User, key: str) -> Grant | str:
    from .models import Compound

    compound = Compound.objects.filter(code=key).first() if key else None
    if compound is None:
        return UNKNOWN
    return Grant(f"compound.{compound.pk}", NO_CASES)


def streams_register() -> None:
    stream_register("compound", _compound_stream)


def event_payload(event: ProposalEvent) -> dict[str, Any]:
    proposal = event.proposal
    return {
        "id": event.pk,
        "kind": event.kind,
        "proposal": proposal.pk,
        "compound": proposal.compound.code,
        "status": proposal.status,
        "at": event.created_at.isoformat(),
    }


def event_publish(event: ProposalEvent) -> None:
    """Send `event` to its compound's followers once the transaction commits."""
    publish_on_commit([f"compound.{event.proposal.compound_id}"], event_payload(event))
