"""Simultaneous ballots: real threads, each with its own connection, released together; the
process lock serialises them, so each unit keeps exactly one vote and every ballot is logged.
Runs on SQLite here and on PostgreSQL under `make test`."""

from functools import partial

import pytest

from deliberation import services
from deliberation.models import ProposalEvent, Vote
from tests.threads import all_at_once

from .conftest import estate_build


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_ballots_for_one_unit_leave_one_vote_and_a_full_log():
    estate = estate_build()
    proposal = estate.voting()
    unit = estate.unit("2栋-101")
    calls = [
        partial(services.vote_cast, proposal=proposal, actor=estate.people["liu"], choice="for"),
        partial(
            services.vote_enter_paper,
            proposal=proposal,
            actor=estate.people["staff"],
            unit=unit,
            choice="against",
            owner_name="刘洋",
        ),
        partial(
            services.vote_enter_paper,
            proposal=proposal,
            actor=estate.people["committee"],
            unit=unit,
            choice="abstain",
            owner_name="刘洋",
        ),
        partial(services.vote_cast, proposal=proposal, actor=estate.people["li"], choice="for"),
    ]
    outcomes = all_at_once(calls)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Vote.objects.filter(proposal=proposal, unit=unit).count() == 1
    logged = ProposalEvent.objects.filter(proposal=proposal, payload__unit=unit.pk).order_by("pk")
    assert len(logged) == 3
    assert [e.kind for e in logged] == ["proposal.vote_cast"] + ["proposal.vote_changed"] * 2
    # each change names what it replaced: the log replays to the stored vote
    assert [e.payload["previous"] for e in logged[1:]] == [e.payload["choice"] for e in logged[:2]]
    assert Vote.objects.get(proposal=proposal, unit=unit).choice == logged.last().payload["choice"]
