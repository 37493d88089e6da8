import json

import pytest
from channels.layers import InMemoryChannelLayer
from django.core.exceptions import ValidationError

from notifications import broadcasts
from workflows import services
from workflows.errors import CaseActionDenied, CaseConflict, error_status
from workflows.models import CaseEvent


class RecordingLayer(InMemoryChannelLayer):
    """The in-memory channel layer, keeping every group message it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, message: dict) -> None:
        self.sent.append((group, message))
        await super().group_send(group, message)


@pytest.fixture
def layer(monkeypatch) -> RecordingLayer:
    """What the publish helper sends, whichever layer the settings configure (Redis too)."""
    recording = RecordingLayer()
    monkeypatch.setattr(broadcasts, "get_channel_layer", lambda: recording)
    return recording


def published(layer: RecordingLayer) -> tuple[list[str], dict]:
    """The groups one message was sent to, and that message."""
    assert layer.sent, "nothing was published"
    message = layer.sent[0][1]
    assert all(sent == message for _, sent in layer.sent), layer.sent
    return [group for group, _ in layer.sent], message


def test_whoever_can_see_the_case_may_comment(world, layer, django_capture_on_commit_callbacks):
    case = world.dispatched("police")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.case_comment(case=case, actor=world.people["cop1"], text=" 已电话联系 ")
        assert layer.sent == []  # nothing before the commit
    assert event.kind == "case.commented" and event.payload == {"comment": "已电话联系"}
    assert event.from_status == event.to_status == case.status

    groups, message = published(layer)
    areas, police, people = world.areas, world.departments["police"], world.people
    assert sorted(groups) == sorted(
        [f"area.{areas[code].pk}" for code in ("S", "C1", "G1")]
        + [f"dept.{police.pk}", f"case.{case.pk}"]
        + [f"user.{people[name].pk}" for name in ("grid1", "cop1")]  # reporter, commenter
    )  # once each: not the other community, the city department or the dispatcher
    assert message["type"] == "stream.event" and message["id"] == event.pk
    frame = json.loads(message["text"])
    assert frame["type"] == "event"
    assert frame["event"] == {
        "id": event.pk,
        "kind": "case.commented",
        "case": case.pk,
        "number": case.number,
        "status": case.status,
        "level": case.level,
        "area": areas["G1"].pk,
        "departments": [police.pk],
        "at": event.created_at.isoformat(),
    }
    assert "已电话联系" not in message["text"]  # ids and states only, never the words

    layer.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.case_comment(case=case, actor=people["community1"], text="收到")
    groups, message = published(layer)
    assert f"user.{people['community1'].pk}" in groups and f"user.{people['cop1'].pk}" not in groups
    assert message["id"] == second.pk > event.pk
    assert CaseEvent.objects.filter(case=case, kind="case.commented").count() == 2


@pytest.mark.parametrize(
    ("who", "text", "error"),
    [
        ("grid3", "路过", CaseActionDenied),  # cannot see a case in another community
        ("city1", "路过", CaseActionDenied),  # a department it was not dispatched to
        ("cop1", "   ", ValidationError),
        ("cop1", "x" * 2001, ValidationError),
    ],
)
def test_refused_comments_write_nothing(
    world, layer, django_capture_on_commit_callbacks, who, text, error
):
    case = world.dispatched("police")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error):
        services.case_comment(case=case, actor=world.people[who], text=text)
    assert not CaseEvent.objects.filter(kind="case.commented").exists()
    assert layer.sent == []  # and publish nothing


def test_error_status_is_one_mapping_for_pages_and_apis():
    assert error_status(ValidationError("x")) == 400
    assert error_status(CaseActionDenied("x")) == 403
    assert error_status(CaseConflict("x")) == 409
    assert error_status(ValueError("x")) is None
