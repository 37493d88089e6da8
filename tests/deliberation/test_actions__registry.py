"""What the registry offers is what the services accept: every action, for every person, in
every state a proposal reaches (with valid input); a refusal changes nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from deliberation.actions import ACTIONS
from deliberation.errors import DeliberationConflict, DeliberationDenied
from deliberation.models import Proposal, ProposalEvent

PEOPLE = ("wang", "li", "unverified", "stranger", "staff", "elsewhere", "committee", "branch")


def valid_input(estate, name: str) -> dict:
    return {
        "adopt": {"motion": "动议"},
        "decline": {"reason": "理由"},
        "opinion": {"opinion": "意见"},
        "approve": {"note": ""},
        "return": {"reason": "理由"},
        "open_vote": {"closes_at": timezone.now() + timedelta(days=5)},
        "vote": {"choice": "for"},
        "paper_vote": {"unit": estate.unit("2栋-101"), "owner_name": "刘洋", "choice": "for"},
        "progress": {"text": "进展"},
        "finish": {"text": "结果"},
    }.get(name, {})


def states(estate):
    yield "cosigning", estate.propose
    yield "submitted", estate.submitted
    yield (
        "motion",
        lambda: __import__("deliberation.services", fromlist=["x"]).proposal_adopt(
            proposal=estate.submitted(), actor=estate.people["committee"], motion="m"
        ),
    )
    yield "review", estate.at_review
    yield "voting", estate.voting


@pytest.mark.parametrize(
    "state", ["cosigning", "submitted", "motion", "review", "voting", "passed"]
)
def test_offered_exactly_when_accepted(estate, state):
    from deliberation import services

    makers = dict(states(estate))
    if state == "passed":
        proposal = estate.voting(matter="fund_use")
        for who in ("wang", "li", "zhang", "liu", "chen"):
            services.vote_cast(proposal=proposal, actor=estate.people[who], choice="for")
        proposal = estate.close(proposal)
    else:
        proposal = makers[state]()
    assert proposal.status == state
    for action in ACTIONS:
        for who in PEOPLE:
            user = estate.people[who]
            fresh = Proposal.objects.get(pk=proposal.pk)
            offered = action.offered(user, fresh)
            events = ProposalEvent.objects.count()
            try:
                with transaction.atomic():
                    action.run(proposal=fresh, actor=user, **valid_input(estate, action.name))
                    raise _Accepted
            except _Accepted:
                accepted = True
            except (DeliberationDenied, DeliberationConflict):
                accepted = False
                assert ProposalEvent.objects.count() == events
            except Exception as exc:  # a ValidationError here means the input table is wrong
                raise AssertionError(f"{action.name} by {who} in {state}: {exc!r}") from exc
            assert offered == accepted, f"{action.name} by {who} in {state}"


class _Accepted(Exception):
    """Roll the accepted action back so that the next one sees the same state."""
