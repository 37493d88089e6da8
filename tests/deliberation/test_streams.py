"""两公开 pushed live: each committed proposal event goes to `compound.<pk>` with no personal
data; nothing for a rolled-back transaction; the socket serves `compound:<code>` streams
next to the case engine's (its replay source is untouched by them)."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from deliberation import services
from deliberation.models import ProposalEvent
from deliberation.streams import _compound_stream
from notifications.streams import UNKNOWN, stream_authorise
from tests.notifications.test_consumers import connect, subscribe

from .conftest import REGISTER, estate_build


def test_an_event_is_published_after_commit_without_personal_data(
    estate, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "notifications.broadcasts._send", lambda groups, payload: sent.append((groups, payload))
    )
    proposal = estate.voting()
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_cast(proposal=proposal, actor=estate.people["li"], choice="against")
    groups, payload = sent[-1]
    assert groups == [f"compound.{estate.compound.pk}"]
    assert payload["kind"] == "proposal.vote_cast" and payload["status"] == "voting"
    assert set(payload) == {"id", "kind", "proposal", "compound", "status", "at"}
    for _, _, _, name, phone in REGISTER:
        assert name not in str(payload) and phone not in str(payload)


def test_nothing_is_published_for_a_rolled_back_vote(
    estate, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "notifications.broadcasts._send", lambda groups, payload: sent.append(payload)
    )
    proposal = estate.voting()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.vote_cast(proposal=proposal, actor=estate.people["li"], choice="for")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert sent == [] and not ProposalEvent.objects.filter(kind="proposal.vote_cast").exists()


def test_compound_streams_are_for_known_compounds(estate):
    assert _compound_stream(estate.people["stranger"], "NOPE") == UNKNOWN
    assert _compound_stream(estate.people["stranger"], "") == UNKNOWN
    group, refusal, _ = stream_authorise(estate.people["stranger"], "compound:HDC")
    assert (group, refusal) == (f"compound.{estate.compound.pk}", None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_owners_pages_hear_votes_live():
    estate = await sync_to_async(estate_build)()
    proposal = await sync_to_async(estate.voting)()
    communicator = await connect(estate.people["wang"])
    await subscribe(communicator, "compound:HDC")
    await sync_to_async(services.vote_cast)(
        proposal=proposal, actor=estate.people["li"], choice="for"
    )
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "event" and message["event"]["kind"] == "proposal.vote_cast"
    assert message["event"]["compound"] == "HDC"
    # a case stream's replay with `since` still works beside it (the selection adds no cases)
    replies = await subscribe(communicator, "compound:HDC", "user", since=0)
    assert replies[-1]["type"] in ("replayed", "resync")
    await communicator.disconnect()
