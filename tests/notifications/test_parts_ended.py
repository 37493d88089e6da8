"""The socket and a department whose part of a case has ended (issue 18, item 13): the event
that ended it still arrives, then its `case:` stream is revoked; later events of other
departments' parts reach neither its `dept:` nor its `user:` group, live or replayed; a
`case:` subscription afterwards is answered as for an unknown case."""

import pytest
from asgiref.sync import sync_to_async

from tests.notifications.test_consumers import connect, subscribe
from tests.notifications.test_consumers import world as world  # noqa: F401 (the fixture)
from tests.workflows.world import photo
from workflows import services
from workflows.models import Case, CaseEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def both_claimed(world) -> Case:
    case = world.dispatched("police", "city")
    for department, who in (("police", "cop1"), ("city", "city1")):
        services.case_claim(
            case=case, department=world.departments[department], actor=world.people[who]
        )
    return Case.objects.get(pk=case.pk)


def police_resolves(world, case: Case) -> None:
    services.case_dispatch_resolve(
        case=case,
        department=world.departments["police"],
        actor=world.people["cop1"],
        result="已劝离",
        photos=[photo()],
    )


def city_comments(world, case: Case) -> None:
    services.case_comment(case=case, actor=world.people["city1"], text="城管还在清理")


async def test_the_part_ending_revokes_the_case_stream_and_later_events_stay_away(world):
    case = await sync_to_async(both_claimed)(world)
    cop = await connect(world.people["cop1"])
    replies = await subscribe(cop, f"case:{case.number}", "dept:PCS", "user")
    assert replies[-1]["streams"] == [f"case:{case.number}", "dept:PCS", "user"]
    await sync_to_async(police_resolves)(world, case)
    first = await cop.receive_json_from(timeout=5)
    assert first["type"] == "event" and first["event"]["kind"] == "case.dispatch_resolved"
    assert await cop.receive_json_from(timeout=5) == {
        "type": "revoked",
        "streams": [f"case:{case.number}"],
    }
    await sync_to_async(city_comments)(world, case)
    assert await cop.receive_nothing(timeout=0.5)  # not through case:, dept: nor user:
    replies = await subscribe(cop, f"case:{case.number}")
    assert {"type": "refused", "stream": f"case:{case.number}", "code": "unknown"} in replies
    unknown = await subscribe(cop, "case:S-19990101-0001")
    assert unknown[0]["code"] == "unknown"  # the same answer as for a case that does not exist
    await cop.disconnect()


async def test_a_replay_holds_its_part_not_the_later_ones(world):
    case = await sync_to_async(both_claimed)(world)
    since = await sync_to_async(lambda: CaseEvent.objects.order_by("-pk").first().pk)()
    await sync_to_async(police_resolves)(world, case)
    await sync_to_async(city_comments)(world, case)
    kinds = await sync_to_async(
        lambda: dict(CaseEvent.objects.filter(pk__gt=since).values_list("pk", "kind"))
    )()
    cop = await connect(world.people["cop1"])
    replies = await subscribe(cop, "dept:PCS", "user", since=since)
    replayed = [r["event"]["kind"] for r in replies if r["type"] == "event"]
    assert "case.dispatch_resolved" in replayed and "case.commented" not in replayed
    assert "case.commented" in kinds.values()
    await cop.disconnect()
    city = await connect(world.people["city1"])  # its part goes on: it has everything
    replies = await subscribe(city, "dept:CG", since=since)
    assert "case.commented" in [r["event"]["kind"] for r in replies if r["type"] == "event"]
    await city.disconnect()
