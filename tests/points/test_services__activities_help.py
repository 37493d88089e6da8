"""Activities (sign-up, attendance by staff or by code) and 居民吹哨、党员报到."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import Notification
from points import services
from points.errors import PointsConflict, PointsDenied
from points.models import Account, Entry


@pytest.fixture
def activity(points_world):
    return services.activity_publish(
        community=points_world.areas["C1"],
        actor=points_world.people["community1"],
        title="清理小区绿化带",
        kind="labour",
        starts_at=timezone.now(),
        points=10,
        capacity=2,
    )


def test_attendance_pays_once_by_staff_or_by_code(points_world, activity):
    resident, party = points_world.people["resident"], points_world.people["party"]
    services.activity_signup(activity=activity, user=resident)
    with pytest.raises(PointsConflict):
        services.activity_signup(activity=activity, user=resident)
    account = Account.objects.get(user=resident)
    services.activity_attendance_mark(
        activity=activity, account=account, actor=points_world.people["community1"]
    )
    with pytest.raises(PointsConflict):
        services.activity_checkin(activity=activity, user=resident, code=activity.checkin_code)
    with pytest.raises(ValidationError):
        services.activity_checkin(activity=activity, user=party, code="WRONG")
    services.activity_checkin(activity=activity, user=party, code=activity.checkin_code.lower())
    assert sorted(Entry.objects.values_list("account__user__username", "points")) == [
        ("party", 10),
        ("resident", 10),
    ]
    with pytest.raises(PointsConflict):  # both places are taken
        services.activity_signup(activity=activity, user=points_world.people["volunteer"])


def test_only_the_desk_publishes_and_marks(points_world, activity):
    with pytest.raises(PointsDenied):
        services.activity_publish(
            community=points_world.areas["C1"],
            actor=points_world.people["grid1"],
            title="x",
            kind="labour",
            starts_at=timezone.now(),
            points=5,
        )
    account = services.account_for_user(
        user=points_world.people["resident"], community=points_world.areas["C1"]
    )
    with pytest.raises(PointsDenied):
        services.activity_attendance_mark(
            activity=activity, account=account, actor=points_world.people["resident"]
        )


def test_a_help_request_from_whistle_to_points(points_world):
    c1, resident = points_world.areas["C1"], points_world.people["resident"]
    party = points_world.people["party"]
    request = services.help_request_post(user=resident, community=c1, title="帮独居老人买米")
    assert request.points == 10 and request.status == "open"
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"party", "volunteer"}
    with pytest.raises(PointsDenied):  # not a registered party member or volunteer
        services.help_request_claim(request=request, user=points_world.people["grid1"])
    services.help_request_claim(request=request, user=party)
    with pytest.raises(PointsDenied):
        services.help_request_done(request=request, user=points_world.people["volunteer"])
    services.help_request_done(request=request, user=party, note="已送到家")
    with pytest.raises(PointsDenied):
        services.help_request_confirm(request=request, user=party)
    request = services.help_request_confirm(request=request, user=resident)
    assert request.status == "confirmed"
    entry = Entry.objects.get()
    assert (entry.account.user, entry.points, entry.help_request_id) == (party, 10, request.pk)
    with pytest.raises(PointsConflict):
        services.help_request_confirm(request=request, user=resident)
    assert Entry.objects.count() == 1


def test_unclaimed_requests_go_to_community_staff(points_world):
    c1, resident = points_world.areas["C1"], points_world.people["resident"]
    request = services.help_request_post(user=resident, community=c1, title="修水龙头")
    assert services.help_requests_escalate() == 0
    later = timezone.now() + timedelta(minutes=31)
    assert services.help_requests_escalate(now=later) == 1
    assert services.help_requests_escalate(now=later) == 0  # once
    request.refresh_from_db()
    assert request.status == "escalated"
    alert = Notification.objects.get(kind="overdue")
    assert alert.recipient.username == "community1"
    services.help_request_claim(request=request, user=points_world.people["volunteer"])  # still


def test_the_escalation_command_sends_late_requests_to_staff(points_world, capsys):
    from django.core.management import call_command

    request = services.help_request_post(
        user=points_world.people["resident"], community=points_world.areas["C1"], title="搬家具"
    )
    call_command("points_escalate")
    request.refresh_from_db()
    assert request.status == "open"  # not late yet
    type(request).objects.filter(pk=request.pk).update(
        claim_due=timezone.now() - timedelta(minutes=1)
    )
    call_command("points_escalate")
    request.refresh_from_db()
    assert request.status == "escalated" and "1 help requests escalated" in capsys.readouterr().out
