"""Duplicates nearby: the cases a report form offers (same category, ≤ 100 m, open or closed
≤ 30 days), 我也遇到 (+1 followers, told of updates, counted), merging a later case into an
earlier one, Open311's obvious duplicates, and the REST `GET /api/v1/cases/nearby/`."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grids.models import Area
from notifications.models import Notification
from tests.workflows.demo_street import as_, jpeg, person, reported
from tests.workflows.test_counters import assert_counters_match_cases
from workflows import services
from workflows.actions import action_get
from workflows.choices import EventKind, Source, Status
from workflows.errors import CaseActionDenied, CaseConflict
from workflows.models import Case, CaseFollower, Category
from workflows.nearby import cases_nearby, distance_m, obvious_duplicate

LAT, LNG = 30.55, 104.06  # inside nothing in particular: only distances matter here
METRE = 1 / 111_320  # a metre of latitude, in degrees


def at(metres_north: float, **extra) -> Case:
    return reported(
        latitude=Decimal(f"{LAT + metres_north * METRE:.6f}"),
        longitude=Decimal(f"{LNG:.6f}"),
        **extra,
    )


def near(**kwargs) -> list[str]:
    corridor = Category.objects.get(code="corridor")
    return [
        item.case.number
        for item in cases_nearby(latitude=LAT, longitude=LNG, category=corridor, **kwargs)
    ]


def test_the_distance_is_the_great_circle_distance():
    assert distance_m(LAT, LNG, LAT + 100 * METRE, LNG) == pytest.approx(100, rel=0.01)
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=0.001)


def test_same_category_within_the_radius_newest_first(street):
    first, second = at(40), at(-80)
    at(130)  # too far
    at(10, category=Category.objects.get(code="parking"))  # another category
    assert near() == [second.number, first.number]
    assert near(radius=50) == [first.number]


def test_closed_cases_show_for_thirty_days_and_ended_ones_not(street):
    grid = person("qs_wgy01")
    closed_lately, closed_long_ago, rejected = at(10), at(20), at(30)
    for case in (closed_lately, closed_long_ago):
        case = services.case_accept(case=case, actor=grid)
        case = services.case_resolve(case=case, actor=grid, result="已清理")
        services.case_verify(case=case, actor=grid)
    Case.objects.filter(pk=closed_long_ago.pk).update(closed_at=timezone.now() - timedelta(days=31))
    services.case_reject(case=rejected, actor=grid, reason="不属实")
    assert near() == [closed_lately.number]


def test_a_resident_follows_once_is_counted_and_told_of_progress(street):
    grid, cg = person("qs_wgy01"), person("cg_wang")
    case = at(10)
    follow = action_get("follow")
    assert not follow.offered(person("resident_liu"), case)  # her own report
    assert follow.offered(cg, case)
    services.case_follow(case=case, actor=cg)
    case.refresh_from_db()
    assert case.follower_count == 1
    assert case.events.filter(kind=EventKind.FOLLOWED).count() == 1
    assert not follow.offered(cg, case)
    with pytest.raises(CaseActionDenied):
        services.case_follow(case=case, actor=cg)
    assert case.followers.count() == 1
    services.case_accept(case=case, actor=grid)
    assert Notification.objects.filter(recipient=cg, case_id=case.pk).count() == 1


def test_without_an_account_a_phone_follows_once(street, client):
    case = at(10)
    url = f"/cases/nearby/{case.number}/follow/"
    assert client.post(url, {"contact_phone": ""}).status_code == 400
    answer = client.post(url, {"contact_phone": "139 1234 5678", "contact_name": "王"})
    assert answer.status_code == 200 and answer.json()["followers"] == 1
    again = client.post(url, {"contact_phone": "13912345678"})
    assert again.status_code == 400
    assert CaseFollower.objects.get(case=case).contact_phone == "13912345678"


def test_a_case_closed_long_ago_cannot_be_followed(street):
    grid = person("qs_wgy01")
    case = services.case_accept(case=at(10), actor=grid)
    case = services.case_resolve(case=case, actor=grid, result="已清理")
    case = services.case_verify(case=case, actor=grid)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=31))
    case.refresh_from_db()
    with pytest.raises(CaseConflict, match="30"):
        services.case_follow(case=case, actor=person("cg_wang"))


def test_merging_moves_reporter_photos_and_followers_and_keeps_counters_exact(street):
    grid = person("qs_wgy01")
    original = at(10)
    later = at(
        15,
        reporter=person("cg_wang"),
        contact_name="王静",
        contact_phone="13900000001",
        photos=[jpeg()],
    )
    services.case_follow(case=later, actor=person("pcs_he"))
    services.case_follow(case=later, actor=None, contact_phone="13800000046")  # original's own
    services.case_mark_duplicate(case=later, actor=grid, original=original)
    later.refresh_from_db()
    original.refresh_from_db()
    assert later.status == Status.DUPLICATE and later.duplicate_of == original
    assert later.photos.count() == 0 and original.photos.count() == 1
    assert later.follower_count == 0 and not later.followers.exists()
    followers = {(f.user.username if f.user else f.contact_phone) for f in original.followers.all()}
    assert followers == {"cg_wang", "pcs_he"}  # her own phone is the original's reporter
    assert original.follower_count == 2
    merged_in = original.events.get(kind=EventKind.MERGED_IN)
    assert merged_in.payload["duplicate"] == later.number
    assert later.events.get(kind=EventKind.MARKED_DUPLICATE).payload["original"] == original.number
    street_area = Area.objects.get(code="QG")
    grids = list(
        Area.objects.filter(path__startswith=street_area.path).values_list("pk", flat=True)
    )
    assert_counters_match_cases(street_area, grids, timezone.now())


def test_open311_marks_an_obvious_duplicate_for_review_never_merging(street):
    first = at(0)
    second = at(12, source=Source.OPEN311, reporter=None)
    third = at(35, source=Source.OPEN311, reporter=None)  # 35 m: not obvious
    assert second.possible_duplicate_of == first and second.status == Status.REPORTED
    assert second.events.get(kind=EventKind.REPORTED).payload["possible_duplicate"] == first.number
    assert third.possible_duplicate_of is None
    Case.objects.filter(pk=first.pk).update(reported_at=timezone.now() - timedelta(hours=25))
    corridor = Category.objects.get(code="corridor")
    assert obvious_duplicate(latitude=LAT, longitude=LNG, category=corridor) == second


def test_the_rest_api_answers_with_what_the_user_may_see(street, client):
    case = at(20, photos=[jpeg()])
    api = as_(client, "cg_wang")  # urban management: not this case's handler
    assert api.get("/api/v1/cases/nearby/?lat=x&lng=1&category=corridor").status_code == 400
    assert api.get(f"/api/v1/cases/nearby/?lat={LAT}&lng={LNG}&category=nope").status_code == 400
    answer = api.get(f"/api/v1/cases/nearby/?lat={LAT}&lng={LNG}&category=corridor")
    assert answer.status_code == 200
    [item] = answer.json()
    assert item["number"] == case.number and 19 <= item["distance_m"] <= 21
    assert item["title"] == "" and item["url"] == ""  # not a case cg_wang may see
    assert len(item["photos"]) == 1 and item["may_follow"] is True
    assert "description" not in item and "contact_phone" not in item
    mine = as_(client, "qs_wgy01").get(f"/cases/nearby/?lat={LAT}&lng={LNG}&category=corridor")
    assert mine.json()["cases"][0]["title"] == case.title


def test_a_case_being_handled_can_be_merged_and_its_process_ends(street):
    from viewflow.workflow.models import Task

    from workflows.selectors import OPEN_TASK_STATUSES

    grid = person("qs_wgy01")
    original = at(10)
    later = services.case_accept(case=at(12), actor=grid)
    assert action_get("duplicate").offered(grid, later)
    services.case_mark_duplicate(case=later, actor=grid, original=original)
    later.refresh_from_db()
    assert later.status == Status.DUPLICATE and later.duplicate_of == original
    assert (
        not Task.objects.filter(process_id=later.process_id, status__in=OPEN_TASK_STATUSES)
        .exclude(flow_task_type="TIMER")
        .exists()
    )
    assert later.process.status == "DONE"
    street_area = Area.objects.get(code="QG")
    grids = list(
        Area.objects.filter(path__startswith=street_area.path).values_list("pk", flat=True)
    )
    assert_counters_match_cases(street_area, grids, timezone.now())


def test_a_case_with_the_departments_cannot_be_merged(street):
    from grids.models import Department
    from tests.workflows.demo_street import dispatched

    original = at(1)
    case = dispatched()
    assert not action_get("duplicate").offered(person("qingshan_sq"), case)
    police = Department.objects.get(code="QG-PCS")
    services.case_claim(case=case, actor=person("pcs_zhang"), department=police)
    case.refresh_from_db()
    assert case.status == Status.HANDLING
    assert not action_get("duplicate").offered(person("qingshan_sq"), case)
    with pytest.raises((CaseConflict, CaseActionDenied)):
        services.case_mark_duplicate(case=case, actor=person("qingshan_sq"), original=original)
    case.refresh_from_db()
    assert case.status == Status.HANDLING
