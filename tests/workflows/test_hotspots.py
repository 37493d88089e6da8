"""未诉先办 hot spots: groups of same-category cases within the radius in the window, ranked,
kept across recomputations, turned into a proactive case or dismissed by the street."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from workflows.choices import Source
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.hotspots.compute import Point, clusters, hotspots_compute
from workflows.hotspots.services import hotspot_dismiss, hotspot_turn, hotspots_in
from workflows.models import Case, Category, HotSpot, HotSpotRun

LAT, LNG = 30.0, 104.0
M = 1 / 111_000  # about a metre in degrees (latitude)


def at(world, metres_north: float, *, category="corridor", area="G1", days_ago=0):
    when = timezone.now() - timedelta(days=days_ago)
    with time_machine.travel(when, tick=False):
        return world.report(
            area=area,
            category=Category.objects.get(code=category),
            latitude=Decimal(f"{LAT + metres_north * M:.6f}"),
            longitude=Decimal(f"{LNG:.6f}"),
        )


def test_single_linkage_chains_neighbours_and_leaves_strays_out():
    now = timezone.now()
    chain = [Point(i, LAT + i * 100 * M, LNG, now, 1) for i in range(4)]  # 100 m steps
    stray = [Point(10, LAT + 2000 * M, LNG, now, 1)]
    pair = [Point(20, LAT, LNG + 0.05, now, 1), Point(21, LAT + 10 * M, LNG + 0.05, now, 1)]
    groups = clusters(chain + stray + pair, 150, 3)
    assert [sorted(p.case_id for p in g) for g in groups] == [[0, 1, 2, 3]]


def test_clusters_agree_with_brute_force():
    rng = random.Random(7)
    now = timezone.now()
    points = [
        Point(i, LAT + rng.uniform(0, 0.01), LNG + rng.uniform(0, 0.01), now, 1) for i in range(300)
    ]
    found = {frozenset(p.case_id for p in g) for g in clusters(points, 150, 1)}
    # brute force: connected components of the "within 150 m" graph
    import math

    kx = 111_320 * math.cos(math.radians(sum(p.latitude for p in points) / len(points)))

    def near(a, b):
        return ((a.longitude - b.longitude) * kx) ** 2 + (
            (a.latitude - b.latitude) * 110_540
        ) ** 2 <= 150**2

    seen, expected = set(), set()
    for p in points:
        if p.case_id in seen:
            continue
        component, todo = set(), [p]
        while todo:
            q = todo.pop()
            if q.case_id in component:
                continue
            component.add(q.case_id)
            todo += [r for r in points if r.case_id not in component and near(q, r)]
        seen |= component
        expected.add(frozenset(component))
    assert found == expected


@pytest.mark.django_db
def test_groups_are_found_ranked_and_kept_across_runs(world):
    for metres, days in ((0, 1), (60, 5), (120, 40), (200, 50)):  # a chain within 150 m steps
        at(world, metres, days_ago=days)
    at(world, 5000)  # far away
    for metres in (0, 50, 100):  # same place, another category: its own group
        at(world, metres, category="noise")
    at(world, 30, days_ago=100)  # outside the 90 days
    run = hotspots_compute()
    spots = list(hotspots_in(world.areas["S"]))
    assert [(s.category.code, s.count, s.recent, s.previous) for s in spots] == [
        ("corridor", 4, 2, 2),
        ("noise", 3, 3, 0),
    ]
    assert run.groups == 2 and run.cases == 8 and spots[0].area == world.areas["G1"]
    hotspot_dismiss(hotspot=spots[1], actor=world.people["street"], reason="施工期间，已知")
    at(world, 70, category="noise")
    hotspots_compute()
    noise = HotSpot.objects.get(category__code="noise")
    assert (noise.state, noise.count) == (
        HotSpot.State.DISMISSED,
        4,
    )  # the same group, still dismissed
    assert [s.category.code for s in hotspots_in(world.areas["S"])] == ["corridor"]
    assert list(hotspots_in(world.areas["C2"])) == []


@pytest.mark.django_db
def test_a_street_official_turns_a_hot_spot_into_a_proactive_case(world):
    cases = [at(world, metres) for metres in (0, 40, 80)]
    hotspots_compute()
    spot = HotSpot.objects.get()
    with pytest.raises(CaseActionDenied):
        hotspot_turn(hotspot=spot, actor=world.people["community1"])
    case = hotspot_turn(hotspot=spot, actor=world.people["street"])
    spot.refresh_from_db()
    assert (spot.state, spot.case) == (HotSpot.State.TURNED, case)
    assert case.source == Source.PROACTIVE and case.category.code == "corridor"
    assert case.area == world.areas["G1"] and all(c.number in case.description for c in cases)
    assert case.events.filter(kind="case.reported").exists()
    with pytest.raises(CaseConflict):
        hotspot_dismiss(hotspot=spot, actor=world.people["street"], reason="x")
    hotspots_compute()  # the proactive case does not make a group of its own
    assert HotSpot.objects.count() == 1


@pytest.mark.django_db
def test_the_schedule_recomputes_only_when_due(world):
    for metres in (0, 40, 80):
        at(world, metres)
    call_command("run_timers", "--once")
    call_command("run_timers", "--once")
    assert HotSpotRun.objects.count() == 1 and HotSpot.objects.count() == 1


@pytest.mark.django_db
def test_the_board_lists_them_with_forms_for_the_street(client, world):
    for metres in (0, 40, 80):
        at(world, metres)
    hotspots_compute()
    spot = HotSpot.objects.get()
    client.force_login(world.people["street"])
    page = client.get("/w/board/S/").content.decode()
    assert f'data-hotspot="{spot.pk}"' in page and f"/w/hotspots/{spot.pk}/dismiss/" in page
    assert client.post(f"/w/hotspots/{spot.pk}/dismiss/", {"reason": " "}).status_code == 400
    client.force_login(world.people["community1"])
    page = client.get("/w/board/S-01/").content.decode()
    assert f'data-hotspot="{spot.pk}"' in page and "/dismiss/" not in page
    assert client.post(f"/w/hotspots/{spot.pk}/turn/").status_code == 403
    client.force_login(world.people["street"])
    response = client.post(f"/w/hotspots/{spot.pk}/turn/")
    case = Case.objects.get(source=Source.PROACTIVE)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
