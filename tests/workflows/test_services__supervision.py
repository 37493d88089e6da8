"""督办: the street supervises a case with an instruction and a due time; the handling unit is
told; a supervised case going overdue tells the street; the supervision ends when the case
closes, on time or not; the board lists and counts them."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Notification
from tests.threads import all_at_once
from tests.workflows.test_flows__paths import fresh
from tests.workflows.test_timers import sweep
from workflows import services
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import CaseDispatch, CaseEvent, CaseSupervision


def supervise(world, case, by="street", hours=48, instruction="三日内办结"):
    return services.case_supervise(
        case=case,
        actor=world.people[by],
        instruction=instruction,
        due=timezone.now() + timedelta(hours=hours),
    )


def told(case, kind) -> set[str]:
    return {n.recipient.username for n in Notification.objects.filter(case=case, kind=kind)}


def test_supervised_until_closed_on_time(world, client):
    grid1 = world.people["grid1"]
    world.report()  # not supervised: not on the board's list
    case = services.case_accept(case=world.report(), actor=grid1)
    supervise(world, case)
    assert {"grid1", "leader1"} & told(case, "whistle")
    client.force_login(world.people["street"])
    board = client.get("/w/board/S/data/").json()
    assert board["supervised_now"] == 1 and case.number in board["returns_html"]
    services.case_resolve(case=fresh(case), actor=grid1, result="已清理")
    services.case_verify(case=fresh(case), actor=world.people["leader1"])
    supervision = CaseSupervision.objects.get()
    assert supervision.ended_at is not None and supervision.on_time is True
    assert fresh(case).events.filter(kind="case.supervision_ended").count() == 1
    board = client.get("/w/board/S/data/").json()
    assert board["supervised_now"] == 0
    assert (board["supervisions_ended"], board["supervisions_on_time"]) == (1, 1)


def test_a_supervised_case_going_overdue_tells_the_street(world):
    case = world.dispatched("police")
    services.case_claim(
        case=case, department=world.departments["police"], actor=world.people["cop1"]
    )
    supervise(world, case, hours=24 * 30)
    assert {"cop1", "police_head"} <= told(case, "whistle")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        sweep()
    assert "street" in told(case, "overdue")


def test_refusals(world):
    case = world.report()
    with pytest.raises(CaseActionDenied):  # only the street supervises
        supervise(world, case, by="community1")
    with pytest.raises(ValidationError):
        supervise(world, case, instruction=" ")
    with pytest.raises(ValidationError):
        supervise(world, case, hours=-1)
    supervise(world, case)
    with pytest.raises(CaseConflict):
        supervise(world, case)
    assert CaseEvent.objects.filter(case=case, kind="case.supervised").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_supervise_at_once(world):
    from grids.roles import Role
    from tests.factories import UserFactory, member

    second = UserFactory(username="street2", name="街道二")
    member(second, Role.STREET_OFFICIAL, world.areas["S"])
    case = world.report()
    due = timezone.now() + timedelta(days=2)
    outcomes = all_at_once(
        [
            partial(services.case_supervise, case=case, actor=person, instruction="督办", due=due)
            for person in (world.people["street"], second)
        ]
    )
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], CaseConflict), outcomes
    assert CaseSupervision.objects.filter(case=case).count() == 1


def test_rest_supervise(world):
    from rest_framework.test import APIClient

    case = world.report()
    api = APIClient()
    api.force_authenticate(world.people["street"])
    url = f"/api/v1/cases/{case.number}/supervise/"
    assert api.post(url, {"instruction": "督办"}, format="json").status_code == 400
    due = (timezone.now() + timedelta(days=1)).isoformat()
    ok = api.post(url, {"instruction": "督办", "due": due}, format="json")
    assert ok.status_code == 200
    assert api.post(url, {"instruction": "督办", "due": due}, format="json").status_code == 409


def test_a_supervised_case_going_overdue_at_grid_level_tells_the_street(world):
    case = services.case_accept(case=world.report(), actor=world.people["grid1"])
    supervise(world, case, hours=24 * 30)
    with time_machine.travel(case.resolve_due + timedelta(minutes=1), tick=False):
        sweep()
    assert "street" in told(case, "overdue")
    unsupervised = services.case_accept(case=world.report(), actor=world.people["grid1"])
    with time_machine.travel(unsupervised.resolve_due + timedelta(minutes=1), tick=False):
        sweep()
    assert "street" not in told(unsupervised, "overdue")


def test_the_board_counts_supervisions_per_grid_community_and_department(world, client):
    from tests.workflows.test_views__board import cell
    from tests.workflows.world import photo

    grid1, police = world.people["grid1"], world.departments["police"]
    on_time = services.case_accept(case=world.report(), actor=grid1)  # in grid S-01-01
    supervise(world, on_time)
    services.case_resolve(case=fresh(on_time), actor=grid1, result="已清理")
    services.case_verify(case=fresh(on_time), actor=world.people["leader1"])
    late = world.dispatched("police")
    services.case_claim(case=late, department=police, actor=world.people["cop1"])
    supervise(world, fresh(late), hours=1)
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        services.case_dispatch_resolve(
            case=fresh(late),
            department=police,
            actor=world.people["cop1"],
            result="已处置",
            photos=[photo()],
        )
        services.case_verify(case=fresh(late), actor=world.people["community1"])
        supervise(world, services.case_accept(case=world.report(), actor=grid1))  # still open
        client.force_login(world.people["street"])
        data = client.get("/w/board/S/data/?period=today").json()
    assert cell(data, "total", "S", "supervised") == 3
    assert cell(data, "total", "S", "supervision_on_time_rate") == 0.5
    assert cell(data, "communities", "S-01", "supervision_on_time_rate") == 0.5
    assert cell(data, "grids", "S-01-01", "supervised") == 3
    assert cell(data, "departments", "PCS", "supervised") == 1
    assert cell(data, "departments", "PCS", "supervision_on_time_rate") == 0.0
    assert cell(data, "departments", "CG", "supervised") == 0
    assert CaseDispatch.objects.get(case=late).supervision_on_time is False


def test_supervision_ends_when_the_case_ends_unhandled(world, client):
    rejected, merged, original = world.report(), world.report(), world.report()
    merged.reported_at = original.reported_at + timedelta(seconds=1)
    merged.save(update_fields=["reported_at"])
    supervise(world, rejected)
    supervise(world, merged)
    services.case_reject(case=fresh(rejected), actor=world.people["grid1"], reason="不属实")
    services.case_mark_duplicate(case=fresh(merged), actor=world.people["grid1"], original=original)
    assert not CaseSupervision.objects.filter(ended_at__isnull=True).exists()
    assert fresh(rejected).supervised_due is None and fresh(merged).supervised_due is None
    client.force_login(world.people["street"])
    assert client.get("/w/board/S/data/").json()["supervised_now"] == 0
