"""The live-event socket through the real ASGI stack (origin check, session auth, routing)."""

import asyncio
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.utils import timezone

from gridcase.asgi import application
from grids import services as grid_services
from tests.workflows.world import world_build
from workflows import services
from workflows.models import CaseEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.fixture
def world(django_db_serialized_rollback, transactional_db):
    return world_build()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


HOST = (b"host", b"127.0.0.1")


async def connect(user=None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [HOST, origin] if origin else [HOST]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def subscribe(communicator, *streams, since=None) -> list[dict]:
    message = {"type": "subscribe", "streams": list(streams)}
    if since is not None:
        message["since"] = since
    await communicator.send_json_to(message)
    replies = []
    while True:
        reply = await communicator.receive_json_from(timeout=5)
        replies.append(reply)
        if reply["type"] == "subscribed" and since is None:
            return replies
        if reply["type"] in ("replayed", "resync"):
            return replies


async def test_anonymous_sockets_are_closed_with_4401():
    communicator = await connect()
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_sockets_without_a_session_lock_the_address(settings, minute_window):
    settings.GRIDCASE_RATE_LIMITS = {**settings.GRIDCASE_RATE_LIMITS, "login": "2/minute"}
    for _ in range(2):
        communicator = await connect()
        assert await communicator.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": 4401,
        }
    communicator = await connect()
    notice = await communicator.receive_json_from(timeout=5)
    assert notice["code"] == "rate_limited" and 1 <= notice["retry_after"] <= 60
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}


async def test_an_account_reconnecting_in_a_loop_is_held_off(world, settings, minute_window):
    settings.GRIDCASE_RATE_LIMITS = {**settings.GRIDCASE_RATE_LIMITS, "ws_connect": "2/minute"}
    for _ in range(2):
        communicator = await connect(world.people["grid1"])
        await subscribe(communicator, "user")
        await communicator.disconnect()
    communicator = await connect(world.people["grid1"])
    assert (await communicator.receive_json_from(timeout=5))["code"] == "rate_limited"
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4429}
    other = await connect(world.people["grid2"])  # another account is not held off
    await subscribe(other, "user")
    await other.disconnect()


async def test_deep_or_huge_frames_close_with_a_clear_code(world):
    communicator = await connect(world.people["grid1"])
    await communicator.send_to(text_data="[" * 5_000 + "]" * 5_000)
    assert (await communicator.receive_json_from(timeout=5))["code"] == "too_deep"
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 1007}
    communicator = await connect(world.people["grid1"])
    huge = '{"type": "subscribe", "streams": ["%s"]}' % ("x" * 100_000)
    await communicator.send_to(text_data=huge)
    assert (await communicator.receive_json_from(timeout=5))["code"] == "too_large"
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 1009}
    communicator = await connect(world.people["grid1"])  # broken JSON: told, and kept open
    await communicator.send_to(text_data="{")
    assert (await communicator.receive_json_from(timeout=5))["code"] == "invalid_json"
    await subscribe(communicator, "user")
    await communicator.disconnect()


async def test_streams_per_socket_are_capped_and_the_rest_refused_at_once(world, settings):
    settings.GRIDCASE_WS_MAX_STREAMS = 3
    communicator = await connect(world.people["street"])
    names = [f"case:nope-{n}" for n in range(2000)]
    replies = await subscribe(communicator, "user", "area:S", *names)
    capped = replies[0]
    assert capped["type"] == "refused" and capped["code"] == "too_many_streams"
    assert capped["streams"] == names[1:] and capped["limit"] == 3  # one answer for 1,999
    assert [r["stream"] for r in replies if r.get("stream")] == ["case:nope-0"]  # looked up
    assert replies[-1] == {"type": "subscribed", "streams": ["user", "area:S"]}
    again = await subscribe(communicator, "area:S", "area:S-01", "area:S-02")
    assert again[0]["streams"] == ["area:S-02"]  # area:S is already followed
    assert again[-1]["streams"] == ["area:S", "area:S-01"]
    await communicator.disconnect()


@pytest.mark.parametrize(
    "origin",
    [
        b"http://evil.example",
        b"http://127.0.0.1:8001",  # the same host on another port: another site
        b"https://127.0.0.1",  # another scheme
        b"null",
    ],
)
async def test_a_foreign_origin_is_refused(world, origin):
    communicator = WebsocketCommunicator(
        application, "/ws/events/", headers=[(b"host", b"127.0.0.1:8000"), (b"origin", origin)]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_the_own_origin_with_its_port_and_trusted_origins_are_accepted(world, settings):
    same = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.gridcase.example"]
    trusted = [(b"host", b"127.0.0.1:8000"), (b"origin", b"https://app.gridcase.example")]
    evil_host = [(b"host", b"evil.example"), (b"origin", b"http://evil.example")]
    for headers, accepted in ((same, True), (trusted, True), (evil_host, False)):
        communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
        connected, _ = await communicator.connect()
        assert connected is accepted, headers
        await communicator.disconnect()


async def test_out_of_jurisdiction_streams_are_refused_and_the_rest_granted(world):
    communicator = await connect(world.people["grid1"])
    hidden = await sync_to_async(world.report)(area="G3", by="grid3")  # another community's
    replies = await subscribe(
        communicator,
        "area:S-01-01",
        "area:S-02",
        "dept:PCS",
        "case:nope",
        f"case:{hidden.number}",
        "bogus",
    )
    assert {r["stream"]: r["code"] for r in replies if r["type"] == "refused"} == {
        "area:S-02": "forbidden",
        "dept:PCS": "forbidden",
        "case:nope": "unknown",
        f"case:{hidden.number}": "unknown",  # a hidden case is answered as an unknown one
        "bogus": "invalid",
    }
    assert replies[-1] == {"type": "subscribed", "streams": ["area:S-01-01"]}
    await communicator.disconnect()


async def test_events_arrive_live_once_each(world):
    communicator = await connect(world.people["community1"])
    await subscribe(communicator, "area:S-01", "area:S-01-01", "user")
    case = await sync_to_async(world.report)()
    event = await communicator.receive_json_from(timeout=5)
    assert event["type"] == "event"
    assert event["event"]["kind"] == "case.reported" and event["event"]["number"] == case.number
    assert "contact_phone" not in event["event"]
    assert await communicator.receive_nothing(timeout=0.3)  # three groups, one delivery
    await communicator.disconnect()


async def test_department_staff_see_their_queue_fill(world):
    communicator = await connect(world.people["cop1"])
    await subscribe(communicator, "dept:PCS")
    case = await sync_to_async(world.dispatched)("police")
    event = (await communicator.receive_json_from(timeout=5))["event"]
    assert (event["kind"], event["number"], event["status"]) == (
        "case.dispatched",
        case.number,
        "dispatched",
    )
    await communicator.disconnect()


async def test_replay_after_a_disconnect_has_no_gap_and_no_duplicate(world):
    communicator = await connect(world.people["community1"])
    await subscribe(communicator, "area:S-01")
    await sync_to_async(world.report)()
    last = (await communicator.receive_json_from(timeout=5))["event"]["id"]
    await communicator.disconnect()

    case = await sync_to_async(world.at_community)()  # reported, accepted, whistled: missed
    missed = await sync_to_async(
        lambda: list(CaseEvent.objects.filter(pk__gt=last).values_list("pk", flat=True))
    )()

    communicator = await connect(world.people["community1"])
    replies = await subscribe(communicator, "area:S-01", since=last)
    replayed = [r["event"]["id"] for r in replies if r["type"] == "event"]
    assert len(missed) == 3 and replayed[-3:] == missed  # nothing missing, in order
    assert len(replayed) == len(set(replayed)) and set(replayed) - set(missed) <= {last}
    assert replies[-1] == {"type": "replayed", "last_id": missed[-1]}
    await sync_to_async(services.case_resolve)(
        case=case, actor=world.people["community1"], result="已协调"
    )
    live = (await communicator.receive_json_from(timeout=5))["event"]
    assert live["id"] > missed[-1] and live["kind"] == "case.resolved"
    await communicator.disconnect()


async def test_a_gap_older_than_the_window_asks_for_a_resync(world, settings):
    settings.GRIDCASE_REPLAY_WINDOW_SECONDS = 3600
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        await sync_to_async(world.report)()
    communicator = await connect(world.people["community1"])
    replies = await subscribe(communicator, "area:S-01", since=0)
    assert replies[-1] == {"type": "resync", "reason": "beyond_replay_window"}
    await communicator.disconnect()


async def test_a_rolled_back_transaction_sends_nothing(world):
    communicator = await connect(world.people["community1"])
    await subscribe(communicator, "area:S-01")

    def report_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            world.report()
            raise RuntimeError("something later in the same transaction failed")

    await sync_to_async(report_then_fail)()
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_removing_a_membership_revokes_the_stream(world):
    grid1 = world.people["grid1"]
    communicator = await connect(grid1)
    await subscribe(communicator, "area:S-01-01")
    membership = await sync_to_async(lambda: grid1.memberships.get(role="grid_member"))()
    await sync_to_async(grid_services.membership_remove)(membership=membership)
    assert await communicator.receive_json_from(timeout=5) == {
        "type": "revoked",
        "streams": ["area:S-01-01"],
    }
    await sync_to_async(world.report)(by="leader1")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_disabling_an_account_closes_its_sockets(world):
    user = world.people["community1"]
    communicator = await connect(user)
    await subscribe(communicator, "area:S-01")
    user.is_active = False
    await sync_to_async(user.save)()
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_malformed_messages_get_an_error_not_a_crash(world):
    communicator = await connect(world.people["grid1"])
    await communicator.send_to(text_data="{not json")
    assert (await communicator.receive_json_from())["code"] == "invalid_json"
    await communicator.send_json_to({"type": "subscribe", "streams": "area:S"})
    assert (await communicator.receive_json_from())["code"] == "invalid"
    await communicator.send_json_to({"type": "subscribe", "streams": [], "since": -1})
    assert (await communicator.receive_json_from())["code"] == "invalid"
    await communicator.disconnect()


async def test_notification_counts_are_pushed(world):
    communicator = await connect(world.people["grid1"])
    await sync_to_async(world.report)(by="community1")  # notifies the grid's members
    assert await communicator.receive_json_from(timeout=5) == {"type": "notifications", "unread": 1}
    await communicator.disconnect()


async def test_a_silent_client_is_closed(world, settings):
    settings.GRIDCASE_WS_PING_SECONDS = 0.1
    communicator = await connect(world.people["grid1"])
    assert (await communicator.receive_json_from(timeout=2)) == {"type": "ping"}
    output = None
    for _ in range(10):
        output = await communicator.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            break
    assert output == {"type": "websocket.close", "code": 4408}


async def test_a_late_commit_with_a_lower_id_is_replayed(world):
    """PostgreSQL hands out ids at insert: the client saw id n+1 before id n committed."""
    await sync_to_async(world.report)()
    await sync_to_async(world.report)()
    lower, higher = await sync_to_async(
        lambda: list(CaseEvent.objects.order_by("-pk").values_list("pk", flat=True)[:2][::-1])
    )()
    communicator = await connect(world.people["community1"])
    replies = await subscribe(communicator, "area:S-01", since=higher)
    assert lower in [r["event"]["id"] for r in replies if r["type"] == "event"]
    await communicator.disconnect()


async def test_a_client_that_answers_pings_stays_open(world, settings):
    settings.GRIDCASE_WS_PING_SECONDS = 0.05
    communicator = await connect(world.people["grid1"])
    for _ in range(6):  # three times the pings a silent client gets before 4408
        assert await communicator.receive_json_from(timeout=2) == {"type": "ping"}
        await communicator.send_json_to({"type": "pong"})
    await communicator.disconnect()


async def test_concurrent_replays_never_mix_streams_of_different_rights(world):
    """grid1 (grid G1) and community1 (all of C1) come back at once with the same `since`."""
    mine = await sync_to_async(world.report)(area="G1", by="grid1")
    other = await sync_to_async(world.report)(area="G2", by="grid2")
    grid1, community1 = (
        await connect(world.people["grid1"]),
        await connect(world.people["community1"]),
    )
    narrow, wide = await asyncio.gather(
        subscribe(grid1, "area:S-01", "area:S-01-01", since=0),
        subscribe(community1, "area:S-01", since=0),
    )
    assert {"type": "refused", "stream": "area:S-01", "code": "forbidden"} in narrow
    assert [r["event"]["case"] for r in narrow if r["type"] == "event"] == [mine.pk]
    assert [r["event"]["case"] for r in wide if r["type"] == "event"] == [mine.pk, other.pk]
    later = await sync_to_async(world.report)(area="G2", by="grid2")
    assert (await community1.receive_json_from(timeout=5))["event"]["case"] == later.pk
    assert await grid1.receive_nothing(timeout=0.3)
    await grid1.disconnect()
    await community1.disconnect()
