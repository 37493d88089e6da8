"""Events committed but never sent live are sent by the timer dispatcher (issue 18.15).

A worker killed between a commit and its publication, or a publication refused while Redis
was away, leaves the event `published=False`; `streams.events_resend` (a periodic slice of
`run_timers`) sends it a few seconds later and marks it, so sockets that stayed connected
get it too (their replay would start after their newest id and never include it).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import broadcasts
from tests.workflows.test_services__comment import RecordingLayer
from workflows import services
from workflows.models import CaseEvent
from workflows.streams import RESEND_AFTER, events_resend


def event_ids(layer: RecordingLayer) -> set[int]:
    return {m["id"] for _, m in layer.sent if m["type"] == "stream.event"}


@pytest.fixture
def layer(monkeypatch) -> RecordingLayer:
    recording = RecordingLayer()
    monkeypatch.setattr(broadcasts, "get_channel_layer", lambda: recording)
    return recording


def test_a_published_event_is_marked_and_not_sent_again(
    world, layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.report()
    event = CaseEvent.objects.get(case=case)
    assert event.published and event_ids(layer) == {event.pk}
    layer.sent.clear()
    assert events_resend(now=timezone.now() + timedelta(minutes=1)) is False
    assert event_ids(layer) == set()


class FailingLayer(RecordingLayer):
    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionError("Redis is away")


def test_an_event_whose_publication_failed_is_sent_late_once(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(broadcasts, "get_channel_layer", FailingLayer)
    with django_capture_on_commit_callbacks(execute=True):  # robust: the failure is logged
        case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [e.published for e in events] == [False, False]

    recording = RecordingLayer()
    monkeypatch.setattr(broadcasts, "get_channel_layer", lambda: recording)
    assert events_resend() is False  # too recent: the publisher's own path may still be on it
    assert event_ids(recording) == set()
    later = timezone.now() + RESEND_AFTER + timedelta(seconds=1)
    assert events_resend(now=later) is False
    sent = [(group, m["id"]) for group, m in recording.sent if m["type"] == "stream.event"]
    assert event_ids(recording) == {e.pk for e in events}
    assert (f"case.{case.pk}", events[1].pk) in sent
    assert all(e.published for e in CaseEvent.objects.filter(case=case))
    recording.sent.clear()
    assert events_resend(now=later) is False and event_ids(recording) == set()  # once


def test_an_event_the_layer_still_refuses_stays_waiting(world, monkeypatch):
    case = world.report()  # on_commit never ran here: as if the worker died right after
    event = CaseEvent.objects.get(case=case)
    assert not event.published
    monkeypatch.setattr(broadcasts, "get_channel_layer", FailingLayer)
    with pytest.raises(ConnectionError):
        events_resend(now=timezone.now() + timedelta(minutes=1))
    event.refresh_from_db()
    assert not event.published  # tried again at the next sweep


def test_a_replay_brings_an_event_never_sent_live_however_old(world):
    from django.db.models import Q

    from workflows.streams import events_missed

    lost = CaseEvent.objects.get(case=world.report())  # its worker died before publishing
    CaseEvent.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    later = world.report()
    CaseEvent.objects.filter(case=later).update(published=True)  # sent live, seen
    since = CaseEvent.objects.get(case=later).pk
    every_case = [Q(pk__in=[lost.case_id, later.pk])]
    assert [e["id"] for e in events_missed(every_case, since)] == [lost.pk, since]
    CaseEvent.objects.filter(pk=lost.pk).update(published=True)  # sent late by the dispatcher
    assert [e["id"] for e in events_missed(every_case, since)] == [since]  # the 30 s overlap
