"""The points pages cost the same number of queries whatever their rows: one more activity,
item, request or account adds rows, not queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from points import services
from tests.points.conftest import funded
from tests.points.test_views import client_for


def add_rows(world, n: int, start: int) -> None:
    """n more of everything the desk and 我的积分 list: activities, items with stock, online
    requests, help requests and signed-up people."""
    staff, c1 = world.people["community1"], world.areas["C1"]
    resident = world.people["resident"]
    for i in range(start, start + n):
        activity = services.activity_publish(
            community=c1,
            actor=staff,
            title=f"活动{i}",
            kind="volunteer",
            starts_at=timezone.now() + dt.timedelta(days=i + 1),
            points=5,
        )
        services.activity_signup(activity=activity, user=resident)
        goods = services.goods_add(shop=world.shop, actor=staff, name=f"物品{i}", price=1)
        services.goods_receive(goods=goods, actor=staff, quantity=5, donor=f"捐赠方{i}")
        services.redeem_online(user=resident, goods=goods, quantity=1)
        services.help_request_post(user=resident, community=c1, title=f"求助{i}")


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured.captured_queries), page.text


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("community1", "/points/desk/S-01/"),
        ("resident", "/points/"),
        ("community1", "/points/board/"),
    ],
)
def test_the_points_pages_queries_do_not_grow_with_their_rows(points_world, username, url):
    funded(points_world, points=100)
    add_rows(points_world, 1, 0)
    client = client_for(points_world, username)
    client.get(url)  # warm the per-process caches (content types, translations)
    small, _text = queries(client, url)
    add_rows(points_world, 4, 1)
    large, text = queries(client, url)
    assert large == small
    if url != "/points/board/":  # the board shows counts, the others the rows themselves
        assert "活动4" in text
