"""What one report costs the database does not grow with the people it notifies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.roles import Role
from notifications.models import Notification
from tests.factories import UserFactory, member


def report_queries(world) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        case = world.report()
    return len(queries.captured_queries), case


@pytest.mark.django_db
def test_a_reports_queries_do_not_grow_with_the_grids_intake_people(world):
    world.report()  # the day's counter row exists from here on, as in a working street
    few, case = report_queries(world)
    told_before = Notification.objects.filter(case=case).count()
    for i in range(6):
        member(UserFactory(username=f"extra{i}"), Role.GRID_MEMBER, world.areas["G1"])

    many, case = report_queries(world)

    assert Notification.objects.filter(case=case).count() == told_before + 6
    assert many == few
